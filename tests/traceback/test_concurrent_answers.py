"""Concurrent answers to the same hop, each in its own connection and transaction: exactly
one wins, the others are told the hop is answered, and the stored chain holds one answer and
one next hop (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from robotrace.clock import SimulatedClock
from robotrace.providers.registry import Provider
from robotrace.providers.store import upsert_providers
from robotrace.store import models
from robotrace.store.db import make_engine, transaction
from robotrace.traceback import service
from robotrace.traceback.model import Answer, CallUnderTrace
from robotrace.traceback.workflow import Reply, WorkflowError
from tests.support import settings_policy

CALL = CallUnderTrace("+12025550143", "+13125550199", datetime(2020, 4, 30, 15, 4, tzinfo=UTC))
UPSTREAMS = ["BBBB", "CCCC", "DDDD", "EEEE"]


def answer_at_once(db_url: str, traceback_id: str, clock: SimulatedClock) -> list[object]:
    """Each thread answers AAAA's hop naming another upstream; what each got."""
    barrier = threading.Barrier(len(UPSTREAMS))
    results: list[object] = [None] * len(UPSTREAMS)

    def answer(index: int) -> None:
        engine = make_engine(db_url)
        try:
            barrier.wait()
            with transaction(engine) as session:
                reply = Reply(Answer.UPSTREAM, upstream=UPSTREAMS[index])
                service.answer_hop(
                    session,
                    traceback_id,
                    "AAAA",
                    reply,
                    "provider:a",
                    clock,
                    policy=settings_policy(),
                )
            results[index] = "won"
        except Exception as exc:  # every outcome is recorded and checked below
            results[index] = exc
        finally:
            engine.dispose()

    threads = [threading.Thread(target=answer, args=(i,)) for i in range(len(UPSTREAMS))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.parametrize("round_", range(3))
def test_exactly_one_concurrent_answer_wins(db_url, engine, round_):
    clock = SimulatedClock(datetime(2020, 5, 1, tzinfo=UTC))
    with transaction(engine) as session:
        upsert_providers(session, [Provider(o, o) for o in ["AAAA", *UPSTREAMS]], clock)
        traceback_id = service.open_traceback(
            session, CALL, "AAAA", "c", clock, policy=settings_policy()
        ).id
    results = answer_at_once(db_url, traceback_id, clock)
    assert results.count("won") == 1, results
    losers = [r for r in results if r != "won"]
    assert all(isinstance(r, WorkflowError) for r in losers), losers
    winner = UPSTREAMS[results.index("won")]
    with transaction(engine) as session:
        hops = session.scalars(
            select(models.Hop)
            .where(models.Hop.traceback_id == traceback_id)
            .order_by(models.Hop.position)
        ).all()
        upstream = session.get(models.Provider, hops[0].upstream_provider_id)
        asked = session.get(models.Provider, hops[1].provider_id)
        answers = session.scalars(
            select(models.AuditEvent.action).where(models.AuditEvent.traceback_id == traceback_id)
        ).all()
    assert len(hops) == 2 and hops[0].answer == Answer.UPSTREAM
    assert upstream.key == asked.key == winner
    assert answers.count("hop.answered") == 1, answers
