"""A fixed little world for the portal's tests, on SQLite and PostgreSQL (``db_url``).

Providers ``AAAA`` (terminating), ``BBBB`` (intermediate), ``CCCC`` (gateway), ``FFFF``
(foreign); users, all with password ``PASSWORD``:

- ``admin@example.org`` (admin), ``coord@example.org`` (coordinator),
  ``fcc@example.org`` (regulator);
- ``noc@aaaa.example`` (provider AAAA), ``noc@bbbb.example`` (provider BBBB).

``world`` gives the app, its clock and a traceback ``TB-000001`` whose first hop is open at
AAAA. ``client_for(email)`` gives a ``TestClient`` signed in as that user (with its CSRF
token in ``client.csrf``); ``api_for(email, write=True)`` one that sends an API token.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from robotrace.accounts.tokens import create_token
from robotrace.accounts.users import create_user, user_by_email
from robotrace.clock import Clock, SimulatedClock
from robotrace.providers.registry import Provider
from robotrace.providers.store import upsert_providers
from robotrace.store.db import transaction
from robotrace.traceback import service
from robotrace.traceback.model import CallUnderTrace
from robotrace.web.app import create_app
from tests.support import settings_policy

PASSWORD = "correct horse battery"
T0 = datetime(2020, 5, 1, 12, 0, tzinfo=UTC)
#: When a request sent at T0 to a provider without an address is due (worked out by hand):
#: T0 is Friday 08:00 in New York, the default zone, inside business hours; 24 hours later is
#: Saturday, so the due time moves to Monday 4 May 08:00 EDT (due_rolls_to_business_day).
DUE = datetime(2020, 5, 4, 12, 0, tzinfo=UTC)
PROVIDERS = [
    Provider(
        "AAAA", ocns=("AAAA",), business_name="Alpha Local Telco", contact_email="noc@aaaa.example"
    ),
    Provider(
        "BBBB", ocns=("BBBB",), business_name="Bravo Wholesale", contact_email="noc@bbbb.example"
    ),
    Provider(
        "CCCC",
        ocns=("CCCC",),
        business_name="Charlie Gateway",
        gateway_provider=True,
        contact_email="noc@cccc.example",
    ),
    Provider("FFFF", "Foxtrot Intl Ltd", country="United Kingdom", foreign=True),
]
USERS = [
    ("admin@example.org", "admin", None),
    ("coord@example.org", "coordinator", None),
    ("fcc@example.org", "regulator", None),
    ("noc@aaaa.example", "provider", "AAAA"),
    ("noc@bbbb.example", "provider", "BBBB"),
]
CALL = CallUnderTrace("+12025550143", "+13125550199", datetime(2020, 4, 30, 15, 4, 5, tzinfo=UTC))


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 at its lightest in tests: real hashes, a fraction of the time (each hash
    records its own parameters, so verification is unchanged)."""
    from argon2 import PasswordHasher

    from robotrace.accounts import passwords

    monkeypatch.setattr(
        passwords, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@dataclass
class World:
    app: FastAPI
    clock: SimulatedClock
    traceback_id: str


def seed_world(engine: Engine, clock: Clock) -> str:
    """Providers, users and one open traceback at AAAA; returns the traceback's id."""
    with transaction(engine) as session:
        upsert_providers(session, PROVIDERS, clock)
        for email, role, ocn in USERS:
            create_user(session, email, role, PASSWORD, ocn, name=email.split("@")[0], clock=clock)
        tb = service.open_traceback(
            session, CALL, "AAAA", "coordinator:coord@example.org", clock, policy=settings_policy()
        )
    return tb.id


@pytest.fixture
def world(engine) -> Iterator[World]:
    clock = SimulatedClock(T0)
    traceback_id = seed_world(engine, clock)
    app = create_app(str(engine.url.render_as_string(hide_password=False)), clock)
    yield World(app, clock, traceback_id)
    app.state.engine.dispose()


def _csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> TestClient:
    form = client.get("/login")
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": _csrf_of(form.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    client.csrf = _csrf_of(client.get("/account").text)  # type: ignore[attr-defined]
    return client


@pytest.fixture
def client_for(world: World) -> Callable[[str], TestClient]:
    def make(email: str) -> TestClient:
        return sign_in(TestClient(world.app), email)

    return make


@pytest.fixture
def api_for(world: World, engine) -> Callable[..., TestClient]:
    def make(email: str, write: bool = True) -> TestClient:
        with transaction(engine) as session:
            user = user_by_email(session, email)
            assert user is not None
            token, _ = create_token(session, user, "test", write, world.clock)
        return TestClient(world.app, headers={"Authorization": f"Bearer {token}"})

    return make
