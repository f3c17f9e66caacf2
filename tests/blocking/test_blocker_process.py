"""The done-when test: a real portal and a real blocker, and the portal stopped and started.

Both are ``python -m robotrace.cli`` subprocesses. The portal's store is a SQLite file seeded
with the web tests' providers and a ``no_direct_traffic`` authorization (it needs no letter).
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from pathlib import Path

import httpx
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from robotrace.cli import main
from robotrace.clock import SystemClock
from robotrace.enforcement import records, service, signing
from robotrace.enforcement.authorizations import Scope
from robotrace.providers.store import upsert_providers
from robotrace.settings import Settings
from robotrace.store import models
from robotrace.store.db import make_engine, transaction, upgrade
from tests.blocking.sip import builders
from tests.blocking.sip.test_sipp import run_sipp
from tests.support import free_port, wait_for, wait_until_up
from tests.web.conftest import PROVIDERS

INTERVAL = 0.5
CLEAN = "+12025550143"


def authorize(db_url: str, ocn: str) -> None:
    engine = make_engine(db_url)
    with transaction(engine) as session:
        request = service.AuthorizationRequest(ocn, Scope.NO_DIRECT_TRAFFIC, reason="not in RMD")
        service.issue_authorization(
            session, request, "regulator:fcc@example.org", SystemClock(), Settings.from_environ()
        )
    engine.dispose()


@contextmanager
def running(args: list[str], folder: Path, name: str, health: str) -> Iterator[None]:
    log = open(folder / f"{name}.log", "ab")  # noqa: SIM115 - closed after the process ends
    process = subprocess.Popen(
        [sys.executable, "-m", "robotrace.cli", *args],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=folder,
    )
    try:
        wait_until_up(health, process)
        yield
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def portal(folder: Path, db_url: str, port: int) -> AbstractContextManager[None]:
    args = ["serve", "--port", str(port), "--database-url", db_url]
    return running(args, folder, "serve", f"http://127.0.0.1:{port}/api/v1/blocklist")


def decide(blocker: str, upstream: str) -> dict:
    call = {"upstream": upstream, "calling": CLEAN, "called": "+13125550199"}
    return httpx.post(f"{blocker}/v1/decide", json=call, timeout=5).json()


@pytest.fixture
def store(tmp_path: Path) -> str:
    db_url = f"sqlite:///{tmp_path / 'robotrace.db'}"
    engine = make_engine(db_url)
    upgrade(engine)
    with transaction(engine) as session:
        upsert_providers(session, PROVIDERS, SystemClock())
    engine.dispose()
    authorize(db_url, "BBBB")
    (tmp_path / "blocklist.pub.pem").write_bytes(
        signing.public_key_pem(Settings.from_environ().blocklist_signing_key)
    )
    return db_url


def test_the_blocker_keeps_the_last_good_list_while_the_portal_is_down_and_picks_up_the_next(
    tmp_path: Path, store: str
) -> None:
    port, blocker_port = free_port(), free_port()
    base, blocker = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{blocker_port}"
    blocker_args = [
        "blocker", "--portal", base, "--listen", f"127.0.0.1:{blocker_port}",
        "--interval", str(INTERVAL), "--public-key", str(tmp_path / "blocklist.pub.pem"),
    ]  # fmt: skip
    health = lambda: httpx.get(f"{blocker}/health", timeout=5).json()  # noqa: E731
    with running(blocker_args, tmp_path, "blocker", f"{blocker}/health"):
        with portal(tmp_path, store, port):
            wait_for(lambda: health()["status"] == "ok", 10)
            assert decide(blocker, "BBBB")["reason"] == "no_direct_traffic"
            assert decide(blocker, "CCCC")["decision"] == "allow"
            first = health()

        # The portal is stopped: the last good list still answers, and /health says stale.
        wait_for(lambda: health()["status"] == "stale", 5)
        answer = decide(blocker, "BBBB")
        assert (answer["decision"], answer["version"]) == ("block", first["version"])
        assert health()["last_error"]

        authorize(store, "CCCC")
        with portal(tmp_path, store, port):
            started = time.monotonic()
            wait_for(lambda: health()["version"] == first["version"] + 1, INTERVAL + 3)
            took = time.monotonic() - started
            assert took <= INTERVAL + 3
            assert health()["status"] == "ok"
            answer = decide(blocker, "CCCC")
            assert (answer["decision"], answer["reason"]) == ("block", "no_direct_traffic")
    log = (tmp_path / "blocker.log").read_text()
    assert "block list version None → 1" in log and "version 1 → 2" in log


def invite(port: int, tgrp: str, source: str = "127.0.0.1") -> str:
    """One INVITE over UDP from ``source`` naming RFC 4904 trunk group ``tgrp``; the
    response's text."""
    uri = f"sip:+13125550199;tgrp={tgrp};trunk-context=example.net@127.0.0.1;user=phone"
    data = builders.invite(uri=uri, via="VIA-HERE")
    answer = builders.udp_exchange(port, data, source=source)
    assert answer is not None, "no SIP answer"
    return answer.decode()


