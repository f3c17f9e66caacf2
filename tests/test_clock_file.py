"""The clock file: a world's clock that serve and worker share (the clock_file setting),
running at the real pace from the time it was set, followed when it is rewritten; and
``robotrace clock`` that sets, moves on and reads it. Times for people in documents."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from robotrace.calendar import for_people
from robotrace.cli import main
from robotrace.clock import (
    ClockFileError,
    FileClock,
    SimulatedClock,
    SystemClock,
    clock_from_settings,
    parse_span,
    parse_utc,
    write_clock_file,
)
from robotrace.settings import Settings

WORLD = datetime(2020, 4, 25, 0, 0, tzinfo=UTC)
REAL = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_the_clock_runs_on_from_the_time_set_at_the_real_pace(tmp_path):
    real = SimulatedClock(REAL)
    write_clock_file(tmp_path / "clock.json", WORLD, real)
    clock = FileClock(tmp_path / "clock.json", real)
    assert clock.now() == WORLD
    real.advance(timedelta(minutes=90))
    assert clock.now() == WORLD + timedelta(minutes=90)


def test_a_running_clock_follows_the_file_when_it_is_rewritten(tmp_path):
    real = SimulatedClock(REAL)
    path = tmp_path / "clock.json"
    write_clock_file(path, WORLD, real)
    portal, worker = FileClock(path, real), FileClock(path, real)  # two processes, one file
    real.advance(timedelta(hours=1))
    write_clock_file(path, portal.now() + timedelta(days=2), real)  # robotrace clock advance 2d
    expected = WORLD + timedelta(days=2, hours=1)
    assert portal.now() == expected and worker.now() == expected


def test_a_file_broken_while_running_keeps_the_last_time_read(tmp_path):
    real = SimulatedClock(REAL)
    path = tmp_path / "clock.json"
    write_clock_file(path, WORLD, real)
    clock = FileClock(path, real)
    path.write_text("half a wri")
    real.advance(timedelta(seconds=30))
    assert clock.now() == WORLD + timedelta(seconds=30)


@pytest.mark.parametrize("content", [None, "", "2020-04-25", '{"now": "yesterday", "since": 1}'])
def test_a_missing_or_bad_file_is_refused_at_the_start_with_its_name(tmp_path, content):
    path = tmp_path / "clock.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ClockFileError, match=str(path)):
        FileClock(path)


def test_the_setting_picks_the_clock(tmp_path, monkeypatch):
    monkeypatch.delenv("ROBOTRACE_CLOCK_FILE", raising=False)
    assert isinstance(clock_from_settings(Settings.from_environ()), SystemClock)
    write_clock_file(tmp_path / "clock.json", WORLD)
    monkeypatch.setenv("ROBOTRACE_CLOCK_FILE", str(tmp_path / "clock.json"))
    clock = clock_from_settings(Settings.from_environ())
    assert isinstance(clock, FileClock)
    assert WORLD <= clock.now() < WORLD + timedelta(minutes=1)


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("90s", timedelta(seconds=90)),
        ("15m", timedelta(minutes=15)),
        ("2h", timedelta(hours=2)),
        ("1.5d", timedelta(hours=36)),
        ("3600", timedelta(hours=1)),
        ("-1d", timedelta(days=-1)),
    ],
)
def test_spans_read_as_written(text, span):
    assert parse_span(text) == span


@pytest.mark.parametrize("text", ["", "d", "1w", "soon", "1e400d", "nan"])
def test_a_span_that_is_not_one_is_refused(text):
    with pytest.raises(ValueError, match="not a span of time"):
        parse_span(text)


def test_robotrace_clock_sets_advances_and_shows_the_file(tmp_path):
    path = str(tmp_path / "clock.json")
    runner = CliRunner()
    assert runner.invoke(main, ["clock", "set", "2020-04-25T00:00Z", "--file", path]).exit_code == 0
    moved = runner.invoke(main, ["clock", "advance", "1d", "--file", path])
    assert moved.exit_code == 0
    assert (
        WORLD + timedelta(days=1) <= parse_utc(moved.output) < WORLD + timedelta(days=1, minutes=1)
    )
    shown = parse_utc(runner.invoke(main, ["clock", "show", "--file", path]).output)
    assert parse_utc(moved.output) <= shown < parse_utc(moved.output) + timedelta(minutes=1)


def test_robotrace_clock_without_a_file_names_the_setting(tmp_path, monkeypatch):
    monkeypatch.delenv("ROBOTRACE_CLOCK_FILE", raising=False)
    result = CliRunner().invoke(main, ["clock", "show"])
    assert result.exit_code == 2 and "ROBOTRACE_CLOCK_FILE" in result.output
    missing = CliRunner().invoke(main, ["clock", "advance", "1h", "--file", str(tmp_path / "x")])
    assert missing.exit_code == 1 and "clock file" in missing.output


def test_serve_and_worker_refuse_an_unreadable_clock_file_at_the_start(tmp_path, monkeypatch):
    monkeypatch.setenv("ROBOTRACE_CLOCK_FILE", str(tmp_path / "nowhere.json"))
    for args in (["serve", "--no-migrate"], ["worker", "--once"]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 1, result.output
        assert f"clock file {tmp_path / 'nowhere.json'}" in result.output


@pytest.mark.parametrize(
    ("moment", "zone", "seconds", "written"),
    [
        # worked out by hand: New York is UTC-4 in summer (EDT), UTC-5 in winter (EST)
        ("2020-04-10T14:14:30.323Z", None, False, "10 Apr 2020, 10:14 EDT"),
        ("2020-01-10T14:14:30.323Z", None, True, "10 Jan 2020, 09:14:30 EST"),
        ("2020-04-07T00:00:00Z", None, False, "6 Apr 2020, 20:00 EDT"),  # the day before
        ("2020-04-10T14:14:59.999Z", "UTC", False, "10 Apr 2020, 14:14 UTC"),  # cut, not rounded
        ("2020-04-10T14:14:30Z", "America/Chicago", False, "10 Apr 2020, 09:14 CDT"),
    ],
)
def test_times_are_written_for_people_in_the_display_zone(moment, zone, seconds, written):
    shown_in = zone or Settings.from_environ().display_zone
    assert for_people(parse_utc(moment), shown_in, seconds) == written


def test_the_display_zone_setting_moves_every_document_time(monkeypatch):
    monkeypatch.setenv("ROBOTRACE_DISPLAY_ZONE", "Pacific/Honolulu")
    zone = Settings.from_environ().display_zone
    assert for_people(parse_utc("2020-04-10T14:14:00Z"), zone) == "10 Apr 2020, 04:14 HST"
