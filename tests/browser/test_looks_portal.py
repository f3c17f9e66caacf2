"""The portal's look, measured in Debian's chromium against `robotrace serve` (issue 22,
"Looks"): the header on one line at 1400 px for every role and folded into a Menu that opens
without JavaScript at 390 px, badges of a readable size with enough contrast, scorecards with a
column per role, the campaign chart filling its frame with readable labels, the favicon, and
tables that sort by a click on their headers. Screenshots go to ``test-artifacts/browser/looks/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import pairwise

import httpx
import pytest

from tests.browser.conftest import ARTIFACTS, served, signed_in
from tests.browser.test_report_a_call import WCAG_21_AA, axe_script, seed_ssa_campaign

SHOTS = ARTIFACTS / "looks"
WIDE = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}
ROLES = {
    "admin": "admin@example.org",
    "coordinator": "coord@example.org",
    "regulator": "fcc@example.org",
    "provider": "noc@aaaa.example",
}
#: The boxes of everything the header shows, visible ones only.
HEADER_BOXES = """() => [...document.querySelectorAll(
    'header a, header summary, header button')]
  .filter(e => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden')
  .filter(e => !e.closest('details:not([open]) > :not(summary)'))
  .map(e => { const r = e.getBoundingClientRect();
              return {text: e.textContent.trim().slice(0, 30), top: r.top, bottom: r.bottom,
                      left: r.left, right: r.right}; })"""


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The web tests' world and an SSA campaign of calls over the last days."""
    folder = tmp_path_factory.mktemp("looks")
    with served(folder, seed_ssa_campaign, {"ROBOTRACE_ANALYTICS_DIR": str(folder / "a")}) as base:
        yield base


def keep(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def font_px(page, selector: str) -> list[float]:
    return page.eval_on_selector_all(
        selector, "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))"
    )


@pytest.mark.parametrize("width", [1400, 1280])
@pytest.mark.parametrize("who", list(ROLES))
def test_the_header_stays_on_one_line_at_1400_px(browser, portal, who, width):
    page = signed_in(browser, portal, ROLES[who], {"width": width, "height": 900})
    boxes = page.evaluate(HEADER_BOXES)
    links = [b for b in boxes if b["text"]]
    assert len(links) >= 6, boxes  # the brand, the role's pages, the public ones, the account
    header = page.eval_on_selector("header", "e => e.getBoundingClientRect().height")
    tallest = max(b["bottom"] - b["top"] for b in links)
    # One line: every box's top within a third of a line of the others, and the header
    # no taller than about one line of them.
    tops = [b["top"] for b in links]
    assert max(tops) - min(tops) < tallest / 3, boxes
    assert header < 2 * tallest, (header, boxes)
    # Side by side, never on top of each other.
    ordered = sorted(links, key=lambda b: b["left"])
    assert all(a["right"] <= b["left"] + 0.5 for a, b in pairwise(ordered))
    # Where the brand's name gives way to its icon, it still names the link.
    assert page.get_by_role("link", name="robotrace").count() == 1
    keep(page, f"header-{who}-{width}")
    page.context.close()


@pytest.mark.parametrize("who", ["admin", "provider"])
def test_at_390_px_the_pages_fold_into_a_menu_that_opens_without_javascript(browser, portal, who):
    wide = signed_in(browser, portal, ROLES[who], WIDE)
    pages = wide.eval_on_selector_all("header nav a", "els => els.map(e => e.href)")
    shown_wide = {
        href
        for href, visible in zip(
            pages,
            wide.eval_on_selector_all("header nav a", "els => els.map(e => !!e.offsetParent)"),
            strict=True,
        )
        if visible
    }
    wide.context.close()
    page = signed_in(browser, portal, ROLES[who], PHONE, javascript=False)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    menu = page.get_by_text("Menu", exact=True)
    assert menu.is_visible()
    page.locator("header details.menu > summary").click()
    links = page.locator("header details.menu a")
    in_menu = {links.nth(i).get_attribute("href") for i in range(links.count())}
    in_menu = {f"{portal}{href}" for href in in_menu}
    assert shown_wide <= in_menu  # every page of the wide header is in the menu
    assert all(links.nth(i).is_visible() for i in range(links.count()))
    assert page.get_by_role("button", name="Sign out").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    keep(page, f"menu-{who}-390")
    page.context.close()


def test_status_badges_are_readable_and_pass_the_contrast_check(browser, portal):
    page = signed_in(browser, portal, ROLES["coordinator"], WIDE)
    page.goto(f"{portal}/campaigns")
    campaign = page.get_attribute("main a[href^='/campaigns/']", "href")
    for path in ("/tracebacks/TB-000001", campaign):
        page.goto(f"{portal}{path}")
        sizes = font_px(page, ".status, .outcome, .rmd, .badge")
        assert sizes, f"{path} shows no badge"
        assert min(sizes) >= 12, (path, sizes)
        padding = page.eval_on_selector(
            ".status", "e => parseFloat(getComputedStyle(e).paddingLeft)"
        )
        assert padding >= 4
        page.add_script_tag(path=str(axe_script()))
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA
        )
        found = [f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in result["violations"]]
        assert found == [], f"{path}: {found}"
    keep(page, "badges-traceback-1400")
    page.context.close()


def test_the_body_text_is_at_least_15_px_with_room_between_lines(browser, portal):
    page = signed_in(browser, portal, ROLES["regulator"], WIDE)
    size, line = page.evaluate(
        "() => { const s = getComputedStyle(document.querySelector('main'));"
        " return [parseFloat(s.fontSize), parseFloat(s.lineHeight)]; }"
    )
    assert size >= 15 and line >= 1.35 * size
    page.context.close()


def test_the_scorecards_have_a_labelled_column_per_role(browser, portal):
    page = signed_in(browser, portal, ROLES["regulator"], WIDE)
    page.goto(f"{portal}/scorecards")
    headers = page.eval_on_selector_all(
        "#table-scorecards thead th:not([colspan])", "els => els.map(e => e.textContent.trim())"
    )
    roles = ["Originating", "Gateway", "Intermediate", "Terminating", "Foreign"]
    assert all(role in headers for role in roles), headers
    rows = page.eval_on_selector_all(
        "#table-scorecards tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent))"
    )
    assert rows and all(len(row) == len(headers) for row in rows)
    assert not any(re.search(r"\d+\s*/\s*\d+\s*/", cell) for row in rows for cell in row)
    # The API's roles of each provider, under the headers of the page.
    cards = httpx.get(
        f"{portal}/api/v1/scorecards",
        cookies={c["name"]: c["value"] for c in page.context.cookies()},
    ).json()
    for card in cards:
        row = next(r for r in rows if r[0].split()[0] == card["key"])
        for role in roles:
            assert int(row[headers.index(role)]) == card["roles"][role.lower()], (card, role)
    keep(page, "scorecards-1400")
    page.context.close()


def test_the_campaign_chart_fills_its_frame_and_its_labels_are_readable(browser, portal):
    for viewport in (WIDE, PHONE):
        page = signed_in(browser, portal, ROLES["coordinator"], viewport)
        page.goto(f"{portal}/campaigns")
        page.goto(portal + page.get_attribute("main a[href^='/campaigns/']", "href"))
        assert page.locator("svg.bar-chart rect.bar").count() >= 1
        share = page.eval_on_selector(
            "figure.chart",
            """f => { const s = getComputedStyle(f);
                      const inner = f.clientWidth - parseFloat(s.paddingLeft)
                                    - parseFloat(s.paddingRight);
                      return f.querySelector('svg').getBoundingClientRect().width / inner; }""",
        )
        assert share >= 0.9, (viewport, share)
        labels = font_px(page, "figure.chart .tick")
        assert len(labels) >= 3 and min(labels) >= 12, labels
        keep(page, f"campaign-chart-{viewport['width']}")
        page.context.close()


def test_the_favicon_is_linked_and_answered(browser, portal):
    answer = httpx.get(f"{portal}/favicon.ico")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("image/svg")
    assert b"<svg" in answer.content
    page = browser.new_page()
    page.goto(f"{portal}/login")
    href = page.get_attribute("link[rel=icon]", "href")
    assert href and httpx.get(portal + href).status_code == 200
    page.close()


def test_clicking_a_header_sorts_the_providers_and_again_reverses_them(browser, portal):
    page = signed_in(browser, portal, ROLES["coordinator"], WIDE)
    page.goto(f"{portal}/providers")
    table = page.locator("main table:has(thead)").first
    first_column = "els => els.map(r => r.cells[0].textContent.trim())"
    before = table.locator("tbody tr").evaluate_all(first_column)
    assert len(before) >= 3, before
    header = table.locator("thead th").first
    assert header.get_attribute("aria-sort") == "none"
    header.get_by_role("button").click()
    after = table.locator("tbody tr").evaluate_all(first_column)
    assert after == sorted(before, key=str.casefold)
    assert header.get_attribute("aria-sort") == "ascending"
    # By keyboard: the header is a button; Enter sorts the other way.
    header.get_by_role("button").focus()
    page.keyboard.press("Enter")
    assert table.locator("tbody tr").evaluate_all(first_column) == sorted(
        before, key=str.casefold, reverse=True
    )
    assert header.get_attribute("aria-sort") == "descending"
    page.context.close()