def sip_blocker_args(folder: Path, base: str, port: int, sip_port: int) -> list[str]:
    """``robotrace blocker`` polling the portal at ``base``, HTTP on ``port`` and SIP on
    ``sip_port``, redirecting allowed calls to 10.0.0.9:5060."""
    return [
        "blocker", "--portal", base, "--listen", f"127.0.0.1:{port}",
        "--interval", str(INTERVAL), "--public-key", str(folder / "blocklist.pub.pem"),
        "--sip-listen", f"127.0.0.1:{sip_port}", "--next-hop", "10.0.0.9:5060",
    ]  # fmt: skip


def header(response: str, name: str) -> str:
    """The value of the one ``name`` header of a SIP response (the test fails without one)."""
    pairs = (line.partition(": ") for line in response.splitlines())
    values = [value for key, _, value in pairs if key == name]
    assert len(values) == 1, (name, response)
    return values[0]


#: 127.0.0.1 is an ingress SBC that stamps tgrp (here: the upstream's OCN); 127.0.0.2 is
#: BBBB's own gateway, which names its upstream by its address alone.
SBC_TRUNKS = """source,tgrp,trunk_context,ocn,trust_tgrp
127.0.0.1,,,,1
127.0.0.2,,,BBBB,
"""


def test_the_blocker_answers_sip_invites_with_603_naming_the_authorization(
    tmp_path: Path, store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "trunks.csv").write_text(SBC_TRUNKS)
    monkeypatch.setenv("ROBOTRACE_BLOCKER_TRUNKS_FILE", str(tmp_path / "trunks.csv"))
    monkeypatch.setenv("ROBOTRACE_BLOCKER_TGRP_IS_OCN", "1")
    port, blocker_port, sip_port = free_port(), free_port(), free_port()
    base, blocker = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{blocker_port}"
    args = sip_blocker_args(tmp_path, base, blocker_port, sip_port)
    with portal(tmp_path, store, port), running(args, tmp_path, "blocker", f"{blocker}/health"):
        wait_for(lambda: httpx.get(f"{blocker}/health", timeout=5).json()["status"] == "ok", 10)
        sip_health = httpx.get(f"{blocker}/health", timeout=5).json()["sip"]
        authorization = decide(blocker, "BBBB")["authorization_id"]
        blocked = invite(sip_port, "BBBB")
        allowed = invite(sip_port, "CCCC")
        # Issue 24 item 4: BBBB's own gateway writing CCCC's tgrp is still BBBB.
        escaping = invite(sip_port, "CCCC", source="127.0.0.2")
    assert sip_health == {"udp": "ok", "tcp": "ok"}
    assert blocked.startswith("SIP/2.0 603 Network Blocked")
    # ATIS-1000099: the reference in the Reason's id; the reason code in the Warning's prose.
    assert header(blocked, "Reason") == (
        f'SIP;cause=603;text="v=analytics1;id=BA-{authorization:06d}";location=RLN'
    )
    warning = header(blocked, "Warning")
    assert "no_direct_traffic" in warning and f"authorization {authorization}" in warning
    assert allowed.startswith("SIP/2.0 302")
    assert "<sip:+13125550199@10.0.0.9:5060>" in allowed
    assert escaping.startswith("SIP/2.0 603 Network Blocked")


