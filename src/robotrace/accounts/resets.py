"""Password resets by signed link: the link carries the user id, a fingerprint of the
current password hash and the time it was made (by the injectable clock), so it stops
working once used (the hash changes) or after a day."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import Session

from robotrace.accounts.keys import secret_key
from robotrace.clock import Clock
from robotrace.store import models

SALT = "robotrace-password-reset"
MAX_AGE = timedelta(hours=24)


def _fingerprint(user: models.User) -> str:
    return hashlib.sha256((user.password_hash or "none").encode()).hexdigest()[:16]


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(secret_key(), salt=SALT)


def reset_token(user: models.User, clock: Clock) -> str:
    made = int(clock.now().timestamp())
    return _serializer().dumps({"user": user.id, "fp": _fingerprint(user), "at": made})


def user_for_reset(session: Session, token: str, clock: Clock) -> models.User | None:
    """The user a reset link is for, or None when it is forged, expired or used."""
    try:
        data = _serializer().loads(token)
        made = datetime.fromtimestamp(int(data["at"]), UTC)
        user_id = int(data["user"])
    except (BadSignature, KeyError, TypeError, ValueError, OverflowError, OSError):
        return None
    if not made <= clock.now() <= made + MAX_AGE:
        return None
    user = session.get(models.User, user_id)
    if user is None or not user.active or data.get("fp") != _fingerprint(user):
        return None
    return user
