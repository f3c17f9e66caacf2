"""Throttling of sign-ins and password-reset requests, by e-mail address and by client
address, over the last 15 minutes.

Sign-in: too many *failures* for one key, and sign-in is refused before the password is even
checked. Reset requests: every request counts (a request is never a "success"), so one
address cannot flood a mailbox, nor one client every mailbox.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from robotrace.clock import Clock
from robotrace.store import models
from robotrace.store.db import rows_matched

WINDOW = timedelta(minutes=15)
#: Attempts older than this are deleted by the worker: only the window's are ever read, and
#: a day of them is enough to look into an attack afterwards.
KEEP = timedelta(days=1)
#: The length of ``login_attempts.key``; longer keys are stored as a hash of the value, so a
#: 300-character "e-mail address" is throttled like any other, not a database error.
KEY_CHARS = 254


def _key(kind: str, value: str) -> str:
    key = f"{kind}:{value}"
    if len(key) <= KEY_CHARS:
        return key
    return f"{kind}:sha256:{hashlib.sha256(value.encode()).hexdigest()}"


def sign_in_keys(email: str, address: str) -> list[str]:
    """The keys a sign-in counts under: the e-mail address typed and the client address."""
    return [_key("email", email.strip().lower()), _key("ip", address)]


def reset_keys(email: str, address: str) -> list[str]:
    """The keys a password-reset request counts under (apart from sign-in failures)."""
    return [_key("reset-email", email.strip().lower()), _key("reset-ip", address)]


def throttled(session: Session, keys: list[str], clock: Clock, allowed: int) -> bool:
    """True when any key has ``allowed`` (sign-ins: ``login_failures_allowed``) or more
    unsucceeded attempts in the window."""
    since = clock.now() - WINDOW
    for key in keys:
        failures = session.scalar(
            select(func.count())
            .select_from(models.LoginAttempt)
            .where(
                models.LoginAttempt.key == key,
                models.LoginAttempt.at > since,
                models.LoginAttempt.succeeded.is_(False),
            )
        )
        if (failures or 0) >= allowed:
            return True
    return False


def record_attempt(session: Session, keys: list[str], succeeded: bool, clock: Clock) -> None:
    for key in keys:
        session.add(models.LoginAttempt(key=key, at=clock.now(), succeeded=succeeded))


def reset_request_allowed(session: Session, keys: list[str], clock: Clock, allowed: int) -> bool:
    """Count a password-reset request; False (and nothing counted) when its e-mail address or
    client address has had ``allowed`` (``password_resets_allowed``) requests in the window."""
    if throttled(session, keys, clock, allowed):
        return False
    record_attempt(session, keys, False, clock)
    return True


def forget_old_attempts(session: Session, clock: Clock) -> int:
    """Delete the attempts older than :data:`KEEP`; the number deleted."""
    old = delete(models.LoginAttempt).where(models.LoginAttempt.at < clock.now() - KEEP)
    return rows_matched(session.execute(old)) or 0
