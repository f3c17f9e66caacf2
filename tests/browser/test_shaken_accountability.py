"""STIR/SHAKEN accountability in Debian's chromium against `robotrace serve`: a regulator
follows the menu to the page, asks for a period, reads each signer's counts, downloads one
signer's export, and the page fits a phone. The world and the expected reasons are those of
tests/stats/test_shaken_accountability.py."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from robotrace.shaken.accountability import REASONS
from robotrace.store.db import transaction
from tests.browser.conftest import screenshot, seed_portal, served, signed_in
from tests.stats.test_shaken_accountability import DNO_NUMBER, build, expected_by_spc

PHONE = {"width": 390, "height": 844}


def seed_signed_calls(engine: Engine) -> None:
    seed_portal(engine)
    with transaction(engine) as session:
        build(session)


@pytest.fixture(scope="module")
def shaken_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("shaken")
    dno = folder / "dno.txt"
    dno.write_text(f"# Do-Not-Originate\n{DNO_NUMBER}\n")
    with served(folder, seed_signed_calls, {"ROBOTRACE_BLOCKER_DNO_FILE": str(dno)}) as base:
        yield base


def test_a_regulator_reads_each_signers_record_and_downloads_its_export(
    browser, shaken_portal, tmp_path: Path
):
    page = signed_in(browser, shaken_portal, "fcc@example.org")
    page.click("header nav.wide a:has-text('STIR/SHAKEN')")
    page.wait_for_url(re.compile(r".*/statistics/shaken$"))
    page.fill("input[name=from]", "2025-01-01")
    page.fill("input[name=to]", "2026-01-01")
    page.click("form.period button[type=submit]")
    page.wait_for_url(re.compile(r".*from=2025-01-01&to=2026-01-01.*"))
    assert "Do-Not-Originate list: 1 number." in page.inner_text("#checks")
    for spc, refs in expected_by_spc().items():
        row = page.locator(f"#signer-{spc}")
        assert row.locator("td[data-reason=all]").inner_text() == str(len(refs))
        for reason in REASONS:
            want = sum(reason in reasons for reasons in refs.values())
            assert row.locator(f"td[data-reason={reason}]").inner_text() == str(want), reason
    screenshot(page, "shaken-accountability-1-signers")

    with page.expect_download() as download_info:
        page.locator("#signer-4444 a.export").click()
    download = download_info.value
    assert download.suggested_filename == "robotrace-shaken-4444-2025-01-01-2026-01-01.csv"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    assert len(rows) == len(expected_by_spc()["4444"])
    assert {r["originating_provider"] for r in rows} == {"ORIG"}
    assert all(r["origid"] and r["traceback_id"].startswith("TB-") for r in rows)

    page.locator("#signer-2222 td a").first.click()
    section = page.locator("#calls-2222")
    assert "carried the call" in section.inner_text()
    assert section.locator("a[href^='/tracebacks/TB-']").count() >= 1

    page.set_viewport_size(PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways at {PHONE['width']} px: {width}"
    screenshot(page, "shaken-accountability-2-phone")
