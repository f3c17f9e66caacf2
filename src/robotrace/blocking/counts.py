"""Calls blocked, counted per reason and per authorization or order: what a blocker reports.

Every path that blocks counts here: the HTTP API (``/v1/decide`` and its batch), the SIP
server (each worker process keeps its own :class:`BlockCounts` and sends what it added to the
parent, which adds it to its own: :mod:`robotrace.blocking.sip.workers`), and an SBC that
blocks with robotrace's list itself (Kamailio's counters are read and handed to
:meth:`BlockCounts.add_count`). The parent's counts are what ``/metrics`` shows
(``robotrace_blocker_calls_blocked_total``) and what :mod:`robotrace.blocking.report` sends
to the portal, where they end up in the notice to the FCC of a K4 authorization.

The API other parts call (keep it stable; the Kamailio path depends on it)::

    counts = BlockCounts()
    counts.add(decision)                      # one decided call; only blocked ones count
    counts.add_count("provider_blocked", 7, None, 120)   # reason, authorization, order, calls
    counts.snapshot()                         # -> list[CountRow], totals since the start

A row's key is (reason, authorization id, order id): a K4 authorization, a final
determination order, or neither (an RMD removal, the operator's own rules: DNO, unassignable
numbers, STIR/SHAKEN). The totals only grow, as Prometheus counters must; what is new since
a moment is :func:`difference` of two snapshots.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass

from robotrace.blocking.model import Decision, Reason, Verdict

#: The reasons a call is blocked for (model.Reason minus those that let a call through).
BLOCK_REASONS = frozenset(
    {
        Reason.PROVIDER_BLOCKED.value,
        Reason.NO_DIRECT_TRAFFIC.value,
        Reason.NUMBER_BLOCKED.value,
        Reason.DO_NOT_ORIGINATE.value,
        Reason.INVALID_NUMBER.value,
        Reason.SHAKEN_FAILED.value,
    }
)

Key = tuple[str, int | None, int | None]  # (reason, authorization id, order id)


@dataclass(frozen=True, order=True)
class CountRow:
    """Calls blocked for one reason under one authorization or order (or neither)."""

    reason: str
    authorization_id: int | None
    order_id: int | None
    calls: int

    @property
    def key(self) -> Key:
        return (self.reason, self.authorization_id, self.order_id)

    def as_json(self) -> dict[str, object]:
        return {
            "reason": self.reason,
            "authorization_id": self.authorization_id,
            "order_id": self.order_id,
            "calls": self.calls,
        }


class BlockCounts:
    """Totals of calls blocked since the process started; safe to share between threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._totals: dict[Key, int] = {}

    def add(self, decision: Decision) -> None:
        """Count one decided call (allowed ones are not counted)."""
        if decision.verdict is Verdict.BLOCK:
            key = (str(decision.reason), decision.authorization_id, decision.order_id)
            with self._lock:
                self._totals[key] = self._totals.get(key, 0) + 1

    def add_count(
        self, reason: str, authorization_id: int | None, order_id: int | None, calls: int
    ) -> None:
        """Add ``calls`` blocked calls counted elsewhere (a worker process, an SBC)."""
        check_row(reason, authorization_id, order_id, calls)
        if calls:
            key = (reason, authorization_id, order_id)
            with self._lock:
                self._totals[key] = self._totals.get(key, 0) + calls

    def add_rows(self, rows: Iterable[CountRow]) -> None:
        for row in rows:
            self.add_count(row.reason, row.authorization_id, row.order_id, row.calls)

    def snapshot(self) -> list[CountRow]:
        """Every total, sorted (rows with no authorization or order first within a reason)."""
        with self._lock:
            items = list(self._totals.items())
        rows = [CountRow(reason, auth, order, calls) for (reason, auth, order), calls in items]
        return sorted(rows, key=_sort_key)

    def total(self) -> int:
        with self._lock:
            return sum(self._totals.values())


def difference(now: Iterable[CountRow], before: Iterable[CountRow]) -> list[CountRow]:
    """What ``now`` adds to ``before`` (two snapshots of the same counts), rows of 0 left out."""
    earlier = {row.key: row.calls for row in before}
    rows = (CountRow(*row.key, row.calls - earlier.get(row.key, 0)) for row in now)
    return [row for row in rows if row.calls > 0]


def check_row(reason: str, authorization_id: int | None, order_id: int | None, calls: int) -> None:
    """``ValueError`` naming what is wrong with a count row."""
    if reason not in BLOCK_REASONS:
        raise ValueError(
            f"reason {reason!r} is not a blocking reason ({', '.join(sorted(BLOCK_REASONS))})"
        )
    for name, value in (("authorization_id", authorization_id), ("order_id", order_id)):
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or value < 1
        ):
            raise ValueError(f"{name} must be a positive integer or null, not {value!r}")
    if not isinstance(calls, int) or isinstance(calls, bool) or calls < 0:
        raise ValueError(f"calls must be a count (0 or more), not {calls!r}")


def _sort_key(row: CountRow) -> tuple[str, int, int]:
    return (row.reason, row.authorization_id or 0, row.order_id or 0)
