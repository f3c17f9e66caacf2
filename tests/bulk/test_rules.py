"""The advancing rules, case by case, from hand-built positions and answers."""

from __future__ import annotations

import pytest

from robotrace.bulk.rules import (
    HopAnswer,
    Position,
    duration_seconds,
    next_step,
    path_of,
    path_text,
    time_ms,
    time_text,
)

AT_MID = Position(1, "MID", ("TERM", "MID"))


def test_an_upstream_answer_asks_the_upstream_at_the_next_hop():
    step = next_step(AT_MID, HopAnswer("upstream", "WHS"), max_hops=16)
    assert step.end is None
    assert step.at == Position(2, "WHS", ("TERM", "MID", "WHS"))


@pytest.mark.parametrize(
    ("answer", "end"),
    [("origin", "origin"), ("not_found", "no_match"), ("unmapped", "unmapped")],
)
def test_an_answer_without_an_upstream_ends_the_call_where_it_is(answer, end):
    step = next_step(AT_MID, HopAnswer(answer), max_hops=16)
    assert (step.end, step.at) == (end, AT_MID)


def test_no_answer_ends_the_call_no_records():
    assert next_step(AT_MID, None, max_hops=16).end == "no_records"


@pytest.mark.parametrize("upstream", ["TERM", "MID"])  # the terminating one, or itself
def test_naming_a_provider_already_on_the_path_is_a_loop(upstream):
    step = next_step(AT_MID, HopAnswer("upstream", upstream), max_hops=16)
    assert (step.end, step.at) == ("loop", AT_MID)


def test_an_upstream_named_at_the_last_hop_allowed_is_the_hop_limit():
    # Hop 1 is the second leg: with two legs allowed, no third is asked for.
    assert next_step(AT_MID, HopAnswer("upstream", "WHS"), max_hops=2).end == "hop_limit"
    assert next_step(AT_MID, HopAnswer("upstream", "WHS"), max_hops=3).end is None


def test_a_loop_wins_over_the_hop_limit_as_robotrace_paths_has_it():
    assert next_step(AT_MID, HopAnswer("upstream", "TERM"), max_hops=2).end == "loop"


def test_paths_are_written_as_robotrace_paths_writes_them_while_tracing():
    assert path_text(("TERM", "MID")) == "|TERM|MID|"
    assert path_of("|TERM|MID|") == ("TERM", "MID")


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90", 90), ("90s", 90), ("15m", 900), ("2h", 7200), ("1d", 86400), (" 1.5H ", 5400)],
)
def test_durations_read_as_people_write_them(text, seconds):
    assert duration_seconds(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "0", "8d", "-5m", "1w"])
def test_a_duration_that_is_not_one_or_out_of_range_is_refused(text):
    with pytest.raises(ValueError, match=repr(text)):
        duration_seconds(text)


@pytest.mark.parametrize(
    ("t_ms", "text"),
    [
        (1585699624776, "2020-04-01T00:07:04.776Z"),  # date -u -d @1585699624.776
        (0, "1970-01-01T00:00:00.000Z"),
        (1000, "1970-01-01T00:00:01.000Z"),
    ],
)
def test_a_call_time_goes_to_the_agent_to_the_millisecond(t_ms, text):
    assert time_text(t_ms) == text
    assert time_ms(text) == t_ms
