"""JSON bodies sent to the API's write routes, each by a user allowed to use it.

The API's contract (docs/api.md): a body it cannot use is answered 4xx (422 naming the fields,
409 for a refused workflow step), never 5xx. The app is the portal's test world
(tests/web/conftest.py: providers AAAA…FFFF, a user of each role, traceback TB-000001 with an
open hop at AAAA) on a scratch SQLite file, built once per process; the first byte of an
input picks the route, the rest is the body. The world changes as inputs succeed (a hop once
answered stays answered), as it would for a real client.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from fuzz.scratch import work_folder

_SCRATCH = work_folder()
# What tests/conftest.py sets for the test suite: keys and stores outside the repository.
os.environ.setdefault("ROBOTRACE_SECRET_KEY", "fuzz-only-secret-key")
os.environ.setdefault("ROBOTRACE_ANALYTICS_DIR", str(_SCRATCH / "analytics"))
os.environ.setdefault("ROBOTRACE_BLOCKLIST_SIGNING_KEY", str(_SCRATCH / "blocklist.pem"))

from fastapi.testclient import TestClient  # noqa: E402
from tests.web.conftest import T0, seed_world  # noqa: E402

from robotrace.accounts.tokens import create_token  # noqa: E402
from robotrace.accounts.users import user_by_email  # noqa: E402
from robotrace.clock import SimulatedClock  # noqa: E402
from robotrace.store.db import make_engine, transaction, upgrade  # noqa: E402
from robotrace.web.app import create_app  # noqa: E402


@dataclass(frozen=True)
class Route:
    """A write route and who sends to it (an e-mail of the test world; None: no sign-in)."""

    path: str
    sender: str | None


ROUTES = (
    Route("/api/v1/tracebacks", "coord@example.org"),
    Route("/api/v1/hop-requests/1/answer", "noc@aaaa.example"),
    Route("/api/v1/reports", None),
    Route("/api/v1/letters", "fcc@example.org"),
    Route("/api/v1/authorizations", "fcc@example.org"),
    Route("/api/v1/campaigns/1/tracebacks", "coord@example.org"),
)


def _clients() -> dict[str | None, TestClient]:
    """A client per sender of :data:`ROUTES`, each with a read-write API token."""
    url = f"sqlite:///{_SCRATCH / 'robotrace.db'}"
    engine, clock = make_engine(url), SimulatedClock(T0)
    upgrade(engine)
    seed_world(engine, clock)
    app = create_app(url, clock)
    clients: dict[str | None, TestClient] = {None: TestClient(app)}
    with transaction(engine) as session:
        for email in {r.sender for r in ROUTES if r.sender}:
            user = user_by_email(session, email)
            assert user is not None
            token, _ = create_token(session, user, "fuzz", True, clock)
            clients[email] = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    return clients


CLIENTS = _clients()


def test_one_input(data: bytes) -> None:
    if not data:
        return
    route = ROUTES[data[0] % len(ROUTES)]
    response = CLIENTS[route.sender].post(
        route.path, content=data[1:], headers={"Content-Type": "application/json"}
    )
    assert response.status_code < 500, (route.path, response.status_code, response.text)
