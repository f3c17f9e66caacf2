"""A consumer reports a robocall on the public page with the keyboard alone, in Debian's
chromium against `robotrace serve`; the report joins its campaign and counts in the
statistics, and axe-core (npm) finds no WCAG 2.1 AA violation on the form, its errors or
the confirmation."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select

from robotrace.clock import SystemClock
from robotrace.store import models
from robotrace.store.db import make_engine, transaction
from tests.browser.conftest import screenshot, seed_portal, served, signed_in
from tests.reports.builders import HEARD, SSA_CALLS, ssa_campaign
from tests.support import missing, wait_for

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / ".cache" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_script() -> Path:
    path = Path(os.environ.get("ROBOTRACE_AXE_JS") or AXE_JS)
    if not path.is_file():
        missing(f"axe-core is not installed ({path}): npm install --prefix .cache/npm axe-core@4")
    return path


def seed_ssa_campaign(engine: Engine) -> None:
    """The portal's world and an SSA campaign of honeypot calls from the last days."""
    seed_portal(engine)
    with transaction(engine) as session:
        ssa_campaign(session, SystemClock())


@pytest.fixture(scope="module")
def report_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The served portal and its folder (store ``robotrace.db``, analytics ``analytics/``)."""
    folder = tmp_path_factory.mktemp("reports")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ROBOTRACE_ANALYTICS_DIR", str(folder / "analytics"))
        with served(folder, seed_ssa_campaign) as base:
            yield base, folder


def check_accessibility(page: object, what: str) -> None:
    """axe-core's WCAG 2.1 A and AA rules over the whole page: no violation at all."""
    page.add_script_tag(path=str(axe_script()))  # type: ignore[attr-defined]
    result = page.evaluate(  # type: ignore[attr-defined]
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA
    )
    found = [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}"
        for v in result["violations"]
    ]
    assert found == [], f"{what}: {found}"
    assert result["passes"], "axe ran no rule at all"


def type_into(page: object, text: str) -> None:
    """Type into the focused field, then Tab to the next one — as a person does: as often as
    it takes, for chromium's date and time fields Tab through their parts first."""
    focused = "document.activeElement.id"
    field = page.evaluate(focused)  # type: ignore[attr-defined]
    page.keyboard.type(text)  # type: ignore[attr-defined]
    for _ in range(4):
        page.keyboard.press("Tab")  # type: ignore[attr-defined]
        if page.evaluate(focused) != field:  # type: ignore[attr-defined]
            return
    raise AssertionError(f"Tab does not leave #{field}")


def fill_the_form(page: object, called_at: datetime, zone_label: str) -> None:
    """The form, with the keyboard alone, from the first field to the send button."""
    keyboard = page.keyboard  # type: ignore[attr-defined]
    page.focus("#calling_number")  # type: ignore[attr-defined]
    type_into(page, "(202) 555-0143")  # a spoofed caller ID: the words find the campaign
    type_into(page, called_at.strftime("%m%d%Y"))  # chromium's date field: mm/dd/yyyy
    type_into(page, called_at.strftime("%I%M%p")[:5])  # hh, mm, then A or P
    type_into(page, zone_label)  # a select takes the typed start of an option
    type_into(page, "312 555 0199")
    keyboard.press("Space")  # the radio group's first choice: Yes, a recording
    keyboard.press("Tab")
    type_into(page, "Imposters")
    type_into(page, HEARD)
    type_into(page, "Jane Q. Reporter")
    type_into(page, "jane.reporter@example.net")
    type_into(page, "Illinois")
    focused = page.evaluate("document.activeElement.textContent")  # type: ignore[attr-defined]
    assert focused == "Send report"  # the honeypot is not on the keyboard's way
    keyboard.press("Enter")


def report_of(folder: Path, reference: str) -> tuple[str | None, object]:
    """The campaign of the report's call and when its complaint was fed, from the store."""
    engine = make_engine(f"sqlite:///{folder / 'robotrace.db'}")
    try:
        with transaction(engine) as session:
            report = session.scalar(
                select(models.ConsumerReport).where(models.ConsumerReport.reference == reference)
            )
            assert report is not None
            call = session.get(models.Call, report.call_id)
            return (call.campaign_id if call else None), report.fed_at
    finally:
        engine.dispose()


def evidence_of(folder: Path, reference: str) -> tuple[str | None, object] | None:
    """The report's campaign and feeding time once it has both, else None."""
    found = report_of(folder, reference)
    return found if all(found) else None


def todays_complaints(folder: Path) -> int:
    """``robotrace stats complaints --json`` over today: the complaints filed."""
    today = datetime.now(UTC).date()
    result = subprocess.run(
        [sys.executable, "-m", "robotrace.cli", "stats", "complaints", "--json", "--from",
         str(today), "--to", str(today + timedelta(days=1)),
         "--analytics-dir", str(folder / "analytics")],
        capture_output=True, text=True, check=True, cwd=folder,
    )  # fmt: skip
    return int(json.loads(result.stdout)["complaints"])


