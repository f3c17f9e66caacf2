"""The outbox: anything that wants a message sent adds a row here, in its own transaction;
``robotrace worker`` delivers it. ``dedupe_key`` makes adding the same message twice a no-op."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from robotrace.clock import Clock
from robotrace.store import models


def enqueue(
    session: Session,
    channel: str,
    target: str,
    kind: str,
    payload: dict[str, Any],
    dedupe_key: str,
    clock: Clock,
) -> bool:
    """Queue one message; False when a message with ``dedupe_key`` was queued before."""
    exists = session.scalar(
        select(models.Notification.id).where(models.Notification.dedupe_key == dedupe_key)
    )
    if exists is not None:
        return False
    now = clock.now()
    session.add(
        models.Notification(
            channel=channel,
            target=target,
            kind=kind,
            payload=payload,
            dedupe_key=dedupe_key,
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
    )
    session.flush()
    return True
