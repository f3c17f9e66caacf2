"""static/sortable.js on its own in Debian's chromium: a table's rows sort by a cell's
``data-sort`` value where its text is written for people, dates as dates and numbers as
numbers, empty cells last, and a table marked ``no-sort`` keeps its order."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "src/robotrace/web/static/sortable.js"
TABLE = """
<table id="t"><thead><tr><th>When</th><th class="num">Hours</th><th>Who</th></tr></thead>
<tbody>
<tr><td data-sort="2020-04-10T14:14:30Z">10 Apr 2020, 10:14 EDT</td><td>12.5</td><td>bravo</td></tr>
<tr><td data-sort="2020-03-02T09:00:00Z">2 Mar 2020, 04:00 EST</td><td>–</td><td>Alpha</td></tr>
<tr><td data-sort="2020-12-24T23:59:00Z">24 Dec 2020, 18:59 EST</td><td>3</td><td>charlie</td></tr>
<tr><td data-sort="2020-04-09T01:00:00Z">8 Apr 2020, 21:00 EDT</td><td>100</td><td>delta 10</td>
</tr>
<tr><td data-sort="2020-04-09T01:00:00Z">8 Apr 2020, 21:00 EDT</td><td>7</td><td>delta 9</td></tr>
</tbody></table>
<table id="people"><tr><th>Due</th></tr>
<tr><td>10 Apr 2020, 10:14 UTC</td></tr><tr><td>9 Apr 2020, 23:59 UTC</td></tr>
<tr><td>2 Apr 2020, 11:51 UTC</td></tr><tr><td>11 Mar 2020, 08:00 UTC</td></tr></table>
<table id="fixed" class="no-sort"><thead><tr><th>Step</th></tr></thead>
<tbody><tr><td>b</td></tr><tr><td>a</td></tr></tbody></table>
"""


def column(page, index: int, attribute: str | None = None) -> list[str]:
    read = f"c.getAttribute('{attribute}')" if attribute else "c.textContent.trim()"
    return page.eval_on_selector_all(
        "#t tbody tr", f"rows => rows.map(r => {{ const c = r.cells[{index}]; return {read}; }})"
    )


def test_rows_sort_by_data_sort_numbers_and_text_with_empty_cells_last(browser):
    page = browser.new_page()
    page.set_content(f"<!doctype html><html lang=en><body>{TABLE}</body></html>")
    page.add_script_tag(path=str(SCRIPT))
    when = page.locator("#t thead th").nth(0)
    stamps = column(page, 0, "data-sort")
    when.get_by_role("button").click()
    assert column(page, 0, "data-sort") == sorted(
        stamps, key=lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))
    )
    assert when.get_attribute("aria-sort") == "ascending"
    hours = column(page, 1)
    page.locator("#t thead th").nth(1).get_by_role("button").click()
    filled = [h for h in hours if h != "–"]
    assert column(page, 1) == [*sorted(filled, key=float), "–"]
    assert when.get_attribute("aria-sort") == "none"
    page.locator("#t thead th").nth(1).get_by_role("button").click()
    assert column(page, 1) == [*sorted(filled, key=float, reverse=True), "–"]
    names = column(page, 2)
    page.locator("#t thead th").nth(2).get_by_role("button").click()
    digits_as_numbers = sorted(names, key=lambda n: (n.split()[0].casefold(), len(n), n))
    assert column(page, 2) == digits_as_numbers  # "delta 9" before "delta 10"
    assert page.locator("#fixed button").count() == 0
    # A header row of <th> cells without a <thead> is a header too; times written for people
    # sort as times.
    page.locator("#people th").nth(0).get_by_role("button").click()
    shown = page.eval_on_selector_all(
        "#people tbody tr", "rows => rows.map(r => r.cells[0].textContent.trim())"
    )
    assert shown == sorted(shown, key=lambda s: datetime.strptime(s, "%d %b %Y, %H:%M %Z"))
    assert page.locator("#people thead th").count() == 1
    page.close()
