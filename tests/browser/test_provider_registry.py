"""The provider registry in Debian's chromium against `robotrace serve`: a regulator finds a
provider in the directory, enters the FCC's order removing it from the RMD, sees it removed
and why the block list names it, and reinstates it; a coordinator imports an export and sees
who cannot be reached — at desktop width and on a phone (390 px), without the page
scrolling sideways."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from robotrace.clock import SystemClock
from robotrace.providers.registry import Provider
from robotrace.providers.store import upsert_providers
from robotrace.store.db import transaction
from robotrace.traceback import service
from robotrace.traceback.model import CallUnderTrace
from tests.browser.conftest import screenshot, seed_portal, served, signed_in
from tests.support import settings_policy
from tests.web.test_pages_providers import ALPHA_FILING, DELTA_FILING, export, filing

ORDER = "DA 25-694"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def sideways_overflow(page) -> int:
    """How many pixels the page is wider than the window (0: it fits)."""
    return int(
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    )


def test_a_regulator_removes_a_provider_and_reinstates_it(browser, portal):
    desk = signed_in(browser, portal, "fcc@example.org", DESKTOP, landing=r".*/$")
    desk.goto(f"{portal}/providers")
    desk.fill("form.directory-search input[name=q]", "Bravo")
    desk.click("form.directory-search button[type=submit]")
    desk.locator("table.directory a", has_text="BBBB").click()
    desk.wait_for_url(re.compile(r".*/providers/BBBB$"))
    assert desk.inner_text("#rmd-status") == "never listed"

    desk.fill("form.rmd-removal input[name=order_reference]", ORDER)
    desk.click("form.rmd-removal button[type=submit]")
    desk.wait_for_url(re.compile(r".*/providers/BBBB$"))
    assert desk.inner_text("#rmd-status") == "removed"
    reason = desk.inner_text("section.blocked")
    assert f"Removed from the RMD by order {ORDER}" in reason and "47 CFR 64.6305" in reason
    assert "no provider may accept its calls directly" in reason
    assert ORDER in desk.inner_text("table.rmd-history")
    screenshot(desk, "provider-registry-1-removed-1280")

    phone = signed_in(browser, portal, "fcc@example.org", PHONE, landing=r".*/$")
    phone.goto(f"{portal}/providers/BBBB")
    assert phone.inner_text("#rmd-status") == "removed"
    assert sideways_overflow(phone) == 0
    screenshot(phone, "provider-registry-2-removed-390")

    phone.fill("form.rmd-reinstatement input[name=reference]", "DA 25-700")
    phone.click("form.rmd-reinstatement button[type=submit]")
    phone.wait_for_url(re.compile(r".*/providers/BBBB$"))
    assert phone.inner_text("#rmd-status") == "never listed"
    assert phone.locator("section.blocked").count() == 0
    assert "reinstated" in phone.inner_text("table.rmd-history")
    assert sideways_overflow(phone) == 0
    screenshot(phone, "provider-registry-3-reinstated-390")

    phone.goto(f"{portal}/providers")
    assert sideways_overflow(phone) == 0
    screenshot(phone, "provider-registry-4-directory-390")
    desk.goto(f"{portal}/providers")
    screenshot(desk, "provider-registry-5-directory-1280")


def seed_registry(engine: Engine) -> None:
    """The world, AAAA filed as RMD0000001, and a hop request waiting at FFFF, which has
    no contact address and no portal user."""
    seed_portal(engine)
    call = CallUnderTrace("+12025550100", "+13125550111", datetime(2024, 4, 30, 9, tzinfo=UTC))
    with transaction(engine) as session:
        alpha = Provider("AAAA", "Alpha Local Telco", ocns=("AAAA",), rmd_numbers=("RMD0000001",))
        upsert_providers(session, [alpha])
        service.open_traceback(
            session,
            call,
            "FFFF",
            "coordinator:coord@example.org",
            SystemClock(),
            policy=settings_policy(),
        )


@pytest.fixture(scope="module")
def registry_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served(tmp_path_factory.mktemp("registry"), seed_registry) as base:
        yield base


def test_a_coordinator_imports_an_export_and_sees_who_cannot_be_reached(
    browser, registry_portal, tmp_path
):
    upload = tmp_path / "rmd-2024-05.csv"
    upload.write_bytes(export(ALPHA_FILING, DELTA_FILING, filing("", "No Number Telecom")))
    phone = signed_in(browser, registry_portal, "coord@example.org", PHONE, landing=r".*/$")
    phone.goto(f"{registry_portal}/providers")
    unreachable = phone.inner_text("section.unreachable")
    assert "FFFF" in unreachable and "AAAA" not in unreachable

    phone.click("details.panel summary")
    phone.set_input_files("details.panel input[type=file]", str(upload))
    phone.check("details.panel input[name=skip_bad_rows]")
    phone.click("details.panel button[type=submit]")
    phone.wait_for_load_state()
    said = phone.inner_text("p.message")
    assert "filings: 2 added" in said and "1 refused row(s) left out" in said
    assert "rmd-2024-05.csv:4: number is empty" in phone.inner_text("div.refused-rows")
    assert sideways_overflow(phone) == 0
    screenshot(phone, "provider-registry-6-imported-390")

    phone.goto(f"{registry_portal}/providers/RMD0000001")
    phone.wait_for_url(re.compile(r".*/providers/AAAA$"))
    assert "Steve Guest" in phone.inner_text("dl.rmd-contact")
    assert "overdue" in phone.inner_text("section.rmd-standing")
    assert sideways_overflow(phone) == 0
    screenshot(phone, "provider-registry-7-provider-390")
    desk = signed_in(browser, registry_portal, "coord@example.org", DESKTOP, landing=r".*/$")
    desk.goto(f"{registry_portal}/providers/AAAA")
    screenshot(desk, "provider-registry-8-provider-1280")
