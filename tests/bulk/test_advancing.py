"""Moving calls on, in the store: answers drive it, the answer window ends it, and the dead
ends come out as ``robotrace paths`` names them — hand-built cases, on SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from robotrace.accounts.tokens import create_token
from robotrace.accounts.users import create_user
from robotrace.bulk.answers import (
    AnsweredAlready,
    BatchClosed,
    CallAnswer,
    UnknownPosition,
    expire_due_batches,
    record_answers,
)
from robotrace.bulk.results import bulk_paths
from robotrace.bulk.submit import Options, calls_of_rows, submit
from robotrace.clock import SimulatedClock
from robotrace.providers.registry import Provider
from robotrace.providers.store import upsert_providers
from robotrace.store import models

T0 = datetime(2020, 5, 1, 12, tzinfo=UTC)
AGENTS = ("TERM", "MID", "WHS")  # providers whose agents run; NONE has no user at all
WINDOW = timedelta(minutes=10)


@pytest.fixture
def world(session):
    clock = SimulatedClock(T0)
    providers = [Provider(k, f"{k} Telecom", ocns=(k,)) for k in (*AGENTS, "NONE")]
    upsert_providers(session, providers, clock)
    for key in AGENTS:
        user = create_user(session, f"noc@{key.lower()}.example", "provider", None, key)
        _, token = create_token(session, user, "agent", True, clock)
        token.last_used_at = T0 - timedelta(minutes=1)  # its agent polled a minute ago
    session.flush()
    return clock


def call(call_id: str, terminating: str, second: int = 0) -> dict[str, str]:
    return {
        "call_id": call_id,
        "called_number": f"+1312555{int(call_id[-2:]):04d}",
        "calling_number": "+12025550143",
        "call_time": f"2020-04-30T15:04:{second:02d}Z",
        "terminating_provider": terminating,
    }


def start(session, clock, calls, max_hops: int = 16) -> models.BulkTraceback:
    options = Options(int(WINDOW.total_seconds()), 5000, max_hops)
    return submit(session, calls_of_rows(calls), options, (None, "coordinator:test"), clock)


def open_batch(session, bulk_id: int, provider: str) -> models.BatchRequest:
    return session.scalars(
        select(models.BatchRequest).where(
            models.BatchRequest.bulk_id == bulk_id,
            models.BatchRequest.provider_key == provider,
            models.BatchRequest.status == "open",
        )
    ).one()


def positions(session, batch: models.BatchRequest) -> dict[str, int]:
    """call id → position in the batch."""
    rows = session.execute(
        select(models.BulkCall.call_id, models.BatchCall.position)
        .join(models.BatchCall, models.BatchCall.bulk_call_id == models.BulkCall.id)
        .where(models.BatchCall.batch_id == batch.id)
    )
    return dict(rows.all())


def upstream(position: int, to: str) -> CallAnswer:
    return CallAnswer(position, "upstream", upstream=to, delta_ms=120, calling_matched=True)


def ends(session, bulk_id: int) -> dict[str, tuple[str | None, str]]:
    rows = session.execute(
        select(models.BulkCall.call_id, models.BulkCall.end, models.BulkCall.path).where(
            models.BulkCall.bulk_id == bulk_id
        )
    )
    return {call_id: (end, path) for call_id, end, path in rows}


def test_a_provider_nobody_answers_for_ends_its_calls_at_once(session, world):
    bulk = start(session, world, [call("c-01", "NONE"), call("c-02", "GHOST")])
    assert ends(session, bulk.id) == {
        "c-01": ("no_records", "|NONE|"),
        "c-02": ("no_records", "|GHOST|"),
    }
    assert bulk.status == "done"
    assert session.scalars(select(models.BatchRequest)).all() == []


def test_a_token_not_used_for_a_week_is_no_agent(session, world):
    for token in session.scalars(select(models.ApiToken)):
        token.last_used_at = T0 - timedelta(days=8)
    bulk = start(session, world, [call("c-01", "TERM")])
    assert ends(session, bulk.id) == {"c-01": ("no_records", "|TERM|")}


def test_each_answer_moves_its_call_on_at_once_and_batches_the_next_provider(session, world):
    bulk = start(session, world, [call("c-01", "TERM"), call("c-02", "TERM", 30)])
    term = open_batch(session, bulk.id, "TERM")
    at = positions(session, term)
    # The first answer alone: its call goes straight on to MID, the other still waits.
    record_answers(session, term.id, [upstream(at["c-01"], "MID")], world)
    mid = open_batch(session, bulk.id, "MID")
    assert set(positions(session, mid)) == {"c-01"}
    # c-02 reaches MID while MID's batch is out: it waits for MID's next batch.
    done = record_answers(session, term.id, [upstream(at["c-02"], "MID")], world)
    assert (done.status, done.answered, done.calls) == ("answered", 2, 2)
    assert open_batch(session, bulk.id, "MID").id == mid.id
    record_answers(session, mid.id, [upstream(1, "TERM")], world)  # names a provider on the path
    second = open_batch(session, bulk.id, "MID")
    assert set(positions(session, second)) == {"c-02"}
    record_answers(
        session, second.id, [CallAnswer(1, "origin", customer="Acme", delta_ms=-40)], world
    )
    assert ends(session, bulk.id) == {
        "c-01": ("loop", "|TERM|MID|"),
        "c-02": ("origin", "|TERM|MID|"),
    }
    assert bulk.status == "done"


def test_an_upstream_named_at_the_hop_limit_ends_the_call_there(session, world):
    bulk = start(session, world, [call("c-01", "TERM")], max_hops=2)
    record_answers(session, open_batch(session, bulk.id, "TERM").id, [upstream(1, "MID")], world)
    record_answers(session, open_batch(session, bulk.id, "MID").id, [upstream(1, "WHS")], world)
    assert ends(session, bulk.id) == {"c-01": ("hop_limit", "|TERM|MID|")}
    found = bulk_paths(session, bulk.id).to_pylist()[0]
    assert (found["status"], found["path"], found["legs_found"]) == (
        "hop_limit",
        ["MID", "TERM"],
        2,
    )


def test_a_call_takes_one_answer_and_a_batch_none_after_its_window(session, world):
    bulk = start(session, world, [call("c-01", "TERM"), call("c-02", "TERM", 30)])
    term = open_batch(session, bulk.id, "TERM")
    record_answers(session, term.id, [CallAnswer(1, "not_found")], world)
    with pytest.raises(AnsweredAlready, match="position\\(s\\) 1 answered already"):
        record_answers(
            session, term.id, [CallAnswer(1, "not_found"), CallAnswer(2, "not_found")], world
        )
    with pytest.raises(UnknownPosition, match="no call at position\\(s\\) 3"):
        record_answers(session, term.id, [CallAnswer(3, "not_found")], world)
    world.advance(WINDOW)
    assert expire_due_batches(session, world) == (1, [bulk.id])
    with pytest.raises(BatchClosed):
        record_answers(session, term.id, [CallAnswer(2, "not_found")], world)


def test_the_window_passing_ends_the_unanswered_calls_and_silences_the_provider(session, world):
    calls = [call("c-01", "TERM"), call("c-02", "TERM", 20), call("c-03", "TERM", 40)]
    bulk = start(session, world, calls)
    term = open_batch(session, bulk.id, "TERM")
    at = positions(session, term)
    record_answers(session, term.id, [upstream(at["c-01"], "MID")], world)
    mid = open_batch(session, bulk.id, "MID")
    record_answers(session, mid.id, [CallAnswer(1, "not_found")], world)  # MID has records
    record_answers(session, term.id, [upstream(at["c-02"], "WHS")], world)
    world.advance(WINDOW - timedelta(seconds=1))
    assert expire_due_batches(session, world) == (0, [])  # not yet: the window is inclusive
    world.advance(timedelta(seconds=1))
    # TERM's batch (c-03 unanswered) and WHS's (c-02): every call has ended now.
    assert expire_due_batches(session, world) == (2, [bulk.id])
    assert ends(session, bulk.id)["c-03"] == ("no_records", "|TERM|")
    assert ends(session, bulk.id)["c-02"] == ("no_records", "|TERM|WHS|")
    found = {row["call_id"]: row for row in bulk_paths(session, bulk.id).to_pylist()}
    # TERM answered other calls, yet for c-03 it gave nothing: no_records, as for c-02 at WHS.
    assert {k: (r["status"], r["path"], r["dead_end_provider"]) for k, r in found.items()} == {
        "c-01": ("no_match", ["MID", "TERM"], "MID"),
        "c-02": ("no_records", ["WHS", "TERM"], "WHS"),
        "c-03": ("no_records", ["TERM"], "TERM"),
    }
    assert found["c-01"]["max_delta_ms"] == 120


def test_a_provider_that_let_its_window_pass_is_asked_nothing_more(session, world):
    bulk = start(session, world, [call("c-01", "TERM"), call("c-02", "MID")])
    mid = open_batch(session, bulk.id, "MID")
    term = open_batch(session, bulk.id, "TERM")
    record_answers(session, term.id, [upstream(1, "MID")], world)
    assert ends(session, bulk.id)["c-01"] == (None, "|TERM|MID|")  # waits: MID's batch is out
    world.advance(WINDOW)
    assert expire_due_batches(session, world) == (1, [bulk.id])  # MID never answered c-02
    # c-01 is not sent to MID in a new batch to wait out another window: it ends at once.
    assert ends(session, bulk.id) == {
        "c-01": ("no_records", "|TERM|MID|"),
        "c-02": ("no_records", "|MID|"),
    }
    batches = sorted(b.id for b in session.scalars(select(models.BatchRequest)))
    assert batches == sorted([mid.id, term.id])
