"""The public pages say who runs them, in Debian's chromium against `robotrace serve` with
the operator settings: the footer of /, /login, /report, a report's page, /statistics and
/privacy names the operator, its address and contact, and links the privacy notice; the
front page and the notice fit a phone and pass axe-core's WCAG 2.1 AA rules. Screenshots at
390 and 1280 px in ``test-artifacts/browser/public/``."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.browser.conftest import ARTIFACTS, seed_portal, served
from tests.browser.test_report_a_call import check_accessibility

OPERATOR = {
    "ROBOTRACE_OPERATOR_NAME": "Industry Traceback Group",
    "ROBOTRACE_OPERATOR_ADDRESS": "601 New Jersey Ave NW, Suite 600, Washington, DC 20001",
    "ROBOTRACE_OPERATOR_CONTACT_EMAIL": "privacy@traceback.example.org",
}
PAGES = ["/", "/login", "/report", "/report/RT-0000-0000", "/statistics", "/privacy"]
WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
SHOTS = ARTIFACTS / "public"


@pytest.fixture(scope="module")
def public_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served(tmp_path_factory.mktemp("public"), seed_portal, OPERATOR) as base:
        yield base


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("path", PAGES)
def test_each_public_page_names_its_operator_and_fits(browser, public_portal, path, width):
    page = browser.new_context(viewport=WIDTHS[width], locale="en-US").new_page()
    page.goto(f"{public_portal}{path}")
    footer = page.locator("footer.site-footer")
    assert footer.is_visible()
    said = " ".join(footer.inner_text().split())
    assert "Run by Industry Traceback Group, 601 New Jersey Ave NW" in said
    assert "Contact: privacy@traceback.example.org" in said
    assert footer.locator("a[href='/privacy']").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width]["width"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    name = path.strip("/").replace("/", "-") or "front"
    page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)


def test_a_visitor_goes_from_the_front_page_to_the_privacy_notice(browser, public_portal):
    page = browser.new_context(locale="en-US").new_page()
    page.goto(f"{public_portal}/")
    check_accessibility(page, "the front page")
    assert page.locator("main a[href='/report']").count() == 1
    page.click("footer a[href='/privacy']")
    page.wait_for_url(re.compile(r".*/privacy$"))
    assert page.locator("h1").inner_text() == "Privacy notice"
    text = page.inner_text("main")
    assert "Industry Traceback Group" in text and "How long it is kept" in text
    check_accessibility(page, "the privacy notice")
