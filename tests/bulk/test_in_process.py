"""The whole federated trace in one process, fast: the portal's app (TestClient), each
provider's agent answering its batches from its own store (the agent's own code), and the
paths compared with what ``robotrace paths`` gets from the pooled records."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from robotrace.agent.batches import BatchAnswerer
from robotrace.agent.client import PortalClient
from robotrace.agent.loop import Agent
from robotrace.agent.state import AnsweredRequests
from robotrace.settings import DEFAULTS
from robotrace.traceback.answerer import RecordsAnswerer
from robotrace.web.app import create_app

from .world import World, expected_ends, pooled_paths, prepare_portal


def api(app, token: str) -> PortalClient:
    http = TestClient(app, base_url="http://testserver/api/v1")
    http.headers["Authorization"] = f"Bearer {token}"
    return PortalClient(http, log=lambda _: None)


def agents_of(app, world: World, tokens: dict[str, str], tmp_path: Path) -> list[Agent]:
    agents = []
    for named in world.record_keepers():
        client = api(app, tokens[named])
        provider = client.me()["provider_key"]  # an agent starts so: its token is used
        own = world.own_store(named)
        state = AnsweredRequests(tmp_path / f"{named}.json")
        answerer = RecordsAnswerer(None, {}, skew_s=DEFAULTS.cdr_skew_seconds)  # type: ignore[arg-type]
        agent = Agent(client, answerer, provider, state, lambda _: None)
        agent.batches = BatchAnswerer(own, provider, log=lambda _: None)
        agents.append(agent)
    return agents


def trace(app, world: World, tokens: dict[str, str], tmp_path: Path, **sent) -> list[dict]:
    """Submit, let every agent answer its batches until the submission is done; the paths."""
    agents = agents_of(app, world, tokens, tmp_path)
    coordinator = api(app, tokens["coordinator"])
    created = coordinator.request("POST", "/bulk-tracebacks", **sent)
    assert created.status_code == 201, created.text
    bulk_id = created.json()["id"]
    for _ in range(40):
        for agent in agents:
            agent.poll_batches()
        progress = coordinator.request("GET", f"/bulk-tracebacks/{bulk_id}").json()
        if progress["status"] == "done":
            break
    assert progress["status"] == "done", progress
    got = coordinator.request("GET", f"/bulk-tracebacks/{bulk_id}/paths.parquet")
    assert got.status_code == 200, got.text
    (tmp_path / "paths.parquet").write_bytes(got.content)
    return pq.read_table(tmp_path / "paths.parquet").to_pylist()


@pytest.fixture
def portal(world, tmp_path):
    url = f"sqlite:///{tmp_path / 'portal.db'}"
    tokens = prepare_portal(url, world)
    app = create_app(url)
    app.state.analytics_dir = str(tmp_path / "analytics")
    yield app, tokens
    app.state.engine.dispose()


def test_the_agents_find_every_call_s_pooled_path_and_the_truth(world, portal, tmp_path):
    app, tokens = portal
    body = {"content": world.calls.read_bytes(), "headers": {"Content-Type": "text/csv"}}
    federated = trace(app, world, tokens, tmp_path, **body)
    assert federated == pooled_paths(world).to_pylist()
    truth = expected_ends(world)
    assert {r["call_id"]: (r["status"], r["path"]) for r in federated} == truth
    assert {r["status"] for r in federated} == {"origin", "no_records", "no_match"}


def test_a_hop_limit_ends_calls_as_robotrace_paths_ends_them(world, portal, tmp_path):
    app, tokens = portal
    calls = list(csv.DictReader(world.calls.open(encoding="utf-8")))
    body = {"json": {"calls": calls, "max_hops": 3, "answer_within": "10m"}}
    federated = trace(app, world, tokens, tmp_path, **body)
    assert federated == pooled_paths(world, max_hops=3).to_pylist()
    ends = [r["status"] for r in federated]
    assert "hop_limit" in ends
    # A call ends at the hop limit exactly when its true path is longer than three legs and
    # none of the dead ends stops it first (the truth's own lengths).
    truth = expected_ends(world)
    for row in federated:
        _, path = truth[row["call_id"]]
        assert (row["status"] == "hop_limit") == (len(path) > 3)