def test_a_blocker_restarted_while_the_portal_is_down_blocks_with_its_cached_list(
    tmp_path: Path, store: str
) -> None:
    port, blocker_port = free_port(), free_port()
    base, blocker = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{blocker_port}"
    args = [
        "blocker", "--portal", base, "--listen", f"127.0.0.1:{blocker_port}",
        "--interval", str(INTERVAL), "--public-key", str(tmp_path / "blocklist.pub.pem"),
        "--cache", str(tmp_path / "blocklist-cache.json"),
    ]  # fmt: skip
    health = lambda: httpx.get(f"{blocker}/health", timeout=5).json()  # noqa: E731
    with portal(tmp_path, store, port), running(args, tmp_path, "blocker", f"{blocker}/health"):
        wait_for(lambda: health()["status"] == "ok", 10)
        version = health()["version"]
    # Both stopped; the blocker comes back alone.
    with running(args, tmp_path, "blocker", f"{blocker}/health"):
        answer = decide(blocker, "BBBB")
        assert (answer["decision"], answer["reason"]) == ("block", "no_direct_traffic")
        assert health()["version"] == version and health()["status"] == "stale"
    assert "serving the cached block list version" in (tmp_path / "blocker.log").read_text()


#: A caller ID under a ``numbers`` authorization against CCCC; spoofers use it too.
SPOOFED = "+12025550177"
#: The county PSAP, on the operator's critical-caller list.
PSAP = "+13125550911"


def authorize_numbers(db_url: str, key: str, numbers: list[str]) -> None:
    """A ``numbers`` authorization against ``key``; the warning letter decided noncompliant
    that the ladder asks for first is stored as decided (the ladder has its own tests)."""
    engine = make_engine(db_url)
    now = SystemClock().now()
    with transaction(engine) as session:
        provider = records.provider_by_key(session, key)
        letter = models.EnforcementAction(
            provider_id=provider.id, kind=records.LETTER, status="noncompliant", issued_at=now,
            mitigate_by=now, report_by=now, named_campaigns=[], named_originators=[],
            named_findings=[], evidence={"rows": []}, ladder="k4",
        )  # fmt: skip
        session.add(letter)
    with transaction(engine) as session:
        request = service.AuthorizationRequest(
            key, Scope.NUMBERS, numbers=numbers, reason="robocalls from these numbers"
        )
        service.issue_authorization(
            session, request, "regulator:fcc@example.org", SystemClock(), Settings.from_environ()
        )
    engine.dispose()


def screen_rows(
    folder: Path, base: str, calls: list[tuple[str, str, str]], at: datetime
) -> list[dict]:
    """``robotrace screen`` of ``calls`` (upstream, calling, called), all made at ``at``,
    against the portal's signed list: its marked rows, in the order of ``calls``."""
    cdrs, out = folder / "cdrs.parquet", folder / "marked.parquet"
    table = pa.table(
        {
            "call_time": pa.array([at] * len(calls), pa.timestamp("ms", tz="UTC")),
            "from_provider": [c[0] for c in calls],
            "calling_number": [c[1] for c in calls],
            "called_number": [c[2] for c in calls],
        }
    )
    pq.write_table(table, cdrs)
    args = [
        "screen", "--cdrs", str(cdrs), "--portal", base,
        "--public-key", str(folder / "blocklist.pub.pem"), "--out", str(out), "--json",
    ]  # fmt: skip
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    order = {call: n for n, call in enumerate(calls)}
    rows = pq.read_table(out).to_pylist()
    return sorted(
        rows, key=lambda r: order[(r["upstream"], r["calling_number"], r["called_number"])]
    )


