"""The outbox: anything that wants a message sent adds a row here, in its own transaction;
``robotrace worker`` delivers it. ``dedupe_key`` makes adding the same message twice a no-op.

A row's life: ``pending`` → claimed by one worker (``claimed_by``/``claimed_until``, still
``pending``) → ``sent``; or, when delivery fails, back to ``pending`` with ``attempts + 1`` and
``next_attempt_at`` pushed out exponentially, until ``failed`` after ``notify_max_attempts``.
A claim is taken by one conditional UPDATE whose row count says who won, so any number of
workers can poll the same table (SQLite and PostgreSQL alike); a crashed worker's claim simply
expires (``notify_claim_seconds``), and the message is sent again with the same Message-ID /
``X-Robotrace-Delivery``: a message is never lost to a crash, and the one being sent at the
moment of the crash may arrive twice, recognisably (docs/notifications.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from robotrace.clock import Clock
from robotrace.settings import Settings
from robotrace.store import models

N = models.Notification
ERROR_LENGTH = 2000
#: Payload fields, by kind, that are secrets: blanked (to :data:`SENT`) once the message is sent.
SECRETS: dict[str, tuple[str, ...]] = {"password.reset": ("link",)}
SENT = "(sent; not kept)"


def enqueue(
    session: Session,
    channel: str,
    target: str,
    kind: str,
    payload: dict[str, Any],
    dedupe_key: str,
    clock: Clock,
) -> bool:
    """Queue one message; False when a message with ``dedupe_key`` was queued before.

    One ``INSERT … ON CONFLICT (dedupe_key) DO NOTHING``: two workers (or a worker and the
    portal) queueing the same message at once leave one row, and neither fails.
    """
    now = clock.now()
    values = {
        "channel": channel,
        "target": target,
        "kind": kind,
        "payload": payload,
        "dedupe_key": dedupe_key,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "last_error": "",
        "created_at": now,
    }
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(N)
        .values(values)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(N.id)
    )
    # Core execution on the session's connection: RETURNING says whether a row went in
    # (the row count of an ORM-level INSERT is not reliable on every driver).
    return session.connection().execute(statement).first() is not None


def _claimable(now: datetime) -> Any:
    return (
        (N.status == "pending")
        & (N.next_attempt_at <= now)
        & or_(N.claimed_until.is_(None), N.claimed_until < now)
    )


def due(session: Session, now: datetime, limit: int = 100) -> list[tuple[int, str | None]]:
    """``(id, claimed_by)`` of the messages due, oldest first. ``claimed_by`` is set on a row
    whose claim expired while still pending: its worker died (or hung) during the delivery,
    which may have reached the receiver."""
    query = (
        select(N.id, N.claimed_by, N.claimed_until)
        .where(_claimable(now))
        .order_by(N.next_attempt_at, N.id)
        .limit(limit)
    )
    # A finished attempt clears claimed_until (sent or failed); only a crash leaves it set.
    return [(i, by if until is not None else None) for i, by, until in session.execute(query)]


def claim(
    engine: Engine, notification_id: int, worker_id: str, now: datetime, claim_seconds: float
) -> bool:
    """Claim one message for ``worker_id`` for ``claim_seconds`` (the ``notify_claim_seconds``
    setting); True only for the one worker that won it.

    The UPDATE is the transaction's first statement, so SQLite takes its write lock at once
    (waiting on the busy timeout) and PostgreSQL re-checks the WHERE after a concurrent
    claim commits: exactly one UPDATE matches the row.
    """
    statement = (
        update(N)
        .where(N.id == notification_id, _claimable(now))
        .values(claimed_by=worker_id, claimed_until=now + timedelta(seconds=claim_seconds))
    )
    with engine.begin() as connection:
        return connection.execute(statement).rowcount == 1


def mark_sent(engine: Engine, notification_id: int, worker_id: str, now: datetime) -> bool:
    """Record delivery, and forget the message's secrets; False when the claim had expired
    and was taken by another worker."""
    statement = (
        update(N)
        .where(N.id == notification_id, N.claimed_by == worker_id, N.status == "pending")
        .values(status="sent", sent_at=now, attempts=N.attempts + 1, claimed_until=None)
    )
    with engine.begin() as connection:
        if connection.execute(statement).rowcount != 1:
            return False
        _forget_secrets(connection, notification_id)
        return True


def _forget_secrets(connection: Connection, notification_id: int) -> None:
    """Blank the payload fields of :data:`SECRETS`: whoever could read the outbox could use an
    unused password-reset link, and once it is sent nobody needs it again."""
    kind, payload = connection.execute(
        select(N.kind, N.payload).where(N.id == notification_id)
    ).one()
    secret = SECRETS.get(kind, ())
    if any(name in payload for name in secret):
        kept = {name: SENT if name in secret else value for name, value in payload.items()}
        connection.execute(update(N).where(N.id == notification_id).values(payload=kept))


def backoff(attempts: int, base_seconds: float) -> timedelta:
    """Wait before attempt ``attempts + 1``: base, 2×base, 4×base, … after each failure."""
    return timedelta(seconds=base_seconds * 2 ** max(attempts - 1, 0))


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently delivery is retried (settings ``notify_*``)."""

    max_attempts: int = 6
    backoff_seconds: float = 60.0

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        return cls(settings.notify_max_attempts, settings.notify_backoff_seconds)


def record_failure(
    engine: Engine,
    notification_id: int,
    worker_id: str,
    error: str,
    now: datetime,
    policy: RetryPolicy,
    permanent: bool = False,
) -> str:
    """Count a failed attempt; returns the new status: ``pending`` (retried later) or ``failed``.

    Only the claiming worker writes a claimed row, so reading ``attempts`` first is safe; the
    write is still one conditional UPDATE (a claim lost meanwhile changes nothing).
    """
    with engine.connect() as connection:
        attempts = connection.scalar(select(N.attempts).where(N.id == notification_id))
    if attempts is None:
        return "gone"
    attempts += 1
    failed = permanent or attempts >= policy.max_attempts
    status = "failed" if failed else "pending"
    values: dict[str, Any] = {
        "attempts": attempts,
        "last_error": error[:ERROR_LENGTH],
        "claimed_until": None,
        "status": status,
    }
    if not failed:
        values["next_attempt_at"] = now + backoff(attempts, policy.backoff_seconds)
    statement = (
        update(N)
        .where(N.id == notification_id, N.claimed_by == worker_id, N.status == "pending")
        .values(values)
    )
    with engine.begin() as connection:
        connection.execute(statement)
    return status


def counts_by_status(session: Session) -> dict[str, int]:
    """How many messages are pending, sent and failed."""
    rows = session.execute(select(N.status, func.count()).group_by(N.status)).all()
    return {status: count for status, count in rows}
