"""The worker loop's back-off while the database is away (robotrace.worker.loop.Outage)."""

from __future__ import annotations

from itertools import pairwise

from robotrace.worker.loop import MAX_BACKOFF_SECONDS, Outage


def test_it_doubles_the_wait_after_each_failed_pass_up_to_the_longest() -> None:
    outage = Outage(interval=1.0)
    waits = [outage.failed(ConnectionError("gone")) for _ in range(12)]
    assert waits[:4] == [1.0, 2.0, 4.0, 8.0]
    assert max(waits) == MAX_BACKOFF_SECONDS
    assert all(a <= b for a, b in pairwise(waits))


def test_it_keeps_waiting_the_longest_through_a_day_long_outage() -> None:
    outage = Outage(interval=5.0)
    waits = [outage.failed(ConnectionError("gone")) for _ in range(20_000)]
    assert waits[-1] == MAX_BACKOFF_SECONDS
    assert outage.failures == 20_000
