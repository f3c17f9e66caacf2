"""Counting blocked calls: per reason and authorization or order, from many threads, and
what a snapshot adds to an earlier one."""

from __future__ import annotations

import threading

import pytest

from robotrace.blocking.counts import BlockCounts, CountRow, difference
from robotrace.blocking.model import Decision, Reason, Verdict


def blocked(reason: Reason, authorization_id: int | None = None, order_id: int | None = None):
    return Decision(Verdict.BLOCK, reason, authorization_id, order_id=order_id)


def test_it_counts_blocked_calls_per_reason_authorization_and_order() -> None:
    counts = BlockCounts()
    for _ in range(3):
        counts.add(blocked(Reason.PROVIDER_BLOCKED, 7))
    counts.add(blocked(Reason.NO_DIRECT_TRAFFIC, order_id=12))
    counts.add(blocked(Reason.INVALID_NUMBER))
    counts.add(Decision(Verdict.ALLOW, Reason.ALLOWED))
    assert counts.snapshot() == [
        CountRow("invalid_number", None, None, 1),
        CountRow("no_direct_traffic", None, 12, 1),
        CountRow("provider_blocked", 7, None, 3),
    ]
    assert counts.total() == 5


def test_counts_handed_in_add_to_the_same_rows() -> None:
    counts = BlockCounts()
    counts.add(blocked(Reason.PROVIDER_BLOCKED, 7))
    counts.add_count("provider_blocked", 7, None, 41)
    counts.add_count("number_blocked", 9, None, 0)  # nothing: no row
    assert counts.snapshot() == [CountRow("provider_blocked", 7, None, 42)]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (("allowed", None, None, 1), "not a blocking reason"),
        (("provider_blocked", 0, None, 1), "authorization_id"),
        (("provider_blocked", None, "12", 1), "order_id"),
        (("provider_blocked", 7, None, -1), "calls"),
        (("provider_blocked", 7, None, True), "calls"),
    ],
)
def test_it_refuses_a_row_that_is_not_a_count_of_blocked_calls(row, message) -> None:
    counts = BlockCounts()
    with pytest.raises(ValueError, match=message):
        counts.add_count(*row)
    assert counts.snapshot() == []


def test_no_call_is_lost_when_many_threads_count_at_once() -> None:
    counts = BlockCounts()
    threads, each = 8, 5_000

    def work(index: int) -> None:
        for _ in range(each):
            counts.add(blocked(Reason.PROVIDER_BLOCKED, 1 + index % 2))

    runners = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for runner in runners:
        runner.start()
    for runner in runners:
        runner.join()
    assert counts.snapshot() == [
        CountRow("provider_blocked", 1, None, threads // 2 * each),
        CountRow("provider_blocked", 2, None, threads // 2 * each),
    ]


def test_the_difference_of_two_snapshots_is_what_was_added_between() -> None:
    counts = BlockCounts()
    counts.add_count("provider_blocked", 7, None, 5)
    counts.add_count("invalid_number", None, None, 2)
    before = counts.snapshot()
    counts.add_count("provider_blocked", 7, None, 3)
    counts.add_count("number_blocked", 9, None, 1)
    assert difference(counts.snapshot(), before) == [
        CountRow("number_blocked", 9, None, 1),
        CountRow("provider_blocked", 7, None, 3),
    ]
