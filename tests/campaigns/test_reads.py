"""The campaign reads' plain rules: days without calls, and distinct sample transcripts."""

from __future__ import annotations

from datetime import UTC, date, datetime

from robotrace.campaigns.reads import (
    DayCount,
    SampleTranscript,
    distinct_per_span,
    with_empty_days,
)


def test_days_without_calls_are_filled_in_as_zero():
    counts = {date(2020, 4, 3): 2, date(2020, 4, 1): 5}
    assert with_empty_days(counts) == [
        DayCount(date(2020, 4, 1), 5),
        DayCount(date(2020, 4, 2), 0),
        DayCount(date(2020, 4, 3), 2),
    ]
    assert with_empty_days({}) == []


def sample(call_id: int, text: str) -> SampleTranscript:
    return SampleTranscript(call_id, datetime(2020, 4, 1, call_id, tzinfo=UTC), "", text)


def test_each_span_gives_its_first_text_not_shown_yet():
    candidates = [
        (1, sample(1, "Kit A")),
        (1, sample(2, "Kit B")),
        (2, sample(3, "kit   a")),  # the same text as call 1, but for case and spacing
        (2, sample(4, "Kit C")),
        (3, sample(5, "Kit A")),
        (3, sample(6, "Kit C")),
    ]
    assert [s.call_id for s in distinct_per_span(candidates)] == [1, 4]
