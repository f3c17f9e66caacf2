"""API tokens: shown once, stored hashed, with a visible prefix that tells read-only
(``rt_ro_``) from read-write (``rt_rw_``), revocable."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from robotrace.accounts.keys import new_token, token_hash, touch
from robotrace.clock import Clock
from robotrace.store import models

READ_PREFIX, WRITE_PREFIX = "rt_ro_", "rt_rw_"
VISIBLE = 12  # characters of the token kept in clear, to tell tokens apart in lists


def create_token(
    session: Session, user: models.User, name: str, write: bool, clock: Clock
) -> tuple[str, models.ApiToken]:
    """A new token for ``user``; the returned string is the only time it is shown."""
    token = (WRITE_PREFIX if write else READ_PREFIX) + new_token()
    row = models.ApiToken(
        user_id=user.id,
        name=name,
        prefix=token[:VISIBLE],
        token_hash=token_hash(token),
        write=write,
        created_at=clock.now(),
    )
    session.add(row)
    session.flush()
    return token, row


def token_for(session: Session, token: str, clock: Clock) -> models.ApiToken | None:
    """The live token row for a presented token, its user active; records its use."""
    if not token.startswith((READ_PREFIX, WRITE_PREFIX)):
        return None
    row = session.scalar(
        select(models.ApiToken).where(models.ApiToken.token_hash == token_hash(token))
    )
    if row is None or row.revoked_at is not None:
        return None
    user = session.get(models.User, row.user_id)
    if user is None or not user.active:
        return None
    touch(row, "last_used_at", clock)
    return row


def revoke_token(session: Session, row: models.ApiToken, clock: Clock) -> None:
    row.revoked_at = clock.now()


def revoke_all_tokens(session: Session, user_id: int, clock: Clock) -> None:
    """Revoke every live token of ``user_id``: a deactivated user's tokens must not come
    back to life when someone reactivates the account."""
    for row in tokens_of(session, user_id):
        if row.revoked_at is None:
            revoke_token(session, row, clock)


def tokens_of(session: Session, user_id: int) -> list[models.ApiToken]:
    return list(
        session.scalars(
            select(models.ApiToken)
            .where(models.ApiToken.user_id == user_id)
            .order_by(models.ApiToken.created_at.desc(), models.ApiToken.id.desc())
        )
    )


def tokens_to_revoke(
    session: Session, token_ids: list[int], user: models.User | None
) -> list[models.ApiToken]:
    """The tokens ``token_ids`` name, or without ids all of ``user``'s. With both, every id
    must be ``user``'s. LookupError naming the ids that name no such token: a mistyped id
    must revoke nothing rather than the rest."""
    if not token_ids:
        return tokens_of(session, user.id) if user is not None else []
    rows = list(session.scalars(select(models.ApiToken).where(models.ApiToken.id.in_(token_ids))))
    found = {row.id for row in rows if user is None or row.user_id == user.id}
    missing = [str(n) for n in dict.fromkeys(token_ids) if n not in found]
    if missing:
        owner = f" of {user.email}" if user is not None else ""
        raise LookupError(f"no API token{owner} with id {', '.join(missing)}; nothing revoked")
    return sorted(rows, key=lambda row: row.id)
