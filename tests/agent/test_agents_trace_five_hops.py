"""Done when: five providers' agents complete a 5-hop traceback through a real portal.

``robotrace serve`` runs as a subprocess on a SQLite file; five ``robotrace agent``
subprocesses (one per provider, each with its own token and records) poll it; a coordinator
opens the traceback through the API, and the chain must reach the origin in the true order.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from robotrace.accounts.tokens import create_token
from robotrace.accounts.users import create_user
from robotrace.agent.client import PortalClient
from robotrace.clock import SystemClock, format_utc
from robotrace.providers.store import upsert_providers
from robotrace.store.db import make_engine, transaction, upgrade
from tests.support import free_port, wait_until_up

from .builders import CALLED, CALLING, CUSTOMER, PATH, PROVIDERS, TRUE_TIME, write_cdrs

PASSWORD = "correct horse battery"


def prepare_portal(database_url: str) -> dict[str, str]:
    """Providers, a coordinator and one provider user per provider; their tokens by OCN."""
    engine = make_engine(database_url)
    upgrade(engine)
    clock = SystemClock()
    tokens = {}
    with transaction(engine) as session:
        upsert_providers(session, PROVIDERS, clock)
        coordinator = create_user(session, "coord@example.org", "coordinator", PASSWORD)
        tokens["coordinator"], _ = create_token(session, coordinator, "test", True, clock)
        for ocn in PATH:
            user = create_user(session, f"agent@{ocn.lower()}.example", "provider", None, ocn)
            tokens[ocn], _ = create_token(session, user, "agent", True, clock)
    engine.dispose()
    return tokens


def start(args: list[str], cwd: Path, log: Path, **env: str) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "robotrace.cli", *args],
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **env},
        )


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def portal(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    database_url = f"sqlite:///{tmp_path / 'portal.db'}"
    tokens = prepare_portal(database_url)
    port = free_port()
    args = ["serve", "--port", str(port), "--database-url", database_url]
    server = start(args, tmp_path, tmp_path / "serve.log")
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{url}/api/v1/openapi.json", server)
        yield url, tokens
    finally:
        stop(server)


def start_agents(url: str, tokens: dict[str, str], tmp_path: Path) -> list[subprocess.Popen[bytes]]:
    cdrs = write_cdrs(tmp_path / "cdrs")
    agents = []
    for ocn in PATH:
        args = ["agent", "--url", url, "--cdrs", str(cdrs), "--interval", "0.2"]
        args += ["--state", str(tmp_path / f"{ocn}.state.json")]
        log = tmp_path / f"{ocn}.agent.log"
        agents.append(start(args, tmp_path, log, ROBOTRACE_AGENT_TOKEN=tokens[ocn]))
    return agents


def wait_until_closed(coordinator: PortalClient, tb_id: str, seconds: float = 60) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        tb = coordinator.request("GET", f"/tracebacks/{tb_id}").json()
        if tb["status"] == "closed":
            return tb
        time.sleep(0.2)
    raise AssertionError(f"traceback still open after {seconds} s: {tb}")


def test_five_agents_trace_the_call_to_its_origin_through_the_real_api(portal, tmp_path):
    url, tokens = portal
    agents = start_agents(url, tokens, tmp_path)
    # The coordinator retries like an agent does: SQLite answers 500 "database is locked"
    # now and then while six clients write at once (see docs/agent.md, "Retries").
    coordinator = PortalClient.connect(url, tokens["coordinator"], log=lambda _: None)
    try:
        opened = coordinator.request(
            "POST",
            "/tracebacks",
            json={
                "calling_number": CALLING,
                "called_number": CALLED,
                "call_time": format_utc(TRUE_TIME),
                "terminating_provider": "TERM",
            },
        )
        assert opened.status_code == 201, opened.text
        tb = wait_until_closed(coordinator, opened.json()["id"])
    finally:
        coordinator.close()
        for process in agents:
            stop(process)
    assert tb["outcome"] == "origin_identified"
    assert [hop["provider"] for hop in tb["hops"]] == list(reversed(PATH))
    assert tb["originating_provider"] == "ORGN" and tb["customer"] == CUSTOMER
    for hop, ocn in zip(tb["hops"], reversed(PATH), strict=True):
        state = json.loads((tmp_path / f"{ocn}.state.json").read_text())
        assert state == {"answered": [hop["id"]]}
        log = (tmp_path / f"{ocn}.agent.log").read_text()
        assert f"hop request {hop['id']}: answered {hop['answer']}" in log
