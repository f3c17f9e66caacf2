"""Each worker pass forgets sign-in and reset attempts older than a day, and only those."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from robotrace.clock import SimulatedClock
from robotrace.settings import Settings
from robotrace.store import models
from robotrace.store.db import transaction, upgrade
from robotrace.worker.loop import run_once

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def test_a_pass_deletes_attempts_older_than_a_day_and_keeps_the_rest(engine, monkeypatch):
    monkeypatch.setenv("ROBOTRACE_NO_RESPONSE_GRACE_HOURS", "off")
    upgrade(engine)
    ages = {"ip:a": 25 * 60, "ip:b": 24 * 60 + 1, "ip:c": 24 * 60 - 1, "ip:d": 14, "ip:e": 0}
    with transaction(engine) as session:
        for key, minutes in ages.items():
            at = NOW - timedelta(minutes=minutes)
            session.add(models.LoginAttempt(key=key, at=at, succeeded=False))

    counts = run_once(engine, SimulatedClock(NOW), "w1", Settings.from_environ())

    with transaction(engine) as session:
        kept = set(session.scalars(select(models.LoginAttempt.key)))
    assert kept == {"ip:c", "ip:d", "ip:e"}
    assert counts.attempts_forgotten == 2
