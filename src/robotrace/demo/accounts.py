"""The demo's portal users: one per staff role, one per provider on a traced chain, and
agents' tokens.

Passwords are random and printed once (and kept in ``demo-accounts.json`` next to the
database, readable only by its owner); agent users have no password, only an API token.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import Engine

from robotrace.accounts.tokens import create_token
from robotrace.accounts.users import create_user, user_by_email
from robotrace.clock import Clock, SystemClock
from robotrace.store.db import transaction

DOMAIN = "demo.example"


@dataclass(frozen=True)
class Login:
    role: str
    email: str
    password: str
    provider: str | None = None


def staff_logins() -> list[Login]:
    return [
        Login(role, f"{role}@{DOMAIN}", secrets.token_urlsafe(12))
        for role in ("admin", "coordinator", "regulator")
    ]


def provider_logins(keys: Iterable[str]) -> list[Login]:
    return [
        Login("provider", f"noc-{key.lower()}@{DOMAIN}", secrets.token_urlsafe(12), key)
        for key in sorted(set(keys))
    ]


def create_logins(engine: Engine, logins: list[Login], clock: Clock | None = None) -> None:
    """Create the users (a world's database gets them once; a rerun resets nothing), on
    ``clock`` (the world's; default the real one)."""
    clock = clock or SystemClock()
    with transaction(engine) as session:
        for login in logins:
            if user_by_email(session, login.email) is None:
                name = f"demo {login.role}" + (f" {login.provider}" if login.provider else "")
                create_user(
                    session, login.email, login.role, login.password, login.provider, name, clock
                )


def create_tokens(
    engine: Engine, keys: Iterable[str], clock: Clock | None = None
) -> dict[str, str]:
    """A read-write token per provider (for its agent), held by an agent user without password;
    plus one for the coordinator (``"coordinator"``), who opens the live traceback."""
    clock = clock or SystemClock()
    tokens = {}
    with transaction(engine) as session:
        for key in sorted(set(keys)):
            email = f"agent-{key.lower()}@{DOMAIN}"
            user = user_by_email(session, email) or create_user(
                session, email, "provider", None, key, f"agent {key}", clock
            )
            tokens[key], _ = create_token(session, user, "demo agent", True, clock)
        coordinator = user_by_email(session, f"coordinator@{DOMAIN}")
        assert coordinator is not None, "create the logins first"
        tokens["coordinator"], _ = create_token(session, coordinator, "demo", True, clock)
    return tokens


def save_logins(path: Path, logins: list[Login]) -> None:
    path.write_text(json.dumps([asdict(login) for login in logins], indent=2) + "\n")
    path.chmod(0o600)
