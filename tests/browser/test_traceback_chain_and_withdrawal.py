"""The traceback page in chromium: the chain's arrows sit between its boxes at every width,
and a coordinator withdraws a traceback in two steps; the list's filters and the open form's
order as people see them. Screenshots under test-artifacts/browser/."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from robotrace.clock import SystemClock
from robotrace.store.db import transaction
from robotrace.traceback import service
from robotrace.traceback.model import Answer
from robotrace.traceback.workflow import Reply
from tests.browser.conftest import screenshot, served, signed_in
from tests.support import settings_policy
from tests.web.conftest import CALL, seed_world

WIDTHS = (1400, 1024, 800, 600, 375)


def seed(engine: Engine) -> None:
    """The web tests' world, its traceback answered AAAA → BBBB → CCCC → FFFF (foreign), and
    a second one, open at AAAA, to withdraw."""
    clock = SystemClock()
    long_id = seed_world(engine, clock)
    with transaction(engine) as session:
        for key, upstream in (("AAAA", "BBBB"), ("BBBB", "CCCC"), ("CCCC", "FFFF")):
            reply = Reply(Answer.UPSTREAM, upstream=upstream)
            service.answer_hop(
                session, long_id, key, reply, f"provider:{key}", clock, policy=settings_policy()
            )
        service.open_traceback(
            session, CALL, "AAAA", "coordinator:coord@example.org", clock, policy=settings_policy()
        )


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served(tmp_path_factory.mktemp("chain"), seed) as base:
        yield base


def boxes_and_arrows(page) -> list[tuple[str, dict[str, float]]]:
    items = page.locator("ol.chain > li")
    return [
        (items.nth(i).get_attribute("class") or "", items.nth(i).bounding_box())
        for i in range(items.count())
    ]


def between(before: dict, arrow: dict, after: dict) -> bool:
    """The arrow lies between the two boxes: in one row, or in one column."""
    mid_y, mid_x = arrow["y"] + arrow["height"] / 2, arrow["x"] + arrow["width"] / 2
    in_row = (
        before["x"] + before["width"] <= arrow["x"] + 0.5
        and arrow["x"] + arrow["width"] <= after["x"] + 0.5
        and all(b["y"] <= mid_y <= b["y"] + b["height"] for b in (before, after))
    )
    in_column = (
        before["y"] + before["height"] <= arrow["y"] + 0.5
        and arrow["y"] + arrow["height"] <= after["y"] + 0.5
        and all(b["x"] <= mid_x <= b["x"] + b["width"] for b in (before, after))
    )
    return in_row or in_column


def test_every_arrow_of_the_chain_sits_between_two_boxes_at_every_width(browser, portal):
    page = signed_in(browser, portal, "coord@example.org")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{portal}/tracebacks/TB-000001")
        items = boxes_and_arrows(page)
        assert len(items) == 7, items  # four providers, three arrows
        for i in range(1, len(items), 2):
            assert "arrow" in items[i][0]
            assert between(items[i - 1][1], items[i][1], items[i + 1][1]), (width, i, items)
        last = items[-1][1]  # the whole chain is in sight: nothing hides past the edge
        assert last["x"] + last["width"] <= width, (width, items)
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= width, (width, wide)  # the page never scrolls sideways
        screenshot(page, f"traceback-chain-{width}")


def test_a_coordinator_withdraws_a_traceback_after_confirming(browser, portal):
    page = signed_in(browser, portal, "coord@example.org")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{portal}/tracebacks/TB-000002")
    page.click("details.withdraw summary")
    page.fill("#withdraw-reason", "typed the wrong called number")
    page.click("details.withdraw button[type=submit]")
    confirm = page.locator(".confirm-withdraw")
    assert "typed the wrong called number" in confirm.inner_text()
    assert "AAAA (hop 0) is cancelled" in confirm.inner_text()
    screenshot(page, "traceback-withdraw-confirm")
    assert "open" in page.inner_text("h1")  # nothing changed yet
    confirm.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/tracebacks/TB-000002$"))
    heading = page.inner_text("h1")
    assert "withdrawn" in heading and "closed" in heading
    assert "typed the wrong called number" in page.inner_text(".withdrawn-reason")
    screenshot(page, "traceback-withdrawn")

    alpha = signed_in(browser, portal, "noc@aaaa.example")
    alpha.goto(f"{portal}/inbox")
    # TB-000001's request to AAAA was answered; TB-000002's is cancelled: nothing is open.
    assert CALL.called_number not in alpha.locator("main").inner_text().split("nswered")[0]


def test_the_list_filters_and_keeps_them_and_the_open_form_comes_first(browser, portal):
    page = signed_in(browser, portal, "fcc@example.org")
    page.goto(f"{portal}/tracebacks")
    page.fill("input[name=provider]", "Charlie")
    page.click("form.traceback-filters button[type=submit]")
    page.wait_for_url(re.compile(r".*provider=Charlie.*"))
    rows = page.locator("table.tracebacks tr").all_inner_texts()
    assert any("TB-000001" in r for r in rows) and not any("TB-000002" in r for r in rows)
    assert page.input_value("input[name=provider]") == "Charlie"
    screenshot(page, "tracebacks-filtered")
    page.goto(f"{portal}/tracebacks?opened_from=soon")
    assert "opened_from" in page.inner_text("main")

    coordinator = signed_in(browser, portal, "coord@example.org")
    coordinator.set_viewport_size({"width": 1280, "height": 900})
    coordinator.goto(f"{portal}/tracebacks/new")
    form = coordinator.locator("form.typed-call").bounding_box()
    evidence = coordinator.locator("#from-evidence").bounding_box()
    assert form["y"] < evidence["y"] and form["y"] < 900  # the form is seen first
    coordinator.fill("input[name=called_number]", "+13125550111")
    coordinator.fill("input[name=call_time]", "2999-01-01T00:00:00Z")
    coordinator.select_option("select[name=terminating_key]", "AAAA")
    coordinator.click("form.typed-call button[type=submit]")
    error = coordinator.locator("#call_time-error").bounding_box()
    field = coordinator.locator("input[name=call_time]").bounding_box()
    assert 0 <= error["y"] - (field["y"] + field["height"]) < 60  # right under its field
    screenshot(coordinator, "traceback-new-error")
