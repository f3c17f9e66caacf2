"""The public statistics page in Debian's chromium against `robotrace serve`: Vega draws every
chart from the portal's own script (no other host is reached), and the figures the page shows
equal a csv-module count of the imported file."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

import pytest

from robotrace.evidence.imports import evidence_files, import_evidence
from tests.browser.conftest import screenshot, seed_portal, served
from tests.stats.test_complaints import complaints_csv, expected, read_rows

CHARTS = ("complaints-per-day", "subjects", "states", "robocalls")


@pytest.fixture(scope="module")
def statistics_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    folder = tmp_path_factory.mktemp("statistics")
    path = complaints_csv(folder / "ftc.csv", count=600)
    analytics = folder / "analytics"
    import_evidence(evidence_files([path], "ftc"), analytics)
    with served(folder, seed_portal, {"ROBOTRACE_ANALYTICS_DIR": str(analytics)}) as base:
        yield base, path


def rows_of(page, table: str) -> list[tuple[str, int]]:
    cells = page.eval_on_selector_all(
        f"#{table} tbody tr",
        "rows => rows.map(r => [...r.cells].map(c => c.textContent.trim()))",
    )
    return [(first, int(second)) for first, second in cells]


def test_the_charts_are_drawn_and_the_figures_are_the_counted_ones(browser, statistics_portal):
    base, path = statistics_portal
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    hosts = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))
    page.goto(f"{base}/statistics")
    # A person picks the period with the form: March and April 2020.
    page.fill("#from", "2020-03-01")
    page.fill("#to", "2020-05-01")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/statistics?from=2020-03-01&to=2020-05-01")
    for name in CHARTS:
        page.wait_for_selector(f"#chart-{name}[data-drawn='true'] svg", timeout=20_000)
        marks = page.locator(f"#chart-{name} svg .mark-rect path").count()
        assert marks > 0, name
    want = expected(read_rows(path), date(2020, 3, 1), date(2020, 5, 1), 10, set())
    assert int(page.inner_text("#fig-complaints")) == want["complaints"] == 600
    assert rows_of(page, "table-months") == [
        (c["value"], c["complaints"]) for c in want["per_month"]
    ]
    top = [(c["value"], c["complaints"]) for c in want["subjects"]["top"]]
    assert rows_of(page, "table-subjects")[: len(top)] == top
    # One bar per day in the per-day chart, as many as days with complaints.
    bars = page.locator("#chart-complaints-per-day svg .mark-rect path").count()
    assert bars == len(want["per_day"])
    assert hosts == {urlparse(base).netloc}  # no CDN, nothing from elsewhere
    screenshot(page, "statistics")
    page.close()


def test_without_javascript_the_tables_still_tell_everything(browser, statistics_portal):
    base, path = statistics_portal
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{base}/statistics?from=2020-04-01&to=2020-05-01")
    want = expected(read_rows(path), date(2020, 4, 1), date(2020, 5, 1), 10, set())
    assert int(page.inner_text("#fig-complaints")) == want["complaints"]
    assert rows_of(page, "table-weeks") == [(c["value"], c["complaints"]) for c in want["per_week"]]
    assert page.locator(".vega svg").count() == 0
    context.close()


@pytest.fixture(scope="module")
def fiscal_year_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """FTC (full state names) and FCC (postal codes) complaints of FY2024 and FY2025."""
    from tests.evidence.builders import fiscal_year_complaints

    folder = tmp_path_factory.mktemp("fiscal")
    ftc, fcc = fiscal_year_complaints(folder)
    analytics = folder / "analytics"
    for path, kind in ((ftc, "ftc"), (fcc, "fcc")):
        import_evidence(evidence_files([path], kind), analytics)
    with served(folder, seed_portal, {"ROBOTRACE_ANALYTICS_DIR": str(analytics)}) as base:
        yield base


def test_a_person_picks_a_fiscal_year_and_reads_complaints_per_100000(browser, fiscal_year_portal):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(f"{fiscal_year_portal}/statistics")
    page.fill("#fiscal_year", "2025")
    page.get_by_role("button", name="See fiscal year").click()
    page.wait_for_url("**/statistics?fiscal_year=2025")
    assert page.inner_text("#fig-period").startswith("Fiscal year 2025: 2024-10-01 to 2025-10-01")
    assert int(page.inner_text("#fig-complaints")) == 5
    rates = page.eval_on_selector_all(
        "#table-per-100k tbody tr", "rows => rows.map(r => r.cells[0].textContent.trim())"
    )
    # Illinois: two FTC complaints and the FCC's "IL"; Florida: the FCC's "FL" twice.
    # NST-EST2024-POP: 12,710,158 and 23,372,215 residents.
    assert rates == ["Illinois IL", "Florida FL"]
    assert page.inner_text("#table-per-100k tbody tr:first-child td:last-child") == (
        f"{3e5 / 12_710_158:,.2f}"
    )
    assert "NST-EST2024-POP" in page.inner_text("#per-100k")
    assert "Robocall" in page.inner_text("#table-call-types")
    assert page.inner_text("#spoofed-own-number").startswith("1 complaint said")
    page.locator("#per-100k").scroll_into_view_if_needed()
    screenshot(page, "statistics-fiscal-year")
    page.close()


def test_each_chart_fills_its_frame_with_labels_of_at_least_12_px(browser, statistics_portal):
    base, _ = statistics_portal
    for width in (1400, 390):
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(f"{base}/statistics?from=2020-03-01&to=2020-05-01")
        for name in CHARTS:
            page.wait_for_selector(f"#chart-{name}[data-drawn='true'] svg", timeout=20_000)
            share = page.eval_on_selector(
                f"#chart-{name}",
                """box => { const frame = box.closest('figure'); const s = getComputedStyle(frame);
                            const inner = frame.clientWidth - parseFloat(s.paddingLeft)
                                          - parseFloat(s.paddingRight);
                            return box.querySelector('svg').getBoundingClientRect().width
                                   / inner; }""",
            )
            assert share >= 0.9, (width, name, share)
            sizes = page.eval_on_selector_all(
                f"#chart-{name} svg text",
                "els => els.filter(e => e.textContent.trim())"
                ".map(e => parseFloat(getComputedStyle(e).fontSize))",
            )
            assert sizes and min(sizes) >= 12, (width, name, sorted(set(sizes)))
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, f"statistics-{width}")
        page.close()


def numbers_in(page, table: str, column: int) -> list[int]:
    return page.eval_on_selector_all(
        f"#{table} tbody tr:not([data-sort-fixed])",
        f"rows => rows.map(r => Number(r.cells[{column}].textContent.trim()))",
    )


def test_a_click_on_a_header_sorts_the_rows_by_that_column(browser, statistics_portal):
    base, _ = statistics_portal
    page = browser.new_page()
    page.goto(f"{base}/statistics?from=2020-03-01&to=2020-05-01")
    before = numbers_in(page, "table-days", 1)
    days = page.eval_on_selector_all(
        "#table-days tbody tr", "rows => rows.map(r => r.cells[0].textContent.trim())"
    )
    assert len(before) > 10 and before != sorted(before)  # in the order of the days
    header = page.locator("#table-days thead th").nth(1)
    page.locator("#table-days").evaluate("t => t.closest('details').open = true")
    header.get_by_role("button").click()
    assert numbers_in(page, "table-days", 1) == sorted(before)  # as numbers: 9 before 10
    assert header.get_attribute("aria-sort") == "ascending"
    header.get_by_role("button").press("Enter")
    assert numbers_in(page, "table-days", 1) == sorted(before, reverse=True)
    assert header.get_attribute("aria-sort") == "descending"
    # Back by day: the first column, oldest first.
    page.locator("#table-days thead th").nth(0).get_by_role("button").click()
    by_day = page.eval_on_selector_all(
        "#table-days tbody tr", "rows => rows.map(r => r.cells[0].textContent.trim())"
    )
    assert by_day == sorted(days)
    # The "(others)" row of a ranking stays last whichever way it sorts.
    ranking = page.locator("#table-subjects thead th").nth(1).get_by_role("button")
    ranking.click()
    last = page.eval_on_selector("#table-subjects tbody tr:last-child", "r => r.className")
    assert last in ("rest", "unknown")
    page.close()
