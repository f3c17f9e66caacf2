"""The report tests' portal: the web tests' world (users of every role) on SQLite and
PostgreSQL, a simulated clock at :data:`~tests.reports.builders.NOW`, and an analytics store
of the test's own."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from robotrace.clock import SimulatedClock
from robotrace.web.app import create_app
from tests.web.conftest import cheap_password_hashing, seed_world, sign_in  # noqa: F401

from .builders import NOW


@dataclass
class Portal:
    app: FastAPI
    clock: SimulatedClock
    analytics: Path

    def set_settings(self, **changed: object) -> None:
        """The portal's settings from now on, with ``changed``."""
        self.app.state.settings = replace(self.app.state.settings, **changed)

    def client(self, address: str = "203.0.113.7") -> TestClient:
        """A browser (or app) at ``address``: the rate limits count per address."""
        return TestClient(self.app, client=(address, 50000))

    def signed_in(self, email: str) -> TestClient:
        return sign_in(TestClient(self.app, client=("198.51.100.1", 50000)), email)


@pytest.fixture
def portal(engine, tmp_path, monkeypatch) -> Iterator[Portal]:
    clock = SimulatedClock(NOW)
    seed_world(engine, clock)
    # The setting, not app.state: campaign pages read complaints where the setting says.
    monkeypatch.setenv("ROBOTRACE_ANALYTICS_DIR", str(tmp_path / "analytics"))
    app = create_app(engine.url.render_as_string(hide_password=False), clock)
    yield Portal(app, clock, tmp_path / "analytics")
    app.state.engine.dispose()
