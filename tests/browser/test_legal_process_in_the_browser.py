"""The legal process log and the period report's annual figures in Debian's chromium against
`robotrace serve`: a regulator records a civil investigative demand (a provider the registry
does not know is refused, what was typed stays), corrects it, the period report counts it by
kind and agency, a withdrawal takes it out again; a provider's user gets 403."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from tests.browser.conftest import screenshot, signed_in


def test_a_regulator_keeps_the_log_and_the_period_report_counts_it(browser, portal):
    today = datetime.now(UTC).date()
    issued = max(today - timedelta(days=2), today.replace(month=1, day=1))
    regulator = signed_in(browser, portal, "fcc@example.org")
    regulator.click("header nav.wide a:has-text('Legal process')")
    regulator.wait_for_url(re.compile(r".*/legal-process$"))
    form = regulator.locator("#record-form")
    form.locator("input[name=issued_on]").fill(issued.isoformat())
    form.locator("input[name=agency]").fill("Ohio Attorney General")
    form.locator("select[name=kind]").select_option("cid")
    form.locator("input[name=provider]").fill("ZZZZ")
    form.locator("input[name=reference]").fill("CID 2026-17")
    form.locator("button[type=submit]").click()
    assert "Not recorded: no provider in the registry is 'ZZZZ'" in regulator.inner_text(
        "#record-form p.error"
    )
    assert regulator.input_value("#record-form input[name=reference]") == "CID 2026-17"
    regulator.fill("#record-form input[name=provider]", "BBBB")
    regulator.click("#record-form button[type=submit]")
    regulator.wait_for_url(re.compile(r".*/legal-process\?recorded=\d+"))
    row = regulator.locator("#legal-process-entries tbody tr").first
    assert "civil investigative demand" in row.inner_text()
    assert "Bravo Wholesale" in row.inner_text() and "CID 2026-17" in row.inner_text()
    screenshot(regulator, "legal-process-1-recorded")

    row.locator("a").first.click()
    regulator.wait_for_url(re.compile(r".*/legal-process/\d+$"))
    regulator.select_option("#edit-form select[name=kind]", "subpoena")
    regulator.click("#edit-form button[type=submit]")
    regulator.wait_for_url(re.compile(r".*\?saved=edited$"))
    assert regulator.inner_text("h1").startswith("Subpoena to BBBB")
    entry_url = regulator.url.split("?")[0]

    regulator.goto(f"{portal}/period-report")
    figure = regulator.inner_text("#fig-legal-process")
    assert figure.startswith("1") and "(1 subpoena, 0 CIDs, 0 other)" in figure
    agencies = regulator.inner_text("#table-legal-agencies")
    assert "Ohio Attorney General" in agencies
    assert "median time to complete" in regulator.inner_text("#fig-time")
    assert "reaching a foreign origin" in regulator.inner_text("#fig-foreign-origin")
    assert "No provider refused" in regulator.inner_text("#no-refusals")
    screenshot(regulator, "legal-process-2-period-report")

    regulator.goto(entry_url)
    regulator.fill("#withdraw-form textarea[name=reason]", "recorded against the wrong carrier")
    regulator.click("#withdraw-form button[type=submit]")
    regulator.wait_for_url(re.compile(r".*\?saved=withdrawn$"))
    assert "recorded against the wrong carrier" in regulator.inner_text("#withdrawn-reason")
    assert regulator.locator("#edit-form").count() == 0
    regulator.goto(f"{portal}/period-report")
    assert regulator.inner_text("#fig-legal-process").startswith("0")

    provider = signed_in(browser, portal, "noc@bbbb.example")
    answer = provider.goto(f"{portal}/legal-process")
    assert answer is not None and answer.status == 403
    assert provider.locator("header a:has-text('Legal process')").count() == 0
