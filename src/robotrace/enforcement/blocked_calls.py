"""Calls blocked, as the blocking providers' blockers report them, period by period.

A blocker (``robotrace blocker --token``, or an SBC's counters handed to it) sends what it
blocked in a period — per reason, under which authorization or final order — with its
provider's token. The portal stores each period once: a period sent again (the blocker did
not hear the answer) is recognised by (provider, blocker, start) and changes nothing, and a
period that overlaps another of the same blocker differently is refused, so no call is
counted twice. The sums are what the K4 notice to the FCC, the authorization's page and the
API show: calls blocked under an authorization by each provider that blocks under it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from robotrace.blocking.counts import check_row
from robotrace.clock import Clock, as_utc, format_utc
from robotrace.enforcement import records
from robotrace.enforcement.errors import EnforcementError, InvalidRequest
from robotrace.store import models

#: Rows one period may hold: every reason under every authorization a list names, and more.
MAX_ROWS = 10_000
#: Calls one row may count: a counter, not a place to store an arbitrary number.
MAX_CALLS = 10**12
#: How far ahead of the portal's clock a period may end (the blocker's clock may run ahead).
CLOCK_SKEW = timedelta(minutes=5)
_BLOCKER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@-]{0,99}")


@dataclass(frozen=True)
class CountIn:
    reason: str
    authorization_id: int | None
    order_id: int | None
    calls: int

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.reason, self.authorization_id or 0, self.order_id or 0)


@dataclass(frozen=True)
class PeriodIn:
    blocker: str
    start: datetime
    end: datetime
    rows: Sequence[CountIn]


@dataclass(frozen=True)
class BlockedTotal:
    """Calls one provider's blockers reported blocked for one reason under one authorization
    or order, over every period."""

    provider_key: str
    reason: str
    authorization_id: int | None
    order_id: int | None
    calls: int
    first: datetime  # the earliest period's start
    last: datetime  # the latest period's end


def record_period(
    session: Session,
    provider_id: int,
    period: PeriodIn,
    actor: str,
    clock: Clock,
    zone: str,
    user_id: int | None = None,
) -> tuple[models.BlockingReport, bool]:
    """Store a period of a provider's blocker; (the stored report, whether it is new). The
    same period again returns the stored one; an overlapping different one is refused. The
    K4 notices it changes are written again, their times in ``zone``."""
    start, end = as_utc(period.start), as_utc(period.end)
    _check(session, period, start, end, clock.now())
    stored = _stored(session, provider_id, period.blocker, start)
    if stored is not None:
        if as_utc(stored.period_end) == end and _rows_of(session, stored) == _sorted(period.rows):
            return stored, False
        raise EnforcementError(
            f"blocker {period.blocker!r} already reported another period starting "
            f"{format_utc(start)}"
        )
    _refuse_overlap(session, provider_id, period.blocker, start, end)
    report = models.BlockingReport(
        provider_id=provider_id,
        blocker=period.blocker,
        period_start=start,
        period_end=end,
        received_at=clock.now(),
        reported_by=user_id,
    )
    session.add(report)
    session.flush()
    for row in period.rows:
        session.add(
            models.BlockingCount(
                report_id=report.id,
                reason=row.reason,
                authorization_id=row.authorization_id,
                order_id=row.order_id,
                calls=row.calls,
            )
        )
    session.flush()
    provider = session.get(models.Provider, provider_id)
    records.audit(
        session,
        clock.now(),
        actor,
        "blocking.counted",
        provider.key if provider else None,
        blocker=period.blocker,
        period_start=format_utc(start),
        period_end=format_utc(end),
        calls=sum(row.calls for row in period.rows),
    )
    _refresh_notices(session, provider_id, {r.authorization_id for r in period.rows}, zone)
    return report, True


def _check(
    session: Session, period: PeriodIn, start: datetime, end: datetime, now: datetime
) -> None:
    if not _BLOCKER_NAME.fullmatch(period.blocker):
        raise InvalidRequest(
            "blocker must be 1-100 letters, digits and . _ : @ - (starting with a letter or digit)"
        )
    if not start < end:
        raise InvalidRequest("period_start must be before period_end")
    if end > now + CLOCK_SKEW:
        raise InvalidRequest(f"period_end {format_utc(end)} is in the future")
    if len(period.rows) > MAX_ROWS:
        raise InvalidRequest(f"at most {MAX_ROWS} rows per period")
    seen: set[tuple[str, int, int]] = set()
    for position, row in enumerate(period.rows, 1):
        try:
            check_row(row.reason, row.authorization_id, row.order_id, row.calls)
        except ValueError as exc:
            raise InvalidRequest(f"row {position}: {exc}") from None
        if row.calls > MAX_CALLS:
            raise InvalidRequest(f"row {position}: calls is more than {MAX_CALLS}")
        if row.key in seen:
            raise InvalidRequest(f"row {position}: the same reason, authorization and order twice")
        seen.add(row.key)
        _check_ids(session, position, row)


def _check_ids(session: Session, position: int, row: CountIn) -> None:
    try:
        if row.authorization_id is not None:
            records.action(session, row.authorization_id, records.AUTHORIZATION)
        if row.order_id is not None:
            records.action(session, row.order_id, records.FINAL_ORDER_KIND)
    except LookupError as exc:
        raise InvalidRequest(f"row {position}: {exc}") from None


def _stored(
    session: Session, provider_id: int, blocker: str, start: datetime
) -> models.BlockingReport | None:
    return session.scalar(
        select(models.BlockingReport).where(
            models.BlockingReport.provider_id == provider_id,
            models.BlockingReport.blocker == blocker,
            models.BlockingReport.period_start == start,
        )
    )


def _refuse_overlap(
    session: Session, provider_id: int, blocker: str, start: datetime, end: datetime
) -> None:
    other = session.scalar(
        select(models.BlockingReport).where(
            models.BlockingReport.provider_id == provider_id,
            models.BlockingReport.blocker == blocker,
            models.BlockingReport.period_start < end,
            models.BlockingReport.period_end > start,
        )
    )
    if other is not None:
        raise EnforcementError(
            f"the period overlaps blocker {blocker!r}'s period {format_utc(other.period_start)}"
            f" – {format_utc(other.period_end)}, already reported"
        )


def _rows_of(session: Session, report: models.BlockingReport) -> list[CountIn]:
    stored = session.scalars(
        select(models.BlockingCount).where(models.BlockingCount.report_id == report.id)
    )
    return _sorted(CountIn(c.reason, c.authorization_id, c.order_id, c.calls) for c in stored)


def _sorted(rows: Iterable[CountIn]) -> list[CountIn]:
    return sorted(rows, key=lambda row: row.key)


def _refresh_notices(
    session: Session, provider_id: int, authorizations: set[int | None], zone: str
) -> None:
    """Write the K4 notices of this provider under these authorizations again: they show the
    calls blocked."""
    from robotrace.enforcement import k4

    for authorization_id in authorizations - {None}:
        for notice in k4.notices(session, authorization_id, provider_id):
            k4.refresh_notice(session, notice, zone)


def totals(
    session: Session, authorization_id: int | None = None, provider_id: int | None = None
) -> list[BlockedTotal]:
    """The reported calls summed per provider, reason, authorization and order; of one
    authorization and/or one provider when given."""
    report, count = models.BlockingReport, models.BlockingCount
    query = (
        select(
            models.Provider.key,
            count.reason,
            count.authorization_id,
            count.order_id,
            func.sum(count.calls),
            func.min(report.period_start),
            func.max(report.period_end),
        )
        .join(report, report.id == count.report_id)
        .join(models.Provider, models.Provider.id == report.provider_id)
        .group_by(models.Provider.key, count.reason, count.authorization_id, count.order_id)
        .order_by(models.Provider.key, count.reason, count.authorization_id, count.order_id)
    )
    if authorization_id is not None:
        query = query.where(count.authorization_id == authorization_id)
    if provider_id is not None:
        query = query.where(report.provider_id == provider_id)
    return [
        BlockedTotal(key, reason, auth, order, int(calls), as_utc(first), as_utc(last))
        for key, reason, auth, order, calls, first, last in session.execute(query)
    ]


def calls_in(session: Session, report: models.BlockingReport) -> int:
    """Calls blocked in one reported period, all rows."""
    query = select(func.coalesce(func.sum(models.BlockingCount.calls), 0))
    return int(session.scalar(query.where(models.BlockingCount.report_id == report.id)) or 0)


def calls_under(session: Session, authorization_id: int, provider_id: int) -> int:
    """Calls one provider's blockers reported blocked under one authorization."""
    return sum(t.calls for t in totals(session, authorization_id, provider_id))
