"""A signed-in user changes its own password: the current one, the new one twice.

The rules of every password (:mod:`robotrace.accounts.passwords`: at least ``MIN_LENGTH``
characters, argon2id) hold. A change ends every other session of the user — whoever else
was signed in with the old password is signed out — and keeps the one it was made in; a
reset link still outstanding stops working. API tokens are kept: the provider agent runs on
them, and the account page lists them for the user to revoke (a reset, made by someone who
lost the password, revokes them too: :mod:`robotrace.accounts.resets`). Audited as
``user.password_changed``.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from robotrace.accounts.passwords import MIN_LENGTH, WeakPassword
from robotrace.clock import Clock
from robotrace.store import models
from robotrace.store.audit import append_audit
from robotrace.store.db import rows_matched
from robotrace.traceback.model import AuditEvent

PASSWORD_CHANGED = "user.password_changed"


class PasswordNotChanged(ValueError):
    """The change was refused; the message says why, in words for the user."""


def check_new_password(current: str, new: str, repeated: str) -> None:
    """What can be said of the form before the (slow) check of the current password."""
    if not current:
        raise PasswordNotChanged("enter your current password")
    if new != repeated:
        raise PasswordNotChanged("the new password and its repetition differ")
    if len(new) < MIN_LENGTH:
        raise WeakPassword(f"a password needs at least {MIN_LENGTH} characters")
    if new == current:
        raise PasswordNotChanged("the new password is the current one")


def change_password(
    session: Session,
    user: models.User,
    new_hash: str,
    clock: Clock,
    actor: str,
    keep_session_id: int | None = None,
) -> int:
    """Store ``new_hash`` (made by :func:`~robotrace.accounts.passwords.hash_password`), end
    every other live session of ``user`` and spend any reset link; the sessions ended."""
    now = clock.now()
    user.password_hash, user.reset_nonce = new_hash, None
    sessions = models.WebSession
    others = update(sessions).where(sessions.user_id == user.id, sessions.revoked_at.is_(None))
    if keep_session_id is not None:
        others = others.where(sessions.id != keep_session_id)
    ended = rows_matched(session.execute(others.values(revoked_at=now))) or 0
    details: dict[str, object] = {"user": user.email, "other_sessions_ended": ended}
    append_audit(session, [AuditEvent(now, actor, PASSWORD_CHANGED, "", None, details)])
    return int(ended)
