"""Know your upstream in Debian's chromium against `robotrace serve` (issue 23 item 5): a
provider's user follows *Upstreams* in its navigation and reads its upstreams riskiest first
with their record, at desktop width and at 390 px without sideways scrolling; a coordinator
chooses the provider on the same page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from robotrace.clock import SystemClock
from tests.browser.conftest import screenshot, served, signed_in
from tests.web.conftest import seed_world
from tests.web.test_upstreams import seed_upstreams

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
#: The order the module tests.web.test_upstreams works out by hand.
EXPECTED = ["HHHH", "CCCC", "DDDD", "BBBB"]


def seed(engine: Engine) -> None:
    clock = SystemClock()
    seed_upstreams(engine, clock, seed_world(engine, clock))


@pytest.fixture(scope="module")
def upstream_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served(tmp_path_factory.mktemp("upstreams"), seed) as base:
        yield base


def upstream_keys(page) -> list[str]:
    cells = page.locator("table.upstreams tr[class^=risk] td:first-child").all_inner_texts()
    return [cell.split()[0] for cell in cells]


def sideways(page) -> int:
    """How many pixels the document is wider than the window (0: no sideways scroll)."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def test_a_provider_reads_its_upstreams_riskiest_first_from_its_navigation(
    browser, upstream_portal
):
    page = signed_in(browser, upstream_portal, "noc@aaaa.example", DESKTOP)
    page.click("header nav.wide a:has-text('Upstreams')")
    page.wait_for_url(re.compile(r".*/upstreams$"))
    assert upstream_keys(page) == EXPECTED
    hotel = page.locator("table.upstreams tr", has_text="HHHH")
    assert "blocked" in hotel.inner_text() and "On block list v1" in hotel.inner_text()
    assert hotel.locator("a[href^='/authorizations/']").count() == 1
    charlie = page.locator("table.upstreams tr", has_text="CCCC").inner_text()
    assert "removed" in charlie and "DA 24-1000" in charlie
    assert "GGGG" not in page.content() and "EEEE" not in page.content()
    assert sideways(page) <= 0
    screenshot(page, "upstreams-provider-1280")
    page.context.close()


def test_the_page_fits_a_phone(browser, upstream_portal):
    page = signed_in(browser, upstream_portal, "noc@aaaa.example", PHONE)
    response = page.goto(f"{upstream_portal}/upstreams")
    assert response is not None and response.status == 200
    assert upstream_keys(page) == EXPECTED
    assert sideways(page) <= 0, "the page scrolls sideways at 390 px"
    screenshot(page, "upstreams-provider-390")
    page.context.close()


def test_a_coordinator_chooses_the_provider(browser, upstream_portal):
    page = signed_in(browser, upstream_portal, "coord@example.org", DESKTOP)
    page.goto(f"{upstream_portal}/upstreams")
    page.fill("input[name=provider]", "AAAA")
    page.click("form.upstreams-for button[type=submit]")
    page.wait_for_url(re.compile(r".*/upstreams\?provider=AAAA$"))
    assert upstream_keys(page) == EXPECTED
    assert page.locator("table.upstreams a[href='/providers/HHHH']").count() == 1
    screenshot(page, "upstreams-coordinator-1280")
    page.context.close()
