"""Across a weekend the worker sends no reminder, no overdue notice and marks no hop
no_response before the business-day due time.

The request goes to AAAA (no address: robotrace's default zone, New York) on Friday 8 May
2020 at 18:00 EDT, after business hours. By the rule it counts as received on Monday
11 May at 08:00 EDT (12:00 UTC) and is due 24 hours later, Tuesday 12 May 12:00 UTC; the
reminder is 4 hours before that (reminder_hours) and no_response 1 hour after
(no_response_grace_hours). Worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from robotrace.accounts.users import create_user
from robotrace.clock import SimulatedClock
from robotrace.providers.store import upsert_providers
from robotrace.settings import Settings
from robotrace.store.db import transaction
from robotrace.traceback import service
from robotrace.traceback.model import Status
from robotrace.traceback.store import load_traceback
from robotrace.worker.loop import run_once
from tests.support import settings_policy

from .conftest import BASE_URL, CALL, PROVIDERS, USERS, Mailbox, World, first_hop_id

FRIDAY_EVENING = datetime(2020, 5, 8, 22, tzinfo=UTC)
DUE = datetime(2020, 5, 12, 12, tzinfo=UTC)


@pytest.fixture
def friday(engine: Engine, smtp: Mailbox, monkeypatch: pytest.MonkeyPatch) -> World:
    monkeypatch.setenv("ROBOTRACE_BASE_URL", BASE_URL)
    clock = SimulatedClock(FRIDAY_EVENING)
    with transaction(engine) as session:
        upsert_providers(session, PROVIDERS, clock)
        for address, role, key in USERS:
            create_user(session, address, role, None, key, clock=clock)
        tb = service.open_traceback(
            session, CALL, "AAAA", "coordinator:coord", clock, policy=settings_policy()
        )
    return World(engine, clock, tb.id, first_hop_id(engine, tb.id))


def status_of(world: World) -> Status:
    with transaction(world.engine) as session:
        return load_traceback(session, world.traceback_id).status


def test_the_request_is_due_tuesday_morning(friday):
    with transaction(friday.engine) as session:
        assert load_traceback(session, friday.traceback_id).hops[0].due_at == DUE


def test_the_request_says_the_due_time_for_people_in_the_providers_zone(friday, smtp):
    run_once(friday.engine, friday.clock, "w1", Settings.from_environ())
    body = smtp.to("noc@aaaa.example")[0].get_content()
    # 12:00 UTC is 08:00 EDT; the provider's zone is the display zone, so it is said once
    assert "Answer due:      12 May 2020, 08:00 EDT (America/New_York)" in body


def test_over_the_weekend_only_the_request_goes_out(friday, smtp):
    moments = [
        FRIDAY_EVENING + timedelta(hours=24, minutes=1),  # the old 24 wall-clock hours
        FRIDAY_EVENING + timedelta(hours=25, minutes=1),  # ... and their grace period
        datetime(2020, 5, 10, 23, tzinfo=UTC),  # Sunday evening
        datetime(2020, 5, 11, 12, tzinfo=UTC),  # Monday 08:00 EDT, deemed received
        DUE - timedelta(hours=4, seconds=1),  # just before the reminder
    ]
    marked = 0
    for moment in moments:
        friday.clock.set(moment)
        marked += run_once(
            friday.engine, friday.clock, "w1", Settings.from_environ()
        ).marked_no_response
    assert {kind for kind, _ in smtp.kinds()} == {"hop.requested"}
    assert marked == 0 and status_of(friday) is Status.OPEN


def test_the_reminder_overdue_notice_and_no_response_follow_the_due_time(friday, smtp):
    run_once(friday.engine, friday.clock, "w1", Settings.from_environ())
    smtp.clear()

    friday.clock.set(DUE - timedelta(hours=4))
    run_once(friday.engine, friday.clock, "w1", Settings.from_environ())
    assert {kind for kind, _ in smtp.kinds()} == {"hop.reminder"}
    smtp.clear()

    friday.clock.set(DUE)  # due, not yet past
    run_once(friday.engine, friday.clock, "w1", Settings.from_environ())
    assert smtp.kinds() == []

    friday.clock.set(DUE + timedelta(seconds=1))
    assert (
        run_once(friday.engine, friday.clock, "w1", Settings.from_environ()).marked_no_response == 0
    )
    assert ("hop.overdue", "coord@example.org") in smtp.kinds()

    friday.clock.set(DUE + timedelta(hours=1))
    assert (
        run_once(friday.engine, friday.clock, "w1", Settings.from_environ()).marked_no_response == 0
    )
    friday.clock.set(DUE + timedelta(hours=1, seconds=1))
    assert (
        run_once(friday.engine, friday.clock, "w1", Settings.from_environ()).marked_no_response == 1
    )
    assert status_of(friday) is Status.CLOSED
