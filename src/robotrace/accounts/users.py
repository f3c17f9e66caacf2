"""Creating and finding users."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from robotrace.accounts.passwords import hash_password
from robotrace.clock import Clock, SystemClock
from robotrace.providers.store import resolve_provider
from robotrace.store import models
from robotrace.store.models import UserRole


class AccountError(ValueError):
    pass


def create_user(
    session: Session,
    email: str,
    role: UserRole | str,
    password: str | None = None,
    provider_key: str | None = None,
    name: str = "",
    clock: Clock | None = None,
) -> models.User:
    """Add a user; a ``provider`` user must name its provider (key, OCN, RMD number or FRN),
    no one else may."""
    role = UserRole(role)
    email = normalize_email(email)
    if user_by_email(session, email) is not None:
        raise AccountError(f"a user with e-mail {email} exists already")
    provider_id = _provider_id(session, role, provider_key)
    user = models.User(
        email=email,
        name=name,
        role=role,
        provider_id=provider_id,
        password_hash=hash_password(password) if password else None,
        active=True,
        created_at=(clock or SystemClock()).now(),
    )
    session.add(user)
    session.flush()
    return user


def _provider_id(session: Session, role: UserRole, provider_key: str | None) -> int | None:
    if role is not UserRole.PROVIDER:
        if provider_key:
            raise AccountError(f"only provider users belong to a provider, not {role.value}s")
        return None
    if not provider_key:
        raise AccountError("a provider user needs its provider: key, OCN, RMD number or FRN")
    provider = resolve_provider(session, provider_key)
    if provider is None:
        raise AccountError(f"no provider {provider_key.strip()[:40]!r}")
    return provider.id


def normalize_email(email: str) -> str:
    email = email.strip().lower()
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        raise AccountError(f"not an e-mail address: {email!r}")
    return email


def user_by_email(session: Session, email: str) -> models.User | None:
    return session.scalar(
        select(models.User).where(func.lower(models.User.email) == email.strip().lower())
    )


def user_rows(db: Session) -> list[tuple[models.User, str | None]]:
    """Every user by e-mail address, with its provider's OCN."""
    rows = db.execute(
        select(models.User, models.Provider.key)
        .outerjoin(models.Provider, models.Provider.id == models.User.provider_id)
        .order_by(models.User.email)
    ).all()
    return [(user, key) for user, key in rows]
