"""Calls joining campaigns at once, each in its own connection and transaction (SQLite and
PostgreSQL): reports joining one existing campaign leave its call count and first and last seen
as if they had come one after another; two runs that each find the
same new script make one campaign, not an error or two campaigns."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from robotrace.campaigns.service import assign_calls, update_campaigns
from robotrace.clock import SimulatedClock
from robotrace.store import models
from robotrace.store.db import transaction
from tests.concurrency import at_once as run_at_once

from .builders import rendered

T0 = datetime(2020, 4, 1, 12, 0, tzinfo=UTC)
SSA_NUMBER = "8885550143"
THREADS = 4


def at_once(db_url: str, steps: list[Callable[[Session], object]]) -> list[object]:
    """The steps at once (:func:`tests.concurrency.at_once`); "done" for each that
    committed, or the exception it raised."""
    return [r if isinstance(r, Exception) else "done" for r in run_at_once(db_url, steps)]


def add_calls(engine, texts: Sequence[str], start: datetime, prefix: str) -> list[int]:
    with transaction(engine) as session:
        rows = [
            models.Call(
                source="honeypot",
                source_ref=f"{prefix}-{n:05d}",
                calling_number="+12025550143",
                calling_e164="+12025550143",
                called_number="+13125550100",
                called_e164="+13125550100",
                call_time=start + timedelta(minutes=n),
                transcript=text,
                imported_at=start,
            )
            for n, text in enumerate(texts)
        ]
        session.add_all(rows)
        session.flush()
        return [row.id for row in rows]


def stored_campaigns(engine) -> dict[str, tuple[int, int, datetime, datetime]]:
    """Per campaign: its stored call count, the calls that name it (SQL count), first and
    last seen."""
    with transaction(engine) as session:
        counted = dict(
            session.execute(
                select(models.Call.campaign_id, func.count())
                .where(models.Call.campaign_id.is_not(None))
                .group_by(models.Call.campaign_id)
            ).all()
        )
        return {
            c.id: (c.call_count, counted.get(c.id, 0), c.first_seen_at, c.last_seen_at)
            for c in session.scalars(select(models.Campaign))
        }


def unassigned(engine) -> int:
    with transaction(engine) as session:
        query = select(func.count()).where(models.Call.campaign_id.is_(None))
        return session.scalar(query)


@pytest.mark.parametrize("round_", range(3))
def test_reports_joining_one_campaign_at_once_are_all_counted(db_url, engine, round_):
    add_calls(engine, rendered("ssa_suspension", 12, SSA_NUMBER), T0, "old")
    with transaction(engine) as session:
        update_campaigns(session, SimulatedClock(T0))
    later = T0 + timedelta(days=3)
    call_ids = [
        add_calls(engine, rendered("ssa_suspension", 1, SSA_NUMBER, seed=n + 2), later, f"r{n}")[0]
        for n in range(THREADS)
    ]
    clock = SimulatedClock(later + timedelta(hours=1))
    steps = [
        lambda session, call_id=call_id: assign_calls(session, clock, [call_id], create=False)
        for call_id in call_ids
    ]
    results = at_once(db_url, steps)
    assert results == ["done"] * THREADS, results
    assert unassigned(engine) == 0
    ((stored, counted, first, last),) = stored_campaigns(engine).values()
    assert stored == counted == 12 + THREADS
    assert (first, last) == (T0, later)


@pytest.mark.parametrize("round_", range(3))
def test_two_runs_finding_the_same_new_script_make_one_campaign(db_url, engine, round_):
    texts = rendered("student_loans", 2 * THREADS, "8665550123")
    batches = [
        add_calls(engine, texts[n::THREADS], T0 + timedelta(hours=n), f"b{n}")
        for n in range(THREADS)
    ]
    clock = SimulatedClock(T0 + timedelta(days=1))
    steps = [lambda session, batch=batch: assign_calls(session, clock, batch) for batch in batches]
    results = at_once(db_url, steps)
    assert results == ["done"] * THREADS, results
    assert unassigned(engine) == 0
    found = stored_campaigns(engine)
    assert len(found) == 1, found
    ((stored, counted, *_),) = found.values()
    assert stored == counted == 2 * THREADS
