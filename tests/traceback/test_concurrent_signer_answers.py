"""A signer answering its direct request from several places at once (portal, API, agent),
each in its own connection and transaction: exactly one answer wins, the others are told it
was answered, and the store holds one answer and one closing (SQLite and PostgreSQL). Also a
signer's origin answer landing while the hop chain's own origin answer does: one closing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from robotrace.clock import SimulatedClock
from robotrace.providers.registry import Provider
from robotrace.providers.store import upsert_providers
from robotrace.settings import Settings
from robotrace.store import models
from robotrace.store.db import transaction
from robotrace.traceback import service
from robotrace.traceback.model import Answer, CallUnderTrace, SignerLead
from robotrace.traceback.workflow import Reply, WorkflowError
from tests.concurrency import at_once as run_at_once
from tests.support import settings_policy

CALL = CallUnderTrace("+12025550143", "+13125550199", datetime(2020, 4, 30, 15, 4, tzinfo=UTC))
ORIGID = "5b0e7c1e-4a53-4f57-9d51-0c2b8a3f6e11"
CUSTOMERS = ["Acme Outreach", "Acme Outreach LLC", "Best Leads", "Call Blasters"]


def at_once(db_url: str, steps: list[Callable[[Session], object]]) -> list[object]:
    """The steps at once (:func:`tests.concurrency.at_once`); "won" for each that
    committed, or the exception it raised."""
    return [r if isinstance(r, Exception) else "won" for r in run_at_once(db_url, steps)]


def asked_signer(engine, clock) -> str:
    """TERM's traceback of a call signed (A) by ORIG, with ORIG asked directly."""
    with transaction(engine) as session:
        upsert_providers(session, [Provider(o, o, ocns=(o,)) for o in ["TERM", "ORIG"]], clock)
        lead = SignerLead("ORIG", "A", ORIGID)
        tb = service.open_traceback(
            session, CALL, "TERM", "c", clock, signer=lead, policy=settings_policy()
        )
        service.request_signer(session, tb.id, "coordinator:ann", clock, Settings.from_environ())
    return tb.id


def audit_counts(engine, traceback_id: str) -> dict[str, int]:
    with transaction(engine) as session:
        rows = session.execute(
            select(models.AuditEvent.action, func.count())
            .where(models.AuditEvent.traceback_id == traceback_id)
            .group_by(models.AuditEvent.action)
        )
        return dict(rows.all())


@pytest.mark.parametrize("round_", range(3))
def test_exactly_one_concurrent_signer_answer_wins(db_url, engine, round_):
    clock = SimulatedClock(datetime(2020, 5, 1, tzinfo=UTC))
    traceback_id = asked_signer(engine, clock)
    steps = [
        lambda session, customer=customer: service.answer_signer(
            session, traceback_id, "ORIG", Reply(Answer.ORIGIN, customer=customer), "p", clock
        )
        for customer in CUSTOMERS
    ]
    results = at_once(db_url, steps)
    assert results.count("won") == 1, results
    losers = [r for r in results if r != "won"]
    assert all(isinstance(r, WorkflowError) for r in losers), losers
    with transaction(engine) as session:
        stored = session.get(models.Traceback, traceback_id)
        customer, status = stored.signer_customer, stored.status
    assert customer == CUSTOMERS[results.index("won")] and status == "closed"
    counts = audit_counts(engine, traceback_id)
    assert (counts["signer.answered"], counts["traceback.closed"]) == (1, 1), counts


@pytest.mark.parametrize("round_", range(3))
def test_a_signer_answer_and_a_hop_answer_at_once_close_the_traceback_once(db_url, engine, round_):
    clock = SimulatedClock(datetime(2020, 5, 1, tzinfo=UTC))
    traceback_id = asked_signer(engine, clock)
    origin = Reply(Answer.ORIGIN, customer="Acme Outreach")
    results = at_once(
        db_url,
        [
            lambda s: service.answer_signer(s, traceback_id, "ORIG", origin, "p:ORIG", clock),
            lambda s: service.answer_hop(
                s, traceback_id, "TERM", origin, "p:TERM", clock, policy=settings_policy()
            ),
        ],
    )
    assert results == ["won", "won"], results
    with transaction(engine) as session:
        hops = session.scalar(
            select(func.count()).where(
                models.Hop.traceback_id == traceback_id, models.Hop.answer.is_not(None)
            )
        )
        stored = session.get(models.Traceback, traceback_id)
        outcome, signer_answer = stored.outcome, stored.signer_answer
    assert (hops, outcome, signer_answer) == (1, "origin_identified", "origin")
    counts = audit_counts(engine, traceback_id)
    assert counts["traceback.closed"] == 1, counts
    assert counts["signer.answered"] == counts["hop.answered"] == 1, counts
