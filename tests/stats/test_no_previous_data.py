"""A comparison with nothing before reads as such: ``robotrace stats`` says "no data for
the previous period" (not "previous period 0, change +N"; the page: tests/web), and an
enforcement step with nothing before it says "none before" (the period report, whose PDF is
made from its HTML, and ``stats effects``)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

from click.testing import CliRunner

from robotrace.cli import main
from robotrace.settings import Settings
from robotrace.stats.command import effects_table
from robotrace.stats.enforcement import Effect, Side
from robotrace.stats.period import period_report, report_html
from tests.stats.test_complaints import complaints_csv, stored

MAY = date(2020, 5, 1)


def test_the_summary_says_no_data_for_the_previous_period(tmp_path):
    analytics = stored(tmp_path, complaints_csv(tmp_path / "ftc.csv", count=60))
    result = CliRunner().invoke(main, ["stats", "complaints", "--analytics-dir", str(analytics)])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "(exclusive); no data for the previous period" in said  # all stored days asked
    assert "previous period 0" not in said


def effect(before: Side, after: Side) -> Effect:
    at = datetime(2020, 5, 10, tzinfo=UTC)
    return Effect(
        1, "warning_letter", "issued", "GATE", "Gate Co", at, ("c1",), 168.0, True, before, after
    )


def test_a_step_with_nothing_before_it_says_none_before_in_the_period_report(session, tmp_path):
    report = period_report(
        session,
        tmp_path,
        MAY,
        date(2020, 6, 1),
        datetime(2020, 7, 1, tzinfo=UTC),
        timedelta(days=7),
    )
    steps = [effect(Side(0, 4, 0), Side(6, 2, 0))]
    html = report_html(
        dataclasses.replace(report, effects=steps), Settings.from_environ().display_zone
    )
    assert "0&nbsp;→ 6 (none before)" in html  # complaints
    assert "4&nbsp;→ 2 (-50&nbsp;%)" in html  # calls


def test_a_step_with_nothing_before_it_says_none_before_on_the_command_line():
    table = effects_table([effect(Side(0, 4, 0), Side(6, 2, 0))])
    complaints, calls = (next(iter(column.cells)) for column in table.columns[5:7])
    assert (complaints, calls) == ("0 → 6 (none before)", "4 → 2 (-50%)")
