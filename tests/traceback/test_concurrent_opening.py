"""Tracebacks opened at once, each in its own connection and transaction, get distinct ids and
all survive: none fails on a taken id, none overwrites another (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from robotrace.clock import SimulatedClock
from robotrace.providers.registry import Provider
from robotrace.providers.store import upsert_providers
from robotrace.store import models
from robotrace.store.db import transaction
from robotrace.traceback import service
from robotrace.traceback.model import CallUnderTrace
from robotrace.traceback.workflow import WorkflowError
from tests.concurrency import at_once
from tests.support import settings_policy

OPENERS = 4
T0 = datetime(2020, 4, 30, 15, 4, tzinfo=UTC)


def call_of(index: int) -> CallUnderTrace:
    """A different call for each opener, so each traceback can be told apart."""
    return CallUnderTrace(f"+1202555{index:04d}", "+13125550199", T0 + timedelta(minutes=index))


def open_at_once(
    db_url: str, clock: SimulatedClock, stored_call: int | None = None
) -> list[object]:
    """Each thread opens a traceback of its own call, or all of the one ``stored_call``; the
    id each got, or its error."""

    def opening(index: int) -> Callable[[Session], object]:
        def open_one(session: Session) -> str:
            if stored_call is None:
                return service.open_traceback(
                    session, call_of(index), "AAAA", "c", clock, policy=settings_policy()
                ).id
            return service.open_traceback_for_call(
                session, stored_call, "c", clock, policy=settings_policy()
            ).id

        return open_one

    return at_once(db_url, [opening(i) for i in range(OPENERS)])


@pytest.mark.parametrize("round_", range(3))
def test_tracebacks_opened_at_once_get_distinct_ids_and_all_survive(db_url, engine, round_):
    clock = SimulatedClock(datetime(2020, 5, 1, tzinfo=UTC))
    with transaction(engine) as session:
        upsert_providers(session, [Provider("AAAA", "AAAA")], clock)
    results = open_at_once(db_url, clock)
    assert all(isinstance(r, str) for r in results), results
    assert len(set(results)) == OPENERS, results
    with transaction(engine) as session:
        stored = dict(
            session.execute(select(models.Traceback.id, models.Traceback.calling_number)).all()
        )
        first_hops = session.scalar(
            select(func.count()).select_from(models.Hop).where(models.Hop.position == 0)
        )
    assert {stored[r] for r in results} == {call_of(i).calling_number for i in range(OPENERS)}
    assert stored[results[0]] == call_of(0).calling_number
    assert first_hops == OPENERS


@pytest.mark.parametrize("round_", range(3))
def test_one_stored_call_opened_at_once_is_traced_once(db_url, engine, round_):
    clock = SimulatedClock(datetime(2020, 5, 1, tzinfo=UTC))
    with transaction(engine) as session:
        upsert_providers(session, [Provider("AAAA", "AAAA")], clock)
        aaaa = session.scalar(select(models.Provider.id).where(models.Provider.key == "AAAA"))
        call = models.Call(
            source="honeypot", source_ref="hp-1", calling_number="+12025550143",
            called_number="+13125550199", calling_e164="+12025550143",
            called_e164="+13125550199", call_time=T0, terminating_provider_id=aaaa,
            imported_at=T0,
        )  # fmt: skip
        session.add(call)
        session.flush()
        call_id = call.id
    results = open_at_once(db_url, clock, stored_call=call_id)
    opened = [r for r in results if isinstance(r, str)]
    refused = [r for r in results if not isinstance(r, str)]
    assert len(opened) == 1, results
    assert all(isinstance(r, WorkflowError) and "traced already" in str(r) for r in refused)
    with transaction(engine) as session:
        traced = session.scalars(
            select(models.Traceback.id).where(models.Traceback.call_id == call_id)
        ).all()
    assert traced == opened
