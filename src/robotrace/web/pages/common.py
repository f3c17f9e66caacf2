"""What the portal's pages share: role groups, rule-checked writes, and display helpers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy.orm import Session

from robotrace.clock import as_utc
from robotrace.store.models import UserRole
from robotrace.web.templating import TEMPLATES

T = TypeVar("T")

STAFF = (UserRole.COORDINATOR, UserRole.ADMIN)
READERS = (UserRole.ADMIN, UserRole.COORDINATOR, UserRole.REGULATOR)
PROVIDER = (UserRole.PROVIDER,)
EVERYONE = tuple(UserRole)


def in_savepoint(db: Session, write: Callable[[], T]) -> T:
    """Run ``write`` so that, if it raises, nothing it did stays in the request's transaction.

    Pages catch rule errors and show the form again; the request then commits normally, so a
    half-done write must be undone here.
    """
    with db.begin_nested():
        return write()


def duration(delta: timedelta) -> str:
    """``2 d 3 h``, ``5 h 12 min``, ``7 min``: how late, for people."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min"


def late_by(due_at: datetime, now: datetime) -> str:
    return duration(as_utc(now) - as_utc(due_at))


def form_text(value: str | None, limit: int) -> str:
    """A form field stripped, or ValueError when it is longer than its column."""
    text = (value or "").strip()
    if len(text) > limit:
        raise ValueError(f"at most {limit} characters, please: {text[:20]}…")
    return text


TEMPLATES.env.filters["duration"] = duration
TEMPLATES.env.globals["late_by"] = late_by