def test_a_person_reports_a_robocall_with_the_keyboard(browser, report_portal):
    base, folder = report_portal
    page = browser.new_context(locale="en-US").new_page()
    page.goto(f"{base}/report")
    check_accessibility(page, "the empty form")
    eastern = datetime.now(ZoneInfo("America/New_York")) - timedelta(hours=20)
    fill_the_form(page, eastern, "Eastern")
    page.wait_for_url(re.compile(r".*/report/RT-\w{4}-\w{4}$"))
    reference = page.url.rsplit("/", 1)[1]
    assert f"Your reference number is {reference}" in page.inner_text("main")
    screenshot(page, "report-1-confirmation")
    check_accessibility(page, "the confirmation")

    # Into the evidence: the campaign that says the same, and today's statistics.
    campaign_id, _fed_at = wait_for(
        lambda: evidence_of(folder, reference), 15, "the report", poll=0.2
    )
    assert todays_complaints(folder) == 1
    staff = signed_in(browser, base, "coord@example.org")
    staff.goto(f"{base}/campaigns/{campaign_id}")
    facts = staff.inner_text("dl.facts")
    assert re.search(rf"Calls\s+{SSA_CALLS + 1}\b", facts), facts
    assert re.search(r"Complaints\s+1\b", facts), facts
    assert "Jane" not in staff.content() and "jane.reporter" not in staff.content()
    screenshot(staff, "report-2-in-its-campaign")


def test_a_form_with_mistakes_says_what_to_fix_next_to_each_field(browser, report_portal):
    base, _folder = report_portal
    page = browser.new_context(locale="en-US").new_page()
    page.goto(f"{base}/report")
    page.focus("#calling_number")
    type_into(page, "call me")
    page.focus("button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector(".error-summary")
    assert page.title().startswith("Error:")
    field = page.locator("#calling_number")
    assert field.get_attribute("aria-invalid") == "true"
    assert field.get_attribute("aria-describedby") == "calling_number-hint calling_number-error"
    assert "not a phone number we can read" in page.inner_text("#calling_number-error")
    assert page.input_value("#calling_number") == "call me"  # kept
    screenshot(page, "report-3-errors")
    check_accessibility(page, "the form with errors")
    page.click(".error-summary a[href='#subject']")  # the summary leads to the field
    assert page.evaluate("location.hash") == "#subject"


def test_the_same_call_reported_twice_is_refused_with_the_first_reference(browser, report_portal):
    base, _folder = report_portal
    page = browser.new_context(locale="en-US").new_page()
    central = datetime.now(ZoneInfo("America/Chicago")) - timedelta(hours=30)
    page.goto(f"{base}/report")
    fill_the_form(page, central, "Central")
    page.wait_for_url(re.compile(r".*/report/RT-\w{4}-\w{4}$"))
    first = page.url.rsplit("/", 1)[1]
    page.goto(f"{base}/report")
    fill_the_form(page, central, "Central")
    page.wait_for_selector("p.error")
    assert f"This call was reported already, under reference {first}" in page.inner_text("p.error")
    assert page.locator(f"main a[href='/report/{first}']").count() == 1
    screenshot(page, "report-4-duplicate")
    check_accessibility(page, "the duplicate's refusal")


def test_a_reporter_finds_the_report_again_by_its_reference(browser, report_portal):
    base, folder = report_portal
    page = browser.new_context(locale="en-US").new_page()
    page.goto(f"{base}/report")
    mountain = datetime.now(ZoneInfo("America/Denver")) - timedelta(hours=40)
    fill_the_form(page, mountain, "Mountain")
    page.wait_for_url(re.compile(r".*/report/RT-\w{4}-\w{4}$"))
    reference = page.url.rsplit("/", 1)[1]
    link = page.locator("p.page-address a")
    assert link.get_attribute("href") == f"{base}/report/{reference}"  # this page, to keep
    # counted and grouped once sent
    wait_for(lambda: evidence_of(folder, reference), 15, "the report", poll=0.2)
    link.click()
    status = page.inner_text("dl.report-status")
    assert re.search(r"Counted in the complaint statistics\s+Yes", status), status
    assert re.search(r"Grouped with similar calls\s+Yes", status), status
    assert "Jane" not in page.content() and "555-0143" not in page.content()

    later = browser.new_context(locale="en-US").new_page()  # another day, the reference typed
    later.goto(f"{base}/report")
    later.click("a[href='#lookup']")
    later.focus("#reference")
    later.keyboard.type(reference.lower().replace("-", " "))
    later.keyboard.press("Enter")
    later.wait_for_url(f"{base}/report/{reference}")
    assert f"Your reference number is {reference}" in later.inner_text("main")
    screenshot(later, "report-5-looked-up")
    check_accessibility(later, "a report looked up")


def test_a_reference_that_cannot_be_one_is_said_next_to_the_lookup_field(browser, report_portal):
    base, _folder = report_portal
    page = browser.new_context(locale="en-US").new_page()
    page.goto(f"{base}/report#lookup")
    page.fill("#reference", "RT-12")
    page.click("#lookup button")
    page.wait_for_selector("#reference-error")
    assert "That is not a report reference" in page.inner_text("#reference-error")
    field = page.locator("#reference")
    assert field.get_attribute("aria-describedby") == "reference-hint reference-error"
    assert page.evaluate("document.activeElement.id") == "reference"
    assert page.title().startswith("Error:")
    screenshot(page, "report-6-lookup-error")
    check_accessibility(page, "the lookup's error")
