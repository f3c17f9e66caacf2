"""What each enforcement step changed: the named campaigns' complaints and calls in equal
windows before and after it (docs/statistics.md#enforcement-effects).

An *event* is a warning letter (at ``issued_at``) or a block authorization (at its
``effective_at``). Its campaigns are the ones the letter names; an authorization names those of
the letter it rests on (``no_direct_traffic`` rests on none, so it has no campaigns and no
figures). For each event and side — ``[at − w, at)`` before, ``[at, at + w)`` after — it counts:

- ``complaints``: stored complaints about a number of the campaigns (the campaign's call-back
  numbers and caller IDs, matched as :mod:`robotrace.campaigns.complaints` matches them),
  placed at the time of the call the consumer gives, else the time they filed; a complaint
  that matches two of the event's campaigns counts once;
- ``calls``: calls of the campaigns in the evidence (honeypots, SIP captures, imports);
- ``traced_calls``: tracebacks of calls of the campaigns made in the window.

The window is ``w`` (seven days by default) unless less time has passed since the event: then
both sides shrink to the time that has passed (``window_hours``, ``complete`` false), so the
two sides are always equally long.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from robotrace.campaigns.complaints import campaign_numbers
from robotrace.cdr.duck import connect
from robotrace.clock import as_utc, format_utc
from robotrace.enforcement import records
from robotrace.evidence.analytics import complaints_relation
from robotrace.store import models
from robotrace.traceback.model import Outcome

DEFAULT_WINDOW = timedelta(days=7)
BEFORE, AFTER = "before", "after"
FIGURES = ("complaints", "calls", "traced_calls")


@dataclass(frozen=True)
class Side:
    complaints: int = 0
    calls: int = 0
    traced_calls: int = 0

    def minus(self, other: Side) -> Side:
        return Side(*(getattr(self, f) - getattr(other, f) for f in FIGURES))

    def as_dict(self) -> dict[str, int]:
        return {f: getattr(self, f) for f in FIGURES}


@dataclass(frozen=True)
class Effect:
    """One enforcement event and its named campaigns' figures before and after it."""

    action_id: int
    kind: str
    status: str
    key: str
    provider: str
    at: datetime
    campaigns: tuple[str, ...]
    window_hours: float
    complete: bool
    before: Side
    after: Side

    @property
    def difference(self) -> Side:
        return self.after.minus(self.before)

    def relative(self, figure: str) -> float | None:
        """The change of ``figure`` as a fraction of the before side (None from zero)."""
        before = getattr(self.before, figure)
        return None if before == 0 else getattr(self.difference, figure) / before

    def as_dict(self) -> dict[str, Any]:
        return {
            "action_id": self.action_id,
            "kind": self.kind,
            "status": self.status,
            "key": self.key,
            "provider": self.provider,
            "at": format_utc(self.at),
            "campaigns": list(self.campaigns),
            "window_hours": round(self.window_hours, 3),
            "complete": self.complete,
            BEFORE: self.before.as_dict(),
            AFTER: self.after.as_dict(),
            "difference": self.difference.as_dict(),
            "relative": {f: self.relative(f) for f in FIGURES},
        }


@dataclass(frozen=True)
class _Event:
    action_id: int
    kind: str
    status: str
    key: str
    provider: str
    at: datetime
    campaigns: tuple[str, ...]
    window: timedelta

    def side(self, which: str) -> tuple[datetime, datetime]:
        if which == BEFORE:
            return self.at - self.window, self.at
        return self.at, self.at + self.window


