"""``GET /metrics``: Prometheus text that a Prometheus parser reads, request counts by route
template, store figures equal to what the test built, and who may scrape."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from robotrace.notify.outbox import enqueue
from robotrace.store.db import transaction
from tests.support import free_port, wait_until_up

from .conftest import DUE

LOCAL = ("127.0.0.1", 50000)


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_requests_are_counted_by_route_template(world):
    client = TestClient(world.app, client=LOCAL)
    for _ in range(3):
        client.get(f"/api/v1/tracebacks/{world.traceback_id}")  # 401: no credentials
    client.get("/no/such/page")
    found = samples(client.get("/metrics").text)
    route = "/api/v1/tracebacks/{traceback_id}"
    key = (
        "robotrace_http_requests_total",
        (("method", "GET"), ("route", route), ("status", "401")),
    )
    assert found[key] == 3
    unmatched = (("method", "GET"), ("route", "unmatched"), ("status", "404"))
    assert found[("robotrace_http_requests_total", unmatched)] == 1
    count = ("robotrace_http_request_seconds_count", (("method", "GET"), ("route", route)))
    assert found[count] == 3
    assert not any(world.traceback_id in str(labels) for _, labels in found)


def test_store_figures_are_what_the_world_holds(world, engine):
    # The world: one open traceback whose first hop (due Monday, DUE) is unanswered.
    client = TestClient(world.app, client=LOCAL)
    found = samples(client.get("/metrics").text)
    assert found[("robotrace_tracebacks_open", ())] == 1
    assert found[("robotrace_hop_requests_overdue", ())] == 0
    assert found[("robotrace_blocklist_version", ())] == 0
    world.clock.set(DUE + timedelta(hours=1))
    with transaction(engine) as session:
        for n in range(3):
            enqueue(session, "email", "noc@aaaa.example", "hop.overdue", {}, f"k{n}", world.clock)
    found = samples(client.get("/metrics").text)
    assert found[("robotrace_hop_requests_overdue", ())] == 1
    with engine.connect() as connection:
        outbox = dict(
            connection.execute(
                text("SELECT status, count(*) FROM notifications GROUP BY status")
            ).all()
        )
    gauges = {
        dict(labels)["status"]: value
        for (name, labels), value in found.items()
        if name == "robotrace_notifications"
    }
    assert gauges == {status: float(n) for status, n in outbox.items()}
    assert outbox == {"pending": 3}


def test_only_this_machine_or_the_token_may_scrape(world, monkeypatch):
    assert TestClient(world.app, client=("203.0.113.9", 4000)).get("/metrics").status_code == 403
    with_token = replace(world.app.state.settings, metrics_token="s3cret")
    monkeypatch.setattr(world.app.state, "settings", with_token)
    remote = TestClient(world.app, client=("203.0.113.9", 4000))
    assert remote.get("/metrics").status_code == 401
    assert remote.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    answer = remote.get("/metrics", headers={"Authorization": "Bearer s3cret"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    assert TestClient(world.app, client=LOCAL).get("/metrics").status_code == 401  # token rules


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest) -> Iterator[str]:
    from tests.conftest import _postgres_schema_url

    yield from _postgres_schema_url(request)


@pytest.mark.postgres
def test_a_scrape_counts_the_requests_of_every_worker_process(postgres_url, tmp_path):
    """Under serve --workers 2 a scrape answered by either worker counts all requests."""
    port = free_port()
    env = {**os.environ, "ROBOTRACE_ANALYTICS_DIR": str(tmp_path / "analytics")}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    command = [sys.executable, "-c", "from robotrace.cli import main; main()", "serve"]
    server = subprocess.Popen(
        [*command, "--port", str(port), "--workers", "2", "--database-url", postgres_url],
        env=env,
        cwd=tmp_path,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/login", timeout=60, request_timeout=5)
        with httpx.Client(base_url=base) as client:  # a new connection each: both workers serve
            sent = 1 + sum(
                httpx.get(f"{base}/login", headers={"Connection": "close"}).status_code == 200
                for _ in range(40)
            )
            scrapes = [client.get("/metrics", headers={"Connection": "close"}) for _ in range(6)]
    finally:
        server.terminate()
        server.wait(timeout=30)
    key = (
        "robotrace_http_requests_total",
        (("method", "GET"), ("route", "/login"), ("status", "200")),
    )
    counted = {samples(scrape.text).get(key) for scrape in scrapes}
    assert counted == {float(sent)}
