"""Real SIP clients: sipp (Debian package sip-tester) runs the scenarios in scenarios/.

Each test starts the redirect server in this process (its own thread and event loop) and runs
sipp as a UAC against it over UDP (``-t u1``) and TCP (``-t t1``). A scenario fails sipp's
exit status when a response or an ``<ereg check_it="true">`` on its headers does not match.
"""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pytest

from robotrace.blocking.sip import RunningSipServer

from .builders import BLOCKED_OCN, CALLED, CALLING, ScriptedDecider, invite

SCENARIOS = Path(__file__).parent / "scenarios"
TRANSPORTS = pytest.mark.parametrize("transport", ["u1", "t1"], ids=["udp", "tcp"])
BLOCKED_TARGET = f"{CALLED};tgrp={BLOCKED_OCN};trunk-context=example.net"


def run_sipp(
    sipp: str,
    port: int,
    scenario: str,
    transport: str,
    logs: Path,
    *,
    target: str,
    calls: int,
    calling: str = CALLING,
) -> str:
    """Run ``calls`` calls of ``scenario``; returns the scenario's <log> output."""
    logs.mkdir(exist_ok=True)
    command = [
        sipp, f"127.0.0.1:{port}", "-sf", str(SCENARIOS / f"{scenario}.xml"),
        "-m", str(calls), "-t", transport, "-i", "127.0.0.1",
        "-s", target, "-key", "calling", calling,
        "-timeout", "20s", "-nostdin",
        "-trace_logs", "-log_file", str(logs / "log.txt"),
        "-trace_err", "-error_file", str(logs / "errors.txt"),
    ]  # fmt: skip
    result = subprocess.run(command, cwd=logs, capture_output=True, text=True, timeout=60)
    errors = (logs / "errors.txt").read_text() if (logs / "errors.txt").exists() else ""
    assert result.returncode == 0, f"sipp failed ({result.returncode}): {errors}{result.stderr}"
    return (logs / "log.txt").read_text()


@TRANSPORTS
def test_sipp_gets_a_603_plus_naming_the_redress_and_the_authorization(
    sipp: str,
    sip_server: RunningSipServer,
    decider: ScriptedDecider,
    transport: str,
    tmp_path: Path,
) -> None:
    log = run_sipp(
        sipp, sip_server.port, "block", transport, tmp_path, target=BLOCKED_TARGET, calls=5
    )
    reasons = [line for line in log.splitlines() if line.startswith("Reason:")]
    assert len(reasons) == 5
    assert all("id=BA-004242" in reason for reason in reasons)
    assert {call.upstream for call in decider.asked} == {BLOCKED_OCN}
    assert {(call.calling, call.called) for call in decider.asked} == {(CALLING, CALLED)}


@TRANSPORTS
def test_sipp_is_redirected_to_the_next_hop_when_allowed(
    sipp: str, sip_server: RunningSipServer, transport: str, tmp_path: Path
) -> None:
    log = run_sipp(sipp, sip_server.port, "allow", transport, tmp_path, target=CALLED, calls=5)
    assert log.count("Contact:") == 5


@TRANSPORTS
def test_sipp_options_gets_200_with_allow(
    sipp: str, sip_server: RunningSipServer, transport: str, tmp_path: Path
) -> None:
    log = run_sipp(sipp, sip_server.port, "options", transport, tmp_path, target=CALLED, calls=2)
    assert log.count("Allow:") == 2


@TRANSPORTS
def test_sipp_calls_still_succeed_after_malformed_input(
    sipp: str, sip_server: RunningSipServer, transport: str, tmp_path: Path
) -> None:
    send_malformed(sip_server.port)
    log = run_sipp(
        sipp, sip_server.port, "block", transport, tmp_path, target=BLOCKED_TARGET, calls=2
    )
    assert log.count("Reason:") == 2


def send_malformed(port: int) -> None:
    """Garbage and a truncated INVITE, over UDP and over TCP."""
    garbage = b"\x00\xff\xfe garbage \r\n\r\n" * 50
    truncated = invite()[:150]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        for data in (garbage, truncated, b"INVITE", b"\r\n"):
            udp.sendto(data, ("127.0.0.1", port))
    for data in (garbage, truncated):
        with socket.create_connection(("127.0.0.1", port), timeout=3) as tcp:
            tcp.sendall(data)
