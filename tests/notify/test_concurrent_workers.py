"""Several workers at once: every message is sent exactly once; claims expire."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import select

from robotrace.notify.outbox import claim, enqueue
from robotrace.settings import Settings
from robotrace.store import models
from robotrace.store.db import make_engine, transaction
from robotrace.worker.loop import run_once
from robotrace.worker.policy import mark_one

from .conftest import T0

MESSAGES = 120


def queue_many(world, count):
    with transaction(world.engine) as session:
        for n in range(count):
            payload = {"link": f"https://portal.example/r/{n}", "name": f"user {n}"}
            target = f"user{n}@example.net"
            enqueue(session, "email", target, "password.reset", payload, f"pr:{n}", world.clock)


def in_threads(count, work):
    barrier = threading.Barrier(count)
    errors = []

    def run(index):
        try:
            barrier.wait()
            work(index)
        except Exception as exc:  # surfaced below, with the thread's error
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_two_workers_send_each_of_many_notifications_exactly_once(world, smtp, db_url):
    queue_many(world, MESSAGES)
    sent = [0, 0]

    def worker(index):
        engine = make_engine(db_url)
        try:
            while (
                counts := run_once(engine, world.clock, f"w{index}", Settings.from_environ())
            ).sent:
                sent[index] += counts.sent
        finally:
            engine.dispose()

    in_threads(2, worker)

    resets = [m for m in smtp.messages if m["X-Robotrace-Kind"] == "password.reset"]
    assert len(resets) == MESSAGES
    assert len({m["Message-ID"] for m in resets}) == MESSAGES
    assert sum(sent) == MESSAGES + 2  # and the hop request to AAAA's two addresses
    with transaction(world.engine) as session:
        statuses = set(session.scalars(select(models.Notification.status)))
    assert statuses == {"sent"}


def test_a_claimed_notification_is_not_claimed_again_until_the_claim_expires(world):
    queue_many(world, 1)
    with transaction(world.engine) as session:
        note_id = session.scalar(select(models.Notification.id))

    claim_seconds = Settings.from_environ().notify_claim_seconds
    assert claim(world.engine, note_id, "crashed-worker", T0, claim_seconds)
    assert not claim(world.engine, note_id, "w2", T0 + timedelta(seconds=299), claim_seconds)
    assert claim(world.engine, note_id, "w2", T0 + timedelta(seconds=301), claim_seconds)


def test_queueing_the_same_message_twice_keeps_one(world):
    with transaction(world.engine) as session:
        args = ("email", "a@example.net", "password.reset", {}, "same-key", world.clock)
        assert enqueue(session, *args)
        assert not enqueue(session, *args)


def test_two_workers_mark_a_silent_hop_no_response_once(world, db_url):
    world.clock.set(T0 + timedelta(hours=26))
    marked = []

    def policy(_index):
        engine = make_engine(db_url)
        try:
            marked.append(mark_one(engine, world.traceback_id, world.clock))
        finally:
            engine.dispose()

    in_threads(2, policy)

    assert sorted(marked) == [False, True]
    with transaction(world.engine) as session:
        events = session.scalars(
            select(models.AuditEvent.action).where(models.AuditEvent.action == "hop.no_response")
        ).all()
    assert events == ["hop.no_response"]
