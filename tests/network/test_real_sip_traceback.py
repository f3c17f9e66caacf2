"""Done when (issue 20, item 3): a robocall crosses four providers' real Kamailio proxies, and
each provider's agent traces it back from its own Kamailio's records.

scripts/sip_network.py starts the network: a UK provider's two customers (a robocaller that
spoofs US caller IDs, and a dental practice) dial with sipp through LAKESIDE (foreign,
originating) → HARBORGW (US gateway) → MIDLAND → METROTEL (terminating) to a sipp honeypot.
The Kamailios are stopped, which writes their acc tables (db_text). Then a real portal
(``robotrace serve``) and four ``robotrace agent`` processes, each reading only its own
provider's acc table through its own trunk map, trace calls the honeypot answered.

The truth is what the dialers did: which customer placed which call (their sipp logs), and
the order the calls crossed the providers (the network's wiring) — never robotrace's output.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from robotrace.agent.client import PortalClient

from .conftest import load_sip_network

net: ModuleType = load_sip_network()


@dataclass(frozen=True)
class NetworkRun:
    """The stopped network's folders, the calls each customer placed, what the honeypot got."""

    network: Any
    placed: dict[str, list[Any]]
    received: list[Any]


@pytest.fixture(scope="module")
def network_run(kamailio: str, sipp: str, tmp_path_factory: pytest.TempPathFactory) -> NetworkRun:
    workdir = tmp_path_factory.mktemp("sip-network")
    with net.running_network(workdir, kamailio, sipp) as network:
        placed = {c.name: network.place_calls(c) for c in net.CUSTOMERS}
    return NetworkRun(network, placed, network.received())


def test_the_honeypot_answered_every_call_the_customers_placed(network_run: NetworkRun) -> None:
    placed = [(c.calling, c.called, c.call_id) for cs in network_run.placed.values() for c in cs]
    received = [(c.calling, c.called, c.call_id) for c in network_run.received]
    assert sorted(received) == sorted(placed)
    for customer in net.CUSTOMERS:
        sent = [(c.calling, c.called) for c in network_run.placed[customer.name]]
        assert sent == list(customer.calls)


def acc_invites(table: Path) -> list[dict[str, str]]:
    """The INVITE rows of a db_text acc table, read here on their own (not by robotrace)."""
    header, *rows = table.read_text().splitlines()
    names = [column.split("(")[0] for column in header.split()]
    records = [dict(zip(names, re.split(r"(?<!\\):", row), strict=True)) for row in rows]
    return [r for r in records if r["method"] == "INVITE"]


@pytest.mark.parametrize("at", range(len(net.PROVIDERS)), ids=[p.key for p in net.PROVIDERS])
def test_each_kamailio_recorded_every_call_from_the_hop_before_it(
    network_run: NetworkRun, at: int
) -> None:
    provider = net.PROVIDERS[at]
    rows = acc_invites(network_run.network.records(provider) / "acc")
    by_call_id = {row["callid"]: row for row in rows}
    assert len(by_call_id) == len(rows) == len(network_run.received)
    for customer in net.CUSTOMERS:
        sender = net.PROVIDERS[at - 1].address if at else customer.address
        for call in network_run.placed[customer.name]:
            row = by_call_id[call.call_id]
            assert (row["src_ip"], row["sip_code"]) == (sender, "200")
            assert (row["src_user"], row["dst_user"]) == (call.calling, call.called)
            assert abs(float(row["invite_time"]) - call.at.timestamp()) < 2


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    with net.running_portal(tmp_path_factory.mktemp("portal")) as (url, tokens):
        yield url, tokens


@dataclass(frozen=True)
class RunningAgent:
    process: subprocess.Popen[bytes]
    log: Path


@pytest.fixture(scope="module")
def agents(
    portal: tuple[str, dict[str, str]],
    network_run: NetworkRun,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, RunningAgent]]:
    """Each provider's agent polling the portal, on its own Kamailio's records only."""
    url, tokens = portal
    folder = tmp_path_factory.mktemp("agents")
    running = {}
    for p in net.PROVIDERS:
        args = net.agent_args(url, network_run.network, p)
        args += ["--interval", "0.2", "--state", str(folder / f"{p.key}.state.json")]
        log = folder / f"{p.key}.agent.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                net.robotrace_command(args),
                cwd=folder,
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, "ROBOTRACE_AGENT_TOKEN": tokens[p.key]},
            )
        running[p.key] = RunningAgent(process, log)
    try:
        yield running
    finally:
        for agent in running.values():
            agent.process.terminate()
        for agent in running.values():
            agent.process.wait(15)


def wait_until_closed(
    coordinator: PortalClient, tb_id: str, agents: dict[str, RunningAgent], seconds: float = 45
) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    tb: dict[str, Any] = {}
    while time.monotonic() < deadline and all(a.process.poll() is None for a in agents.values()):
        tb = coordinator.request("GET", f"/tracebacks/{tb_id}").json()
        if tb["status"] == "closed":
            return tb
        time.sleep(0.2)
    logs = "\n".join(f"--- {key}\n{a.log.read_text()[-1500:]}" for key, a in agents.items())
    raise AssertionError(f"traceback not closed (an agent exited, or time ran out): {tb}\n{logs}")


@pytest.mark.parametrize(
    ("customer", "nth"), [(net.ROBOCALLER, 1), (net.DENTAL, 0)], ids=["robocaller", "dental"]
)
def test_the_agents_trace_a_honeypot_call_to_the_customer_that_placed_it(
    network_run: NetworkRun,
    portal: tuple[str, dict[str, str]],
    agents: dict[str, RunningAgent],
    customer: Any,
    nth: int,
) -> None:
    # The robocaller's second call went to the same honeypot number as the dental
    # practice's first, a second or two apart: the trace must not mix them up.
    placed = network_run.placed[customer.name][nth]
    [evidence] = [c for c in network_run.received if c.call_id == placed.call_id]
    url, tokens = portal
    coordinator = PortalClient.connect(url, tokens["coordinator"], log=lambda _: None)
    try:
        tb = wait_until_closed(coordinator, net.open_traceback(coordinator, evidence), agents)
    finally:
        coordinator.close()
    assert tb["outcome"] == "origin_identified"
    assert [hop["provider"] for hop in tb["hops"]] == [p.key for p in reversed(net.PROVIDERS)]
    assert [hop["answer"] for hop in tb["hops"]] == ["upstream"] * 3 + ["origin"]
    assert [hop["role"] for hop in tb["hops"]] == [p.role for p in reversed(net.PROVIDERS)]
    assert tb["originating_provider"] == net.PROVIDERS[0].key
    assert tb["gateway_provider"] == net.PROVIDERS[1].key
    assert tb["customer"] == customer.name
