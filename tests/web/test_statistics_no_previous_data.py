"""The statistics page says "no data for the previous period" when the period before the
one asked holds no complaint, instead of "Previous period 0, change +N"."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from fastapi.testclient import TestClient

from robotrace.stats.enforcement import Effect, Side
from robotrace.web.pages import statistics as statistics_page
from tests.stats.test_complaints import complaints_csv, read_rows, stored
from tests.web.test_statistics import Tables

MARCH, APRIL, MAY = date(2020, 3, 1), date(2020, 4, 1), date(2020, 5, 1)


def filed_between(rows, start: date, end: date) -> int:
    return sum(1 for row in rows if start <= row["day"] < end)


def test_the_page_says_no_data_for_a_previous_period_without_complaints(world, tmp_path):
    path = complaints_csv(tmp_path / "ftc.csv", count=80)  # March and April 2020 only
    world.app.state.analytics_dir = stored(tmp_path, path)
    client = TestClient(world.app)
    html = Tables(client.get(f"/statistics?from={MARCH}&to={APRIL}").text)
    assert html.texts["fig-previous"].startswith("No data for the previous period")
    assert "+" not in html.texts["fig-change"] and "no data" in html.texts["fig-change"]
    rows = read_rows(path)
    march, april = filed_between(rows, MARCH, APRIL), filed_between(rows, APRIL, MAY)
    html = Tables(client.get(f"/statistics?from={APRIL}&to={MAY}").text)  # 31 days before
    earlier = filed_between(rows, APRIL - timedelta(days=30), APRIL)
    assert html.texts["fig-previous"].startswith(str(earlier)) and earlier <= march
    assert html.texts["fig-change"].startswith(f"{april - earlier:+d}")


def test_an_enforcement_step_with_nothing_before_it_says_none_before(
    world, client_for, tmp_path, monkeypatch
):
    world.app.state.analytics_dir = stored(tmp_path, complaints_csv(tmp_path / "ftc.csv", 40))
    at = datetime(2020, 4, 10, tzinfo=UTC)
    step = Effect(1, "warning_letter", "issued", "GATE", "Gate Co", at, ("c1",), 168.0, True,
                  Side(0, 4, 0), Side(6, 2, 0))  # fmt: skip
    monkeypatch.setattr(statistics_page, "effects", lambda *args: [step])
    page = client_for("coord@example.org").get(f"/statistics?from={MARCH}&to={MAY}").text
    row = page.split('id="table-effects"')[1].split("</tr>")[1]
    assert '0 → 6 <span class="muted">(none before)</span>' in row
    assert "4 → 2 (-50 %)" in row
