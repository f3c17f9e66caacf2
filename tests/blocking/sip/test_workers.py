"""SIP worker processes on one port: every worker answers, a new list version reaches every
one, their blocked calls add up in the parent (and its /metrics), a dead one comes back.

Two workers: the smallest world with more than one (bench_blocking.py has the big numbers),
shared by the tests of this module in order: the list change and the kill come last.
"""

from __future__ import annotations

import os
import signal
import socket
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from robotrace.blocking.app import Blocker, create_app
from robotrace.blocking.counts import BlockCounts, CountRow
from robotrace.blocking.decide import Policy
from robotrace.blocking.refresh import ListState
from robotrace.blocking.sip import SipService
from robotrace.blocking.sip.workers import SipWorkers, WorkerConfig
from robotrace.blocking.trunks import TrunkTable
from tests.blocking.builders import entry, loaded
from tests.support import wait_for

CALLED = "+13125550199"
NEXT_HOP = "10.0.0.9:5060"


def make_service(state: ListState, counts: BlockCounts, next_hop: str) -> SipService:
    """A worker's service (runs in the worker: module level, found by name)."""
    blocker = Blocker(state, Policy(), TrunkTable(), counts=counts)
    return SipService(blocker.decide_now, next_hop)  # the tgrp names the upstream


@pytest.fixture(scope="module")  # starting workers takes seconds: one pair for the module
def world() -> Iterator[tuple[SipWorkers, ListState, BlockCounts]]:
    state, counts = ListState(), BlockCounts()
    state.blocklist = loaded(entry("BBBB", authorization_id=7), version=1)
    config = WorkerConfig(NEXT_HOP, flush_seconds=0.05)
    workers = SipWorkers("127.0.0.1", 0, 2, state, counts, config, make_service).start()
    yield workers, state, counts
    workers.stop()


def invite(port: int, n: int, tgrp: str = "BBBB") -> bytes:
    return (
        f"INVITE sip:{CALLED};tgrp={tgrp}@127.0.0.1:{port};user=phone SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP 127.0.0.1:5999;rport;branch=z9hG4bK-w{n}-{time.time_ns()}\r\n"
        f"From: <sip:+12025550143@127.0.0.1>;tag=w{n}\r\n"
        f"To: <sip:{CALLED}@127.0.0.1>\r\n"
        f"Call-ID: w{n}-{time.time_ns()}@127.0.0.1\r\n"
        "CSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
    ).encode()


def burst(port: int, calls: int) -> list[str]:
    """Send ``calls`` INVITEs at once from one socket (as an SBC would); their status lines."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        sock.bind(("127.0.0.1", 0))
        sock.settimeout(5)
        for n in range(calls):
            sock.sendto(invite(port, n), ("127.0.0.1", port))
        return [sock.recv(65_535).split(b"\r\n", 1)[0].decode() for _ in range(calls)]


def everyone_answered(workers: SipWorkers, before: list[int]) -> bool:
    return all(now > then for now, then in zip(workers.requests(), before, strict=True))


def test_every_worker_answers_one_peer_and_the_counts_add_up(world) -> None:
    workers, _, counts = world
    before, sent = workers.requests(), 0
    while not everyone_answered(workers, before) and sent < 2_000:
        answers = burst(workers.port, 100)
        sent += 100
        assert set(answers) == {"SIP/2.0 603 Network Blocked"}
        time.sleep(0.1)  # a flush
    assert everyone_answered(workers, before), workers.requests()
    wait_for(lambda: counts.total() == sent, 10)
    assert counts.snapshot() == [CountRow("provider_blocked", 7, None, sent)]
    assert workers.health() == {"udp": "ok", "tcp": "ok"}


def test_the_blocker_s_metrics_show_every_worker_s_blocked_calls(world) -> None:
    workers, state, counts = world
    blocker = Blocker(state, Policy(), TrunkTable(), counts=counts, sip_requests=workers.requests)
    client = TestClient(create_app(blocker))
    wait_for(lambda: sum(workers.requests()) == counts.total(), 10)  # the last flush is in
    blocked, requests = scrape(client)
    assert set(burst(workers.port, 40)) == {"SIP/2.0 603 Network Blocked"}
    wait_for(lambda: counts.total() == blocked + 40, 10)
    wait_for(lambda: sum(workers.requests()) == requests + 40, 10)
    assert scrape(client) == (blocked + 40, requests + 40)
    assert "robotrace_blocker_list_version 1.0" in client.get("/metrics").text


def scrape(client: TestClient) -> tuple[float, float]:
    """(calls blocked under authorization 7, SIP requests of both workers) from /metrics."""
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(client.get("/metrics").text)
        for s in family.samples
    }
    labels = (("authorization", "7"), ("order", ""), ("reason", "provider_blocked"))
    per_worker = [v for (name, _), v in samples.items() if name.startswith("robotrace_blocker_sip")]
    assert len(per_worker) == 2
    return samples[("robotrace_blocker_calls_blocked_total", labels)], sum(per_worker)


def test_a_worker_answers_over_tcp(world) -> None:
    workers, _, _ = world
    with socket.create_connection(("127.0.0.1", workers.port), timeout=5) as sock:
        sock.sendall(invite(workers.port, 1).replace(b"SIP/2.0/UDP", b"SIP/2.0/TCP"))
        assert sock.recv(65_535).startswith(b"SIP/2.0 603 Network Blocked\r\n")


def test_a_worker_that_dies_is_started_again(world) -> None:
    workers, _, _ = world
    os.kill(workers.workers[0].process.pid, signal.SIGKILL)
    wait_for(lambda: workers.health() == {"udp": "down", "tcp": "down"}, 5)
    wait_for(lambda: workers.health() == {"udp": "ok", "tcp": "ok"}, 60)
    assert set(burst(workers.port, 20)) == {"SIP/2.0 603 Network Blocked"}


def test_a_new_list_version_reaches_every_worker(world) -> None:
    workers, state, _ = world
    assert set(burst(workers.port, 20)) == {"SIP/2.0 603 Network Blocked"}
    state.blocklist = loaded(entry("CCCC", authorization_id=8), version=2)  # BBBB lifted
    time.sleep(0.5)  # the parent sends it within 50 ms
    before = workers.requests()
    for _ in range(20):
        assert set(burst(workers.port, 100)) == {"SIP/2.0 302 Moved Temporarily"}
        time.sleep(0.1)
        if everyone_answered(workers, before):
            break
    assert everyone_answered(workers, before), (before, workers.requests())
