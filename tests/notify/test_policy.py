"""The worker marks hops silent past the grace period no_response, and the traceback closes."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from robotrace.settings import Settings
from robotrace.store import models
from robotrace.store.db import transaction
from robotrace.traceback.model import Answer, Outcome, Status
from robotrace.traceback.store import load_traceback
from robotrace.worker.loop import run_once

from .conftest import T0


def traceback_of(world):
    with transaction(world.engine) as session:
        return load_traceback(session, world.traceback_id)


def test_a_hop_silent_past_the_grace_period_is_marked_no_response(world, smtp):
    world.clock.set(T0 + timedelta(hours=25))  # overdue by exactly the grace period
    assert (
        run_once(world.engine, world.clock, "w1", Settings.from_environ()).marked_no_response == 0
    )
    assert traceback_of(world).status is Status.OPEN

    world.clock.advance(timedelta(seconds=1))
    assert (
        run_once(world.engine, world.clock, "w1", Settings.from_environ()).marked_no_response == 1
    )
    assert (
        run_once(world.engine, world.clock, "w1", Settings.from_environ()).marked_no_response == 0
    )

    tb = traceback_of(world)
    assert (tb.status, tb.outcome) == (Status.CLOSED, Outcome.NON_RESPONSIVE)
    assert tb.hops[0].answer is Answer.NO_RESPONSE
    with transaction(world.engine) as session:
        actors = session.scalars(
            select(models.AuditEvent.actor).where(models.AuditEvent.action == "hop.no_response")
        ).all()
    assert actors == ["policy:no_response"]


def test_the_overdue_notice_goes_out_even_when_the_policy_closes_the_traceback_at_once(
    world, smtp, monkeypatch
):
    monkeypatch.setenv("ROBOTRACE_NO_RESPONSE_GRACE_HOURS", "0")
    world.clock.set(T0 + timedelta(hours=24, minutes=1))
    counts = run_once(world.engine, world.clock, "w1", Settings.from_environ())

    assert counts.marked_no_response == 1
    assert ("hop.overdue", "coord@example.org") in smtp.kinds()


def test_with_the_policy_off_a_silent_hop_stays_open(world, smtp, monkeypatch):
    monkeypatch.setenv("ROBOTRACE_NO_RESPONSE_GRACE_HOURS", "off")
    world.clock.set(T0 + timedelta(days=30))
    assert (
        run_once(world.engine, world.clock, "w1", Settings.from_environ()).marked_no_response == 0
    )
    assert traceback_of(world).status is Status.OPEN
