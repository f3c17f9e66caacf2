"""The audit log: append-only rows of :class:`robotrace.store.values.AuditEvent`.

``details`` is stored as JSON: datetimes in it are written as ISO-8601 UTC text, and
anything else must be JSON already.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from robotrace.store import models
from robotrace.store.values import AuditEvent


def append_audit(session: Session, events: Iterable[AuditEvent]) -> int:
    """Append ``events`` to the audit log; returns how many."""
    rows = [
        models.AuditEvent(
            at=event.at,
            actor=event.actor,
            action=event.action,
            traceback_id=event.traceback_id,
            provider_key=event.provider,
            details=dict(event.details),
        )
        for event in events
    ]
    session.add_all(rows)
    session.flush()
    return len(rows)


def list_audit(session: Session, traceback_id: str | None = None) -> list[AuditEvent]:
    """The audit log in the order it was written, only one traceback's if given."""
    query = select(models.AuditEvent).order_by(models.AuditEvent.at, models.AuditEvent.id)
    if traceback_id is not None:
        query = query.where(models.AuditEvent.traceback_id == traceback_id)
    return [
        AuditEvent(
            at=row.at,
            actor=row.actor,
            action=row.action,
            traceback_id=row.traceback_id or "",
            provider=row.provider_key,
            details=row.details,
        )
        for row in session.scalars(query)
    ]
