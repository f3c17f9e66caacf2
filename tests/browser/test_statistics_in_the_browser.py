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
