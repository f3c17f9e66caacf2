"""Hop requests, reminders, overdue notices and password resets reach a real SMTP server."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from robotrace.notify.outbox import enqueue
from robotrace.settings import Settings
from robotrace.store import models
from robotrace.store.db import transaction
from robotrace.traceback import service
from robotrace.traceback.model import Answer
from robotrace.traceback.workflow import Reply
from robotrace.worker.loop import run_once
from tests.support import settings_policy

from .conftest import BASE_URL, T0

PROVIDER_AAAA = ["noc@aaaa.example", "ops@aaaa.example"]


def test_a_new_hop_request_is_mailed_to_the_providers_contact_and_active_users(world, smtp):
    counts = run_once(world.engine, world.clock, "w1", Settings.from_environ())

    assert counts.sent == 2
    assert smtp.kinds() == [("hop.requested", a) for a in PROVIDER_AAAA]
    message = smtp.to("ops@aaaa.example")[0]
    assert message["Subject"] == (
        f"Traceback request #{world.hop_id}: please answer by 6 May 2020, 08:00 EDT"  # 12:00 UTC
    )
    assert message["From"] == "robotrace <robotrace@portal.example>"
    body = message.get_content()
    assert f"{BASE_URL}/inbox/{world.hop_id}" in body
    assert "+12025550143" in body and "+13125550199" in body
    assert "30 Apr 2020, 11:04:05 EDT" in body  # the call, 15:04:05 UTC, to the second


def test_the_reminder_goes_out_once_four_hours_before_the_due_time(world, smtp):
    run_once(world.engine, world.clock, "w1", Settings.from_environ())
    smtp.clear()
    world.clock.set(T0 + timedelta(hours=19, minutes=59))
    assert run_once(world.engine, world.clock, "w1", Settings.from_environ()).sent == 0

    world.clock.set(T0 + timedelta(hours=20))
    run_once(world.engine, world.clock, "w1", Settings.from_environ())
    world.clock.advance(timedelta(minutes=30))
    run_once(world.engine, world.clock, "w1", Settings.from_environ())

    assert smtp.kinds() == [("hop.reminder", a) for a in PROVIDER_AAAA]
    assert smtp.to("noc@aaaa.example")[0]["Subject"].startswith(
        f"Reminder: traceback request #{world.hop_id} is due 6 May 2020, 08:00 EDT"
    )


def test_the_overdue_notice_reaches_the_provider_and_the_coordinators_once(world, smtp):
    run_once(world.engine, world.clock, "w1", Settings.from_environ())
    smtp.clear()
    world.clock.set(T0 + timedelta(hours=24))
    run_once(world.engine, world.clock, "w1", Settings.from_environ())
    assert [k for k, _ in smtp.kinds()] == ["hop.reminder", "hop.reminder"]  # not overdue yet
    smtp.clear()

    world.clock.set(T0 + timedelta(hours=24, seconds=1))
    run_once(world.engine, world.clock, "w1", Settings.from_environ())
    world.clock.advance(timedelta(minutes=10))
    run_once(world.engine, world.clock, "w1", Settings.from_environ())

    assert smtp.kinds() == [("hop.overdue", a) for a in ["coord@example.org", *PROVIDER_AAAA]]
    to_coordinator = smtp.to("coord@example.org")[0]
    assert to_coordinator["Subject"] == (
        "Overdue: traceback request TB-000001 to Alpha Local Telco (AAAA)"
    )
    assert f"{BASE_URL}/tracebacks/TB-000001" in to_coordinator.get_content()
    assert f"{BASE_URL}/inbox/{world.hop_id}" in smtp.to("ops@aaaa.example")[0].get_content()


def test_a_worker_started_late_sends_the_request_and_the_overdue_notice_but_no_reminder(
    world, smtp
):
    world.clock.set(T0 + timedelta(hours=30))
    run_once(world.engine, world.clock, "w1", Settings.from_environ())

    kinds = smtp.kinds()
    assert ("hop.requested", "ops@aaaa.example") in kinds
    assert ("hop.overdue", "coord@example.org") in kinds
    assert not [k for k in kinds if k[0] == "hop.reminder"]


def test_an_answered_hop_gets_no_reminder_and_the_next_provider_gets_its_request(world, smtp):
    run_once(world.engine, world.clock, "w1", Settings.from_environ())
    world.clock.advance(timedelta(hours=2))
    with transaction(world.engine) as session:
        reply = Reply(Answer.UPSTREAM, upstream="BBBB")
        service.answer_hop(
            session,
            world.traceback_id,
            "AAAA",
            reply,
            "provider:noc",
            world.clock,
            policy=settings_policy(),
        )
    smtp.clear()

    world.clock.set(T0 + timedelta(hours=21))
    run_once(world.engine, world.clock, "w1", Settings.from_environ())

    assert smtp.kinds() == [("hop.requested", "noc@bbbb.example")]
    told = smtp.to("noc@bbbb.example")[0]
    # the provider is told its request, never the traceback or its place in the chain
    assert "TB-" not in told["Subject"] + told.get_content()
    assert "(hop 2)" not in told.get_content() and "/inbox/" in told.get_content()


def test_a_password_reset_queued_by_the_portal_is_mailed(world, smtp):
    link = f"{BASE_URL}/password-reset/abc.def"
    with transaction(world.engine) as session:
        payload = {"link": link, "name": "Olive"}
        enqueue(
            session, "email", "ops@aaaa.example", "password.reset", payload, "pr:1", world.clock
        )
    run_once(world.engine, world.clock, "w1", Settings.from_environ())

    message = next(m for m in smtp.to("ops@aaaa.example") if m["Subject"].startswith("Reset"))
    assert message["Subject"] == "Reset your robotrace password"
    assert "Hello Olive," in message.get_content()
    assert link in message.get_content()
    with transaction(world.engine) as session:
        kept = session.scalar(
            select(models.Notification).where(models.Notification.kind == "password.reset")
        )
    assert kept.status == "sent" and "abc.def" not in str(kept.payload)  # no one can reuse it


def test_a_sent_notification_records_when_and_by_which_worker(world, smtp):
    run_once(world.engine, world.clock, "worker-7", Settings.from_environ())

    with transaction(world.engine) as session:
        rows = session.scalars(select(models.Notification)).all()
    assert {(r.status, r.claimed_by, r.sent_at, r.attempts) for r in rows} == {
        ("sent", "worker-7", T0, 1)
    }
