"""Who is asking: a signed-in person (session cookie) or a script (API token)."""

from __future__ import annotations

from dataclasses import dataclass

from robotrace.store.models import UserRole


@dataclass(frozen=True)
class Principal:
    user_id: int
    email: str
    name: str
    role: UserRole
    provider_id: int | None
    provider_key: str | None
    via: str  # "session" or "token"
    can_write: bool
    csrf_token: str | None = None
    session_id: int | None = None

    @property
    def actor(self) -> str:
        """How the audit log names this principal."""
        return f"{self.role.value}:{self.email}"

    @property
    def is_staff(self) -> bool:
        """Coordinators and admins run tracebacks."""
        return self.role in (UserRole.COORDINATOR, UserRole.ADMIN)
