"""Password resets by signed link: the link carries the user id, a fingerprint of the
current password hash, the time it was made (by the injectable clock) and a random nonce
that the user's row keeps for the newest link only. So a link stops working once used (the
hash changes and the nonce is cleared), after a day, or as soon as a newer link is issued
(the nonce is replaced). Completing a reset signs the user out everywhere and revokes
every API token: whoever knew the old password may have made one."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import Session

from robotrace.accounts.keys import new_token, same, signing_key
from robotrace.accounts.passwords import hash_password
from robotrace.accounts.sessions import end_all_sessions
from robotrace.accounts.tokens import revoke_all_tokens
from robotrace.clock import Clock
from robotrace.store import models

SALT = "robotrace-password-reset"
MAX_AGE = timedelta(hours=24)


def _fingerprint(user: models.User) -> str:
    return hashlib.sha256((user.password_hash or "none").encode()).hexdigest()[:16]


def _serializer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(signing_key(secret_key), salt=SALT)


def reset_token(user: models.User, clock: Clock, secret_key: str) -> str:
    """A new reset link's token for ``user``, signed with :func:`signing_key` of the
    ``secret_key`` setting; every earlier link of the user stops working (the caller commits
    the new nonce with the e-mail that carries the link)."""
    user.reset_nonce = new_token(16)
    made = int(clock.now().timestamp())
    data = {"user": user.id, "fp": _fingerprint(user), "at": made, "n": user.reset_nonce}
    return _serializer(secret_key).dumps(data)


def user_for_reset(
    session: Session, token: str, clock: Clock, secret_key: str
) -> models.User | None:
    """The user a reset link is for, or None when it is forged, expired, used or replaced."""
    try:
        data = _serializer(secret_key).loads(token)
        made = datetime.fromtimestamp(int(data["at"]), UTC)
        user_id = int(data["user"])
        nonce = str(data["n"])
    except (BadSignature, KeyError, TypeError, ValueError, OverflowError, OSError):
        return None
    if not made <= clock.now() <= made + MAX_AGE:
        return None
    user = session.get(models.User, user_id)
    if user is None or not user.active or data.get("fp") != _fingerprint(user):
        return None
    if not user.reset_nonce or not same(nonce, user.reset_nonce):
        return None
    return user


def complete_reset(session: Session, user: models.User, password: str, clock: Clock) -> None:
    """Set the new password (:class:`~robotrace.accounts.passwords.WeakPassword` before
    anything changes), spend the link, and end every session and API token of the user."""
    user.password_hash = hash_password(password)
    user.reset_nonce = None
    end_all_sessions(session, user.id, clock)
    revoke_all_tokens(session, user.id, clock)
