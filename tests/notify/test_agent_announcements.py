"""Announcements to providers' agents: made where a request is stored, heard only once the
transaction commits (never after a rollback), and never a reason for a write to fail.

On SQLite they are heard in this process (``listen_locally``); on PostgreSQL through
``LISTEN robotrace_agents`` on a connection of the test's own (plain psycopg, not robotrace),
and the ids they carry are read back from the tables with SQL.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select, text

from robotrace.clock import SimulatedClock
from robotrace.notify import agents
from robotrace.notify.agents import Announcement, announce, listen_locally
from robotrace.providers.registry import Provider
from robotrace.providers.store import upsert_providers
from robotrace.settings import Settings
from robotrace.store import models
from robotrace.store.db import transaction
from robotrace.traceback import service
from robotrace.traceback.model import Answer, CallUnderTrace, SignerLead
from robotrace.traceback.workflow import Reply
from tests.support import settings_policy

T0 = datetime(2020, 5, 1, 12, 0, tzinfo=UTC)
CALL = CallUnderTrace("+12025550143", "+13125550199", datetime(2020, 4, 30, 15, 4, 5, tzinfo=UTC))
PROVIDERS = [Provider(key, f"{key} Telecom", ocns=(key,)) for key in ("AAAA", "BBBB", "CCCC")]
Heard = Callable[[], list[tuple[str, str, int]]]


@pytest.fixture
def heard(engine: Engine) -> Iterator[Heard]:
    """What the agents would hear from ``engine``'s database: (provider, kind, id)."""
    if engine.dialect.name == "sqlite":
        found: list[Announcement] = []
        stop = listen_locally(engine, found.append)

        def taken() -> list[tuple[str, str, int]]:
            said = [(a.provider, a.kind, a.id) for a in found]
            found.clear()
            return said

        yield taken
        stop()
        return
    import psycopg

    cargs, cparams = engine.dialect.create_connect_args(engine.url)
    with psycopg.connect(*cargs, **cparams, autocommit=True) as connection:
        connection.execute("LISTEN robotrace_agents")
        schema = connection.execute("SELECT current_schema()").fetchone()[0]  # type: ignore[index]

        def drain() -> list[tuple[str, str, int]]:
            payloads = [json.loads(n.payload) for n in connection.notifies(timeout=0.5)]
            # Other tests' schemas share the database, and the channel.
            ours = [p for p in payloads if p["schema"] == schema]
            return [(p["provider"], p["kind"], p["id"]) for p in ours]

        yield drain


@pytest.fixture
def clock(engine: Engine) -> SimulatedClock:
    clock = SimulatedClock(T0)
    with transaction(engine) as session:
        upsert_providers(session, PROVIDERS, clock)
    return clock


def hop_ids(engine: Engine, traceback_id: str) -> list[int]:
    with engine.connect() as connection:
        query = select(models.Hop.id).where(models.Hop.traceback_id == traceback_id)
        return list(connection.scalars(query.order_by(models.Hop.position)))


def test_opening_a_traceback_announces_the_first_hop_on_commit(engine, clock, heard):
    with transaction(engine) as session:
        tb = service.open_traceback(
            session, CALL, "AAAA", "coordinator:c", clock, policy=settings_policy()
        )
        assert heard() == []  # not before the commit
    assert heard() == [("AAAA", "hop", hop_ids(engine, tb.id)[0])]


def test_an_upstream_answer_announces_the_next_hop_to_the_upstream(engine, clock, heard):
    with transaction(engine) as session:
        tb = service.open_traceback(
            session, CALL, "AAAA", "coordinator:c", clock, policy=settings_policy()
        )
    heard()
    with transaction(engine) as session:
        reply = Reply(Answer.UPSTREAM, upstream="BBBB")
        service.answer_hop(
            session, tb.id, "AAAA", reply, "provider:a", clock, policy=settings_policy()
        )
    assert heard() == [("BBBB", "hop", hop_ids(engine, tb.id)[1])]


def test_an_origin_answer_announces_nothing(engine, clock, heard):
    with transaction(engine) as session:
        tb = service.open_traceback(
            session, CALL, "AAAA", "coordinator:c", clock, policy=settings_policy()
        )
    heard()
    with transaction(engine) as session:
        reply = Reply(Answer.ORIGIN, customer="Acme Outreach")
        service.answer_hop(
            session, tb.id, "AAAA", reply, "provider:a", clock, policy=settings_policy()
        )
    assert heard() == []


def test_asking_the_signer_announces_the_direct_request_once(engine, clock, heard):
    lead = SignerLead("CCCC", "A", "5c1a0e4e-6f0b-4d7e-9a53-1f2e3d4c5b6a")
    with transaction(engine) as session:
        tb = service.open_traceback(
            session, CALL, "AAAA", "coordinator:c", clock, signer=lead, policy=settings_policy()
        )
    heard()
    with transaction(engine) as session:
        service.request_signer(session, tb.id, "coordinator:c", clock, Settings.from_environ())
    first_hop = hop_ids(engine, tb.id)[0]  # a direct request's id (docs/api.md)
    assert heard() == [("CCCC", "signer", first_hop)]
    with transaction(engine) as session:  # saved again for another reason: no new request
        reply = Reply(Answer.UPSTREAM, upstream="BBBB")
        service.answer_hop(
            session, tb.id, "AAAA", reply, "provider:a", clock, policy=settings_policy()
        )
    assert ("CCCC", "signer", first_hop) not in heard()


def test_a_rolled_back_request_is_never_announced(engine, clock, heard):
    with pytest.raises(RuntimeError), transaction(engine) as session:
        service.open_traceback(
            session, CALL, "AAAA", "coordinator:c", clock, policy=settings_policy()
        )
        raise RuntimeError("the request fails after the hop was stored")
    with transaction(engine) as session:  # a later commit does not carry it either
        upsert_providers(session, [Provider("DDDD", "DDDD Telecom", ocns=("DDDD",))], clock)
    assert heard() == []


def test_a_hint_that_cannot_be_sent_is_logged_and_the_write_goes_on(
    engine, clock, heard, monkeypatch, caplog
):
    # On PostgreSQL an empty channel makes pg_notify fail; on SQLite a bad kind is refused.
    monkeypatch.setattr(agents, "CHANNEL", "")
    with (
        caplog.at_level(logging.WARNING, "robotrace.notify.agents"),
        transaction(engine) as session,
    ):
        tb = service.open_traceback(
            session, CALL, "AAAA", "coordinator:c", clock, policy=settings_policy()
        )
        announce(session, "AAAA", "no-such-kind", 1)
        session.execute(text("SELECT 1"))  # the transaction is still usable
    assert hop_ids(engine, tb.id)  # committed
    assert "could not announce no-such-kind 1 to AAAA's agents" in caplog.text
    if engine.dialect.name == "postgresql":
        assert "could not announce hop" in caplog.text  # pg_notify itself failed
        assert heard() == []
