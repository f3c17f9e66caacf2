"""The letter flow in Debian's chromium against `robotrace serve`: the regulator warns the
gateway provider from its evidence, the letter's PDF names it, the provider files its
mitigation report, and the regulator reads it beside the evidence."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from robotrace.store.db import transaction
from robotrace.traceback.store import save_traceback
from tests.browser.conftest import screenshot, seed_portal, served, signed_in
from tests.support import missing
from tests.web.test_pages_enforcement import through_alpha

REPORT = "We terminated Voice Are Us Ltd's SIP trunks and now block its caller IDs."


def seed_evidence(engine: Engine) -> None:
    """The world, and two recent tracebacks in which AAAA let foreign calls in."""
    seed_portal(engine)
    now = datetime.now(UTC).replace(microsecond=0)
    with transaction(engine) as session:
        save_traceback(session, through_alpha(now - timedelta(days=2), "TB-000101"))
        save_traceback(session, through_alpha(now - timedelta(days=3), "TB-000102", "ssa"))


@pytest.fixture(scope="module")
def letter_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served(tmp_path_factory.mktemp("letters"), seed_evidence) as base:
        yield base


def pdf_text(content: bytes, folder: Path) -> str:
    if shutil.which("pdftotext") is None:
        missing("poppler-utils' pdftotext is not installed (apt-get install poppler-utils)")
    path = folder / "letter.pdf"
    path.write_bytes(content)
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return done.stdout.decode()


def test_a_letter_is_issued_read_answered_and_seen(browser, letter_portal, tmp_path):
    regulator = signed_in(browser, letter_portal, "fcc@example.org")
    regulator.click("header nav a:has-text('Enforcement')")
    regulator.locator("table.candidates a", has_text="AAAA").click()
    regulator.wait_for_url(re.compile(r".*/enforcement/providers/AAAA$"))
    assert "TB-000101" in regulator.inner_text("main")
    regulator.check("input[name=campaigns][value=covid-test-kits]")
    screenshot(regulator, "letter-1-regulator-chooses-the-campaign")
    regulator.click("form.letter-form button.issue-letter")
    regulator.wait_for_url(re.compile(r".*/enforcement/providers/AAAA/preview$"))
    screenshot(regulator, "letter-1b-the-exact-letter-before-it-is-sent")
    regulator.click("form.preview-actions button.send")
    regulator.wait_for_url(re.compile(r".*/letters/\d+$"))
    letter_url = regulator.url

    deadlines = regulator.inner_text("dl.deadlines")
    assert "Stop the named traffic by" in deadlines and "Report your measures by" in deadlines
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", deadlines)
    assert "covid-test-kits" in deadlines
    screenshot(regulator, "letter-2-issued")
    pdf = regulator.request.get(letter_portal + regulator.get_attribute("a.pdf", "href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
    text = pdf_text(pdf.body(), tmp_path)
    assert "Alpha Local Telco" in text and "TB-000101" in text

    alpha = signed_in(browser, letter_portal, "noc@aaaa.example")
    alpha.click("header nav a:has-text('Letters')")
    alpha.locator("table.letters a", has_text="WL-").first.click()
    alpha.wait_for_url(re.compile(r".*/letters/\d+$"))
    assert alpha.url == letter_url
    alpha.fill("form.report-form textarea[name=text]", REPORT)
    screenshot(alpha, "letter-3-provider-writes-its-report")
    alpha.click("form.report-form button[type=submit]")
    alpha.wait_for_load_state()
    assert REPORT in alpha.inner_text("section.reports")

    regulator.reload()
    reports = regulator.inner_text("section.reports")
    assert REPORT in reports and "late" not in reports
    assert "TB-000101" in regulator.inner_text("table.evidence")
    screenshot(regulator, "letter-4-regulator-reads-the-report")
