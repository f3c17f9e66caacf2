"""Password resets by signed link: the link carries the user id and a fingerprint of the
current password hash, so it stops working once used (the hash changes) or after a day."""

from __future__ import annotations

import hashlib

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from robotrace.accounts.keys import secret_key
from robotrace.store import models

SALT = "robotrace-password-reset"
MAX_AGE_S = 24 * 3600


def _fingerprint(user: models.User) -> str:
    return hashlib.sha256((user.password_hash or "none").encode()).hexdigest()[:16]


def reset_token(user: models.User) -> str:
    serializer = URLSafeTimedSerializer(secret_key(), salt=SALT)
    return serializer.dumps({"user": user.id, "fp": _fingerprint(user)})


def user_for_reset(session: Session, token: str) -> models.User | None:
    """The user a reset link is for, or None when it is forged, expired or used."""
    serializer = URLSafeTimedSerializer(secret_key(), salt=SALT)
    try:
        data = serializer.loads(token, max_age=MAX_AGE_S)
    except (BadSignature, SignatureExpired):
        return None
    user = session.get(models.User, data.get("user"))
    if user is None or not user.active or data.get("fp") != _fingerprint(user):
        return None
    return user
