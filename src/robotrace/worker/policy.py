"""The no-response policy: a hop silent for ``no_response_grace_hours`` past its due time
is marked ``no_response``, and its traceback closes (``non_responsive`` or ``foreign_origin``)."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from robotrace.clock import Clock
from robotrace.store import models
from robotrace.store.db import session_factory, transaction
from robotrace.traceback import service
from robotrace.traceback.workflow import WorkflowError

log = logging.getLogger(__name__)
ACTOR = "policy:no_response"


def mark_silent_hops(engine: Engine, clock: Clock, grace: timedelta | None) -> int:
    """Mark every hop overdue by more than ``grace``; how many were marked. None: policy off."""
    if grace is None:
        return 0
    with session_factory(engine)() as session:
        ids = service.overdue_traceback_ids(session, clock.now() - grace)
    return sum(mark_one(engine, traceback_id, clock) for traceback_id in ids)


def mark_one(engine: Engine, traceback_id: str, clock: Clock) -> bool:
    """One transaction per traceback; False when it was closed or answered meanwhile."""
    try:
        with transaction(engine) as session:
            if not _lock_open_traceback(session, traceback_id):
                return False
            service.mark_no_response(session, traceback_id, ACTOR, clock)
    except WorkflowError as exc:
        log.info("%s not marked: %s", traceback_id, exc)
        return False
    log.info("%s: hop marked no_response by policy", traceback_id)
    return True


def _lock_open_traceback(session: Session, traceback_id: str) -> bool:
    """Write-lock the traceback row while it is open: a no-op UPDATE, first in the transaction.

    A second worker's same UPDATE waits (PostgreSQL row lock, SQLite write lock) and then
    finds the traceback closed, so a hop is marked, and audited, once.
    """
    statement = (
        update(models.Traceback)
        .where(models.Traceback.id == traceback_id, models.Traceback.status == "open")
        .values(status=models.Traceback.status)
    )
    return session.connection().execute(statement).rowcount == 1
