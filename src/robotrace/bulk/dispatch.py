"""Batching per provider: every waiting call goes to a batch request for its provider — at
most one open batch per provider and submission, so calls that reach a provider while its
batch is out wait for the next one (a natural round per provider, with no global rounds
for a slow provider to hold up) — or ends ``no_records`` where nobody will answer.

Who will answer: a provider the portal knows (by any identifier: key, OCN, RMD number, FRN)
one of whose active users holds a live read-write API token used within
:data:`AGENT_SEEN` — an agent uses its token at least every poll. A provider with none is
not asked at all; one that lets a batch's answer window pass is asked nothing more in that
submission (its remaining calls end ``no_records`` at once, not one window after another).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import exists, insert, select, update
from sqlalchemy.orm import Session

from robotrace.clock import Clock
from robotrace.notify.agents import announce
from robotrace.providers.store import resolve_provider
from robotrace.store import models

#: How recently a provider's token must have been used for the portal to count on an agent.
AGENT_SEEN = timedelta(days=7)
#: The most calls one batch request holds; a provider with more waiting gets several.
MAX_BATCH_CALLS = 20_000


def lock_submission(session: Session, bulk_id: int) -> models.BulkTraceback | None:
    """The submission, locked for this transaction (PostgreSQL row lock; SQLite has one
    writer), and read afresh: whoever moves its calls on does so alone."""
    session.expire_all()
    return session.scalar(
        select(models.BulkTraceback).where(models.BulkTraceback.id == bulk_id).with_for_update()
    )


def dispatch(session: Session, bulk: models.BulkTraceback, clock: Clock) -> list[int]:
    """Send every waiting call of ``bulk`` on (a new batch, or its end); marks the
    submission done when every call has ended. Returns the new batch requests' ids."""
    now = clock.now()
    BulkCall, Batch = models.BulkCall, models.BatchRequest
    waiting = session.scalars(
        select(BulkCall.provider)
        .where(BulkCall.bulk_id == bulk.id, BulkCall.state == "waiting")
        .group_by(BulkCall.provider)
    ).all()
    created: list[int] = []
    if waiting:
        statuses = session.execute(
            select(Batch.provider_key, Batch.status)
            .where(Batch.bulk_id == bulk.id, Batch.status.in_(("open", "expired")))
            .distinct()
        ).all()
        busy = {key for key, status in statuses if status == "open"}
        silent = {key for key, status in statuses if status == "expired"}
        for provider in waiting:
            if provider in busy:
                continue
            row = None if provider in silent else resolve_provider(session, provider)
            if row is None or not has_agent(session, row.id, now):
                end_waiting(session, bulk.id, provider, "no_records", now)
            else:
                created += open_batches(session, bulk, provider, row, now)
    finish_if_done(session, bulk, now)
    return created


def has_agent(session: Session, provider_id: int, now: datetime) -> bool:
    """Whether the provider has someone to answer: an active user's live read-write token,
    used within :data:`AGENT_SEEN`."""
    token, user = models.ApiToken, models.User
    return bool(
        session.scalar(
            select(
                exists().where(
                    token.user_id == user.id,
                    user.provider_id == provider_id,
                    user.active.is_(True),
                    token.write.is_(True),
                    token.revoked_at.is_(None),
                    token.last_used_at >= now - AGENT_SEEN,
                )
            )
        )
    )


def end_waiting(session: Session, bulk_id: int, provider: str, end: str, now: datetime) -> None:
    """End every call of ``bulk_id`` waiting for ``provider``."""
    session.execute(
        update(models.BulkCall)
        .where(
            models.BulkCall.bulk_id == bulk_id,
            models.BulkCall.state == "waiting",
            models.BulkCall.provider == provider,
        )
        .values(state="ended", end=end, ended_at=now)
    )


def open_batches(
    session: Session,
    bulk: models.BulkTraceback,
    provider: str,
    row: models.Provider,
    now: datetime,
) -> list[int]:
    """Batch requests to ``row`` (named ``provider`` in the records) for every call of
    ``bulk`` waiting for it; its agents are told of each."""
    BulkCall = models.BulkCall
    waiting = session.execute(
        select(BulkCall.id, BulkCall.hop)
        .where(
            BulkCall.bulk_id == bulk.id,
            BulkCall.state == "waiting",
            BulkCall.provider == provider,
        )
        .order_by(BulkCall.id)
    ).all()
    created = []
    for part in _parts(waiting, MAX_BATCH_CALLS):
        batch = models.BatchRequest(
            bulk_id=bulk.id,
            provider_key=provider,
            provider_id=row.id,
            calls=len(part),
            tolerance_ms=bulk.tolerance_ms,
            status="open",
            created_at=now,
            due_at=now + timedelta(seconds=bulk.answer_within_s),
        )
        session.add(batch)
        session.flush()
        session.execute(
            insert(models.BatchCall),
            [
                {"batch_id": batch.id, "position": n, "bulk_call_id": call_id, "hop": hop}
                for n, (call_id, hop) in enumerate(part, start=1)
            ],
        )
        announce(session, row.key, "batch", batch.id)
        created.append(batch.id)
    session.execute(
        update(BulkCall)
        .where(
            BulkCall.bulk_id == bulk.id,
            BulkCall.state == "waiting",
            BulkCall.provider == provider,
        )
        .values(state="asked")
    )
    return created


_Row = TypeVar("_Row")


def _parts(rows: Iterable[_Row], size: int) -> list[list[_Row]]:
    listed = list(rows)
    return [listed[i : i + size] for i in range(0, len(listed), size)]


def finish_if_done(session: Session, bulk: models.BulkTraceback, now: datetime) -> bool:
    """Mark ``bulk`` done once every call has ended; True when it is done now."""
    if bulk.status == "done":
        return True
    going = exists().where(
        models.BulkCall.bulk_id == bulk.id, models.BulkCall.state.in_(("waiting", "asked"))
    )
    if session.scalar(select(going)):
        return False
    bulk.status, bulk.finished_at = "done", now
    return True
