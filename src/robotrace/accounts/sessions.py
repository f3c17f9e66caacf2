"""Server-side browser sessions: the cookie carries a random token, the table its hash."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from robotrace.accounts.keys import new_token, token_hash, touch
from robotrace.clock import Clock
from robotrace.store import models

COOKIE = "robotrace_session"


def start_session(
    session: Session, user: models.User, clock: Clock, days: float
) -> tuple[str, models.WebSession]:
    """Sign ``user`` in for ``days`` (the ``session_days`` setting); returns the cookie value
    (shown once) and the row."""
    token = new_token()
    now = clock.now()
    row = models.WebSession(
        token_hash=token_hash(token),
        user_id=user.id,
        csrf_token=new_token(24),
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(days=days),
    )
    session.add(row)
    session.flush()
    return token, row


def session_for(session: Session, token: str, clock: Clock) -> models.WebSession | None:
    """The live session for a cookie value: not revoked, not expired, its user active."""
    if not token:
        return None
    row = session.scalar(
        select(models.WebSession).where(models.WebSession.token_hash == token_hash(token))
    )
    now = clock.now()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    user = session.get(models.User, row.user_id)
    if user is None or not user.active:
        return None
    touch(row, "last_seen_at", clock)
    return row


def end_session(session: Session, row: models.WebSession, clock: Clock) -> None:
    row.revoked_at = clock.now()


def end_all_sessions(session: Session, user_id: int, clock: Clock) -> None:
    """Sign a user out everywhere (after a password change or reset)."""
    session.execute(
        update(models.WebSession)
        .where(models.WebSession.user_id == user_id, models.WebSession.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )
