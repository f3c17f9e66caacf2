"""Delivery that fails is retried with exponential backoff, then marked failed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from robotrace.notify.outbox import backoff, enqueue
from robotrace.settings import Settings
from robotrace.store import models
from robotrace.store.db import transaction
from robotrace.worker.loop import run_once
from tests.support import free_port

from .conftest import T0, add_webhook


@pytest.fixture
def three_attempts(monkeypatch):
    monkeypatch.setenv("ROBOTRACE_NOTIFY_MAX_ATTEMPTS", "3")
    monkeypatch.setenv("ROBOTRACE_NOTIFY_BACKOFF_SECONDS", "60")


def rows(world, channel="email"):
    with transaction(world.engine) as session:
        query = select(models.Notification).where(models.Notification.channel == channel)
        return session.scalars(query.order_by(models.Notification.id)).all()


def test_backoff_doubles_after_each_failure():
    assert [backoff(n, 60).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]


def test_an_unreachable_smtp_server_is_retried_with_backoff_and_then_failed(
    world, smtp, monkeypatch, three_attempts
):
    monkeypatch.setenv("ROBOTRACE_SMTP_PORT", str(free_port()))  # nothing listens there
    assert run_once(world.engine, world.clock, "w1", Settings.from_environ()).retrying == 2
    first = rows(world)[0]
    assert (first.status, first.attempts) == ("pending", 1)
    assert first.next_attempt_at == T0 + timedelta(seconds=60)
    assert "SMTP" in first.last_error and "Connection" in first.last_error

    world.clock.advance(timedelta(seconds=59))
    assert (
        run_once(world.engine, world.clock, "w1", Settings.from_environ()).retrying == 0
    )  # not due yet
    world.clock.advance(timedelta(seconds=1))
    assert run_once(world.engine, world.clock, "w1", Settings.from_environ()).retrying == 2
    assert rows(world)[0].next_attempt_at == T0 + timedelta(seconds=60 + 120)
    world.clock.advance(timedelta(seconds=120))
    assert run_once(world.engine, world.clock, "w1", Settings.from_environ()).failed == 2
    world.clock.advance(timedelta(hours=1))
    run_once(world.engine, world.clock, "w1", Settings.from_environ())

    assert {(r.status, r.attempts) for r in rows(world)} == {("failed", 3)}
    assert smtp.messages == []


def test_a_message_that_failed_once_is_delivered_when_the_server_is_back(
    world, smtp, monkeypatch, three_attempts
):
    monkeypatch.setenv("ROBOTRACE_SMTP_PORT", str(free_port()))
    run_once(world.engine, world.clock, "w1", Settings.from_environ())
    monkeypatch.setenv("ROBOTRACE_SMTP_PORT", str(smtp.port))  # the server is back
    world.clock.advance(timedelta(seconds=60))

    assert run_once(world.engine, world.clock, "w1", Settings.from_environ()).sent == 2
    assert {(r.status, r.attempts) for r in rows(world)} == {("sent", 2)}
    assert len(smtp.messages) == 2


def test_an_unreachable_or_failing_webhook_is_retried_and_then_failed(
    world, smtp, receiver, three_attempts
):
    add_webhook(world, f"http://127.0.0.1:{free_port()}/gone", "AAAA")
    add_webhook(world, receiver.url, "AAAA")
    receiver.fail_with = 500
    for _ in range(3):
        run_once(world.engine, world.clock, "w1", Settings.from_environ())
        world.clock.advance(timedelta(minutes=5))

    hooks = rows(world, "webhook")
    assert [(r.status, r.attempts) for r in hooks] == [("failed", 3), ("failed", 3)]
    assert "ConnectError" in hooks[0].last_error
    assert hooks[1].last_error.endswith("HTTP 500")
    assert len(receiver.deliveries) == 3


def test_a_message_of_an_unknown_kind_fails_at_once(world, smtp):
    with transaction(world.engine) as session:
        enqueue(session, "email", "ops@aaaa.example", "no.such.kind", {}, "x:1", world.clock)
        enqueue(session, "pigeon", "roof", "hop.requested", {}, "x:2", world.clock)
    run_once(world.engine, world.clock, "w1", Settings.from_environ())

    with transaction(world.engine) as session:
        failed = session.scalars(
            select(models.Notification).where(models.Notification.dedupe_key.like("x:%"))
        ).all()
    assert [(r.status, r.attempts) for r in failed] == [("failed", 1), ("failed", 1)]
    assert "no e-mail template" in failed[0].last_error
    assert "no notification channel 'pigeon'" in failed[1].last_error