def enforcement_effects(
    session: Session,
    analytics_dir: str | Path,
    now: datetime,
    window: timedelta = DEFAULT_WINDOW,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[Effect]:
    """The effect of every letter and authorization issued (at) in ``[start, end)`` and not
    after ``now``, oldest first."""
    if window <= timedelta(0):
        raise ValueError("the window must be longer than zero")
    events = _events(session, as_utc(now), window, start, end)
    complaints = _complaint_counts(session, analytics_dir, events)
    effects = []
    for event in events:
        sides = {
            which: Side(
                complaints.get((event.action_id, which), 0),
                _in_window(session, models.Call, event, which),
                _in_window(session, models.Traceback, event, which),
            )
            for which in (BEFORE, AFTER)
        }
        effects.append(
            Effect(
                event.action_id,
                event.kind,
                event.status,
                event.key,
                event.provider,
                event.at,
                event.campaigns,
                event.window.total_seconds() / 3600,
                event.window == window,
                sides[BEFORE],
                sides[AFTER],
            )
        )
    return effects


def _events(
    session: Session,
    now: datetime,
    window: timedelta,
    start: datetime | None,
    end: datetime | None,
) -> list[_Event]:
    action = models.EnforcementAction
    rows = session.execute(
        select(action, models.Provider.key, models.Provider.business_name)
        .join(models.Provider, action.provider_id == models.Provider.id)
        .where(action.kind.in_([records.LETTER, records.AUTHORIZATION]))
        .where(action.issued_at.is_not(None))
        .order_by(action.id)
    ).all()
    letters = {row.id: row for row, _, _ in rows if row.kind == records.LETTER}
    events = []
    for row, key, name in rows:
        at = as_utc(row.effective_at or row.issued_at)
        if at > now or (start and at < as_utc(start)) or (end and at >= as_utc(end)):
            continue
        named = row.named_campaigns
        if row.kind == records.AUTHORIZATION and not named and row.letter_id in letters:
            named = letters[row.letter_id].named_campaigns
        events.append(
            _Event(
                row.id,
                str(row.kind),
                row.status,
                key,
                name,
                at,
                tuple(sorted(set(named or ()))),
                min(window, now - at),
            )
        )
    return sorted(events, key=lambda e: (e.at, e.action_id))


def _complaint_counts(
    session: Session, analytics_dir: str | Path, events: Sequence[_Event]
) -> dict[tuple[int, str], int]:
    """Distinct complaints per (event, side) about a number of the event's campaigns."""
    named = sorted({c for e in events for c in e.campaigns})
    numbers = campaign_numbers(session, named) if named else None
    if numbers is None or numbers.num_rows == 0:
        return {}
    windows = [
        (e.action_id, which, c, *e.side(which))
        for e in events
        if e.window > timedelta(0)
        for c in e.campaigns
        for which in (BEFORE, AFTER)
    ]
    connection = connect()
    try:
        connection.register("campaign_numbers", numbers)
        connection.register(
            "windows",
            pa.table(
                {
                    "action_id": [w[0] for w in windows],
                    "side": [w[1] for w in windows],
                    "campaign_id": [w[2] for w in windows],
                    "since": pa.array([w[3] for w in windows], pa.timestamp("us", tz="UTC")),
                    "until": pa.array([w[4] for w in windows], pa.timestamp("us", tz="UTC")),
                }
            ),
        )
        complaints = complaints_relation(analytics_dir)
        matches = " UNION ALL ".join(
            f"SELECT n.campaign_id, c.row_key, coalesce(c.violation_at, c.created_at) AS at "
            f"FROM {complaints} AS c JOIN campaign_numbers n ON c.{column} = n.key"
            for column in ("company_key", "advertiser_key")
        )
        rows = connection.sql(
            f"""SELECT w.action_id, w.side, count(DISTINCT m.row_key)
                FROM ({matches}) AS m
                JOIN windows w ON w.campaign_id = m.campaign_id
                 AND m.at >= w.since AND m.at < w.until
                GROUP BY w.action_id, w.side"""
        ).fetchall()
    finally:
        connection.close()
    return {(int(action_id), str(side)): int(count) for action_id, side, count in rows}


def _in_window(
    session: Session, model: type[models.Call] | type[models.Traceback], event: _Event, which: str
) -> int:
    """Rows of ``model`` (calls, or tracebacks by their call's time) of the event's campaigns
    in one side's window."""
    if not event.campaigns or event.window <= timedelta(0):
        return 0
    since, until = event.side(which)
    query = (
        select(func.count())
        .select_from(model)
        .where(model.campaign_id.in_(event.campaigns))
        .where(model.call_time >= since, model.call_time < until)
    )
    if model is models.Traceback:  # a withdrawn traceback (opened by mistake) counts nothing
        outcome = models.Traceback.outcome
        query = query.where(or_(outcome.is_(None), outcome != Outcome.WITHDRAWN))
    return int(session.scalar(query) or 0)