def test_a_number_entry_blocks_only_its_providers_traffic_and_calls_to_911_always_pass(
    tmp_path: Path,
    store: str,
    monkeypatch: pytest.MonkeyPatch,
    sipp: str,
) -> None:
    """Issue 19's done-when, over a real portal and blocker: the spoofed caller ID is allowed
    from other upstreams, and emergency and critical calls pass a blocked upstream — over
    HTTP, SIP (a raw INVITE and sipp) and ``robotrace screen``."""
    authorize_numbers(store, "CCCC", [SPOOFED])
    (tmp_path / "trunks.csv").write_text(SBC_TRUNKS)
    (tmp_path / "critical.txt").write_text(f"# PSAPs\n{PSAP}  # county 911 center\n")
    monkeypatch.setenv("ROBOTRACE_BLOCKER_TRUNKS_FILE", str(tmp_path / "trunks.csv"))
    monkeypatch.setenv("ROBOTRACE_BLOCKER_TGRP_IS_OCN", "1")
    monkeypatch.setenv("ROBOTRACE_BLOCKER_CRITICAL_CALLERS_FILE", str(tmp_path / "critical.txt"))
    monkeypatch.setenv("ROBOTRACE_BLOCKER_REDRESS_TEL", "+12025550100")
    # (upstream, calling, called) → the rule that decides it (docs/blocking.md's table).
    cases = {
        ("CCCC", SPOOFED, "+13125550199"): "number_blocked",  # the named provider's traffic
        ("AAAA", SPOOFED, "+13125550199"): "allowed",  # the same caller ID, spoofed elsewhere
        ("BBBB", CLEAN, "911"): "emergency_destination",  # BBBB is blocked, 911 passes
        ("BBBB", CLEAN, "+1 988"): "emergency_destination",
        ("BBBB", PSAP, "+13125550199"): "critical_caller",
        ("BBBB", CLEAN, "+13125550199"): "no_direct_traffic",
    }
    port, blocker_port, sip_port = free_port(), free_port(), free_port()
    base, blocker = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{blocker_port}"
    args = [*sip_blocker_args(tmp_path, base, blocker_port, sip_port), "--sip-processes", "1"]
    with portal(tmp_path, store, port), running(args, tmp_path, "blocker", f"{blocker}/health"):
        wait_for(lambda: httpx.get(f"{blocker}/health", timeout=5).json()["status"] == "ok", 10)
        over_http = {}
        for upstream, calling, called in cases:
            call = {"upstream": upstream, "calling": calling, "called": called}
            answer = httpx.post(f"{blocker}/v1/decide", json=call, timeout=5).json()
            over_http[(upstream, calling, called)] = answer["reason"]
            if answer["reason"] == "number_blocked":
                assert answer["authorization_id"] != 2  # the reference is not the row id
        over_sip = {}
        for upstream, calling, called in cases:
            target = f"{called.replace(' ', '')};tgrp={upstream};trunk-context=example.net"
            uri = f"sip:{target}@127.0.0.1"
            data = builders.invite(uri=uri, via="VIA-HERE").replace(
                f"sip:{builders.CALLING}@".encode(), f"sip:{calling}@".encode()
            )
            answer = builders.udp_exchange(sip_port, data)
            assert answer is not None, (upstream, calling, called)
            over_sip[(upstream, calling, called)] = answer.decode()
        # sipp, an independent SIP peer: a call to 911 from blocked BBBB, UDP and TCP.
        for transport in ("u1", "t1"):
            log = run_sipp(
                sipp, sip_port, "emergency", transport, tmp_path / f"sipp-{transport}",
                target="911;tgrp=BBBB;trunk-context=example.net", calls=2,
            )  # fmt: skip
            assert log.count("Contact:") == 2
        # Made now: after the authorizations took effect.
        rows = screen_rows(tmp_path, base, list(cases), SystemClock().now())
        over_screen = [row["reason"] for row in rows]
    assert over_http == cases
    assert over_screen == list(cases.values())
    for call, reason in cases.items():
        response = over_sip[call]
        if reason in ("number_blocked", "no_direct_traffic"):
            assert response.startswith("SIP/2.0 603 Network Blocked"), call
        else:
            assert response.startswith("SIP/2.0 302"), call
            called = call[2].replace(" ", "")
            assert header(response, "Contact") == f"<sip:{called}@10.0.0.9:5060>", call
    assert header(over_sip[("CCCC", SPOOFED, "+13125550199")], "Reason") == (
        # The store's BBBB authorization is BA-000001; this one is the second authorization
        # (row id 3, after the letter): authorizations number their own sequence.
        'SIP;cause=603;text="v=analytics1;tel=+12025550100;id=BA-000002";location=RLN'
    )
