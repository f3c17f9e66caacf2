"""Sign-in throttling: too many failures for one e-mail address or one client address in
the last 15 minutes, and sign-in is refused before the password is even checked."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from robotrace import settings
from robotrace.clock import Clock
from robotrace.store import models

WINDOW = timedelta(minutes=15)


def throttled(session: Session, keys: list[str], clock: Clock) -> bool:
    allowed = settings.get("login_failures_allowed")
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
