"""Done when (issue 21): a real portal (``robotrace serve``) and one ``robotrace agent``
process per provider of a small simulated world; ``robotrace bulk-trace`` over the world's
honeypot calls gets exactly the paths ``robotrace paths`` gets from the pooled records —
and an agent killed in the middle of a batch and started again loses nothing and answers
nothing twice.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from robotrace.paths.calls import read_calls
from robotrace.paths.flows import campaign_flows
from tests.agent.test_agents_trace_five_hops import start, stop
from tests.support import free_port, wait_until_up

from .world import World, expected_ends, pooled_paths, prepare_portal, read_paths


@pytest.fixture
def portal(world: World, tmp_path: Path) -> Iterator[tuple[str, dict[str, str], Path]]:
    database = tmp_path / "portal.db"
    tokens = prepare_portal(f"sqlite:///{database}", world)
    port = free_port()
    args = ["serve", "--port", str(port), "--database-url", f"sqlite:///{database}"]
    server = start(args, tmp_path, tmp_path / "serve.log", ROBOTRACE_ANALYTICS_DIR=str(tmp_path))
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{url}/api/v1/openapi.json", server)
        yield url, tokens, database
    finally:
        stop(server)


def start_agent(
    url: str, world: World, named: str, token: str, tmp_path: Path, **env: str
) -> subprocess.Popen[bytes]:
    args = ["agent", "--url", url, "--cdrs", str(world.own_store(named)), "--interval", "0.2"]
    args += ["--state", str(tmp_path / f"{named}.state.json")]
    log = tmp_path / f"{named}.agent.log"
    with log.open("ab") as out:  # a restarted agent's log goes on
        return subprocess.Popen(
            [sys.executable, "-m", "robotrace.cli", *args],
            cwd=tmp_path,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "ROBOTRACE_AGENT_TOKEN": token, **env},
        )


def wait_until_logged(path: Path, text: str, count: int = 1, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists() and path.read_text(errors="replace").count(text) >= count:
            return
        time.sleep(0.05)
    raise AssertionError(f"{path} never said {text!r}: {path.read_text(errors='replace')}")


def bulk_trace(url: str, token: str, world: World, out: Path) -> subprocess.Popen[bytes]:
    args = ["bulk-trace", "--url", url, "--calls", str(world.calls), "--out", str(out)]
    return subprocess.Popen(
        [sys.executable, "-m", "robotrace.cli", *args, "--json", "--poll", "0.2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "ROBOTRACE_TOKEN": token},
    )


def finished(process: subprocess.Popen[bytes], seconds: float = 180) -> dict:
    out, err = process.communicate(timeout=seconds)
    assert process.returncode == 0, err.decode()
    return json.loads(out)


def test_bulk_trace_through_agents_finds_the_pooled_paths(portal, world, tmp_path):
    url, tokens, _ = portal
    agents = [start_agent(url, world, n, tokens[n], tmp_path) for n in world.record_keepers()]
    try:
        for named in world.record_keepers():  # each has used its token: it has an agent
            wait_until_logged(tmp_path / f"{named}.agent.log", "agent for provider")
        summary = finished(bulk_trace(url, tokens["coordinator"], world, tmp_path / "out"))
    finally:
        for process in agents:
            stop(process)
    pooled = pooled_paths(world)
    federated = read_paths(tmp_path / "out" / "paths.parquet")
    assert federated == {row["call_id"]: row for row in pooled.to_pylist()}
    assert {k: (r["status"], r["path"]) for k, r in federated.items()} == expected_ends(world)
    flows = json.loads((tmp_path / "out" / "flows.json").read_text())
    assert flows == [f.as_dict() for f in campaign_flows(pooled)]
    assert summary["calls"] == len(federated)


def answered_in_batches_of(database: Path, named: str) -> tuple[int, int]:
    """(calls answered, calls asked) in ``named``'s batches, read from the portal's store."""
    with sqlite3.connect(database, timeout=30) as db:
        row = db.execute(
            """SELECT count(bc.answer), count(*) FROM batch_calls bc
               JOIN batch_requests br ON br.id = bc.batch_id WHERE br.provider_key = ?""",
            (named,),
        ).fetchone()
    return int(row[0]), int(row[1])


def settled_answers(database: Path, named: str, quiet: float = 0.5) -> tuple[int, int]:
    """:func:`answered_in_batches_of` once it has not changed for ``quiet`` seconds."""
    last, since = answered_in_batches_of(database, named), time.monotonic()
    deadline = since + 15
    while time.monotonic() - since < quiet:
        assert time.monotonic() < deadline, "the answers kept changing after the agent died"
        time.sleep(0.05)
        now = answered_in_batches_of(database, named)
        if now != last:
            last, since = now, time.monotonic()
    return last


def test_an_agent_killed_mid_batch_loses_nothing_and_answers_nothing_twice(portal, world, tmp_path):
    url, tokens, database = portal
    # The busiest terminating provider: its first batch holds the most calls.
    terminating = Counter(read_calls(world.calls)["terminating_provider"].to_pylist())
    victim = terminating.most_common(1)[0][0]
    others = [n for n in world.record_keepers() if n != victim]
    agents = [start_agent(url, world, n, tokens[n], tmp_path) for n in others]
    me = httpx.get(f"{url}/api/v1/me", headers={"Authorization": f"Bearer {tokens[victim]}"})
    assert me.status_code == 200  # the victim's agent has been running: its token was used
    tracing = bulk_trace(url, tokens["coordinator"], world, tmp_path / "out")
    try:
        # One answer per POST, so that the batch is answered over many requests.
        first = start_agent(url, world, victim, tokens[victim], tmp_path, **ONE_BY_ONE)
        deadline = time.monotonic() + 60
        answered, asked = answered_in_batches_of(database, victim)
        while answered == 0 and time.monotonic() < deadline:
            time.sleep(0.005)
            answered, asked = answered_in_batches_of(database, victim)
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
        # An answer the agent sent just before it died may still be stored: wait until the
        # count holds still, then nobody may add to it until the agent is started again.
        before, asked = settled_answers(database, victim)
        assert 0 < before < asked, (before, asked)  # killed in the middle of its batch
        time.sleep(1)
        assert answered_in_batches_of(database, victim)[0] == before  # nobody else answers
        agents.append(start_agent(url, world, victim, tokens[victim], tmp_path))
        summary = finished(tracing)
    finally:
        for process in agents:
            stop(process)
        if tracing.poll() is None:
            tracing.kill()
    log = (tmp_path / f"{victim}.agent.log").read_text()
    assert f"({before} answered before)" in log  # the restarted agent answered the rest only
    served = (tmp_path / "serve.log").read_text()
    assert '/answer HTTP/1.1" 409' not in served  # no answer was ever sent twice
    federated = read_paths(tmp_path / "out" / "paths.parquet")
    assert federated == {row["call_id"]: row for row in pooled_paths(world).to_pylist()}
    state = json.loads((tmp_path / f"{victim}.state.json").read_text())
    assert len(state["batches"]) == len(set(state["batches"])) >= 1
    assert summary["calls"] == len(federated)


ONE_BY_ONE = {"ROBOTRACE_AGENT_BATCH_ANSWERS": "1"}
