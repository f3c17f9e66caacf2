"""A coordinator opens a traceback, two providers answer it in their inboxes, and the
coordinator sees the chain and the outcome — in Debian's chromium, against `robotrace serve`."""

from __future__ import annotations

import re

from tests.browser.conftest import screenshot, signed_in

CALLED = "+13125550777"


def open_request_for(page, portal: str, called: str) -> None:
    page.goto(f"{portal}/inbox")
    row = page.locator("tr", has_text=called)
    row.locator("a").first.click()
    page.wait_for_url(re.compile(r".*/inbox/\d+$"))


def test_a_traceback_opened_in_the_portal_is_answered_by_two_providers(browser, portal):
    coordinator = signed_in(browser, portal, "coord@example.org")
    coordinator.goto(f"{portal}/tracebacks/new")
    coordinator.fill("input[name=calling_number]", "+12025550143")
    coordinator.fill("input[name=called_number]", CALLED)
    coordinator.fill("input[name=call_time]", "2020-04-30T15:04:05Z")
    coordinator.select_option("select[name=terminating_key]", "AAAA")
    coordinator.click("form.stack button[type=submit]")
    coordinator.wait_for_url(re.compile(r".*/tracebacks/TB-\d+$"))
    traceback_url = coordinator.url
    assert "open" in coordinator.inner_text("h1")
    screenshot(coordinator, "1-coordinator-opened")

    alpha = signed_in(browser, portal, "noc@aaaa.example")
    open_request_for(alpha, portal, CALLED)
    alpha.fill("#upstream_key", "Bravo")
    alpha.locator("#search-results li", has_text="BBBB").first.click()
    assert alpha.input_value("#upstream_key") == "BBBB"
    screenshot(alpha, "2-alpha-names-bravo")
    alpha.click("form.answer-form button[type=submit]")
    alpha.wait_for_load_state()

    bravo = signed_in(browser, portal, "noc@bbbb.example")
    open_request_for(bravo, portal, CALLED)
    assert "Alpha" in bravo.content() or "AAAA" in bravo.content()  # who named it
    bravo.check("input[name=kind][value=origin]")
    bravo.fill("input[name=customer]", "Acme Outreach LLC")
    bravo.select_option("#origin_action", "warned")  # an origin answer says what was done
    screenshot(bravo, "3-bravo-names-its-customer")
    bravo.click("form.answer-form button[type=submit]")
    bravo.wait_for_load_state()

    coordinator.goto(traceback_url)
    heading = coordinator.inner_text("h1")
    assert "origin_identified" in heading and "closed" in heading
    body = coordinator.inner_text("main")
    assert "AAAA" in body and "BBBB" in body and "Acme Outreach LLC" in body
    assert "originating" in body
    screenshot(coordinator, "4-coordinator-sees-the-outcome")
