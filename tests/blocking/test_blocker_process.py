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
from pathlib import Path

import httpx
import pytest

from robotrace.clock import SystemClock
from robotrace.enforcement import service, signing
from robotrace.enforcement.authorizations import Scope
from robotrace.store.db import make_engine, transaction, upgrade
from robotrace.store.repository import upsert_providers
from tests.blocking.sip import builders
from tests.browser.conftest import free_port, wait_until_up
from tests.web.conftest import PROVIDERS

INTERVAL = 0.5
CLEAN = "+12025550143"


def authorize(db_url: str, ocn: str) -> None:
    engine = make_engine(db_url)
    with transaction(engine) as session:
        request = service.AuthorizationRequest(ocn, Scope.NO_DIRECT_TRAFFIC, reason="not in RMD")
        service.issue_authorization(session, request, "regulator:fcc@example.org", SystemClock())
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


def wait_for(check, seconds: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if check():
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"not within {seconds} s")


@pytest.fixture
def store(tmp_path: Path) -> str:
    db_url = f"sqlite:///{tmp_path / 'robotrace.db'}"
    engine = make_engine(db_url)
    upgrade(engine)
    with transaction(engine) as session:
        upsert_providers(session, PROVIDERS, SystemClock())
    engine.dispose()
    authorize(db_url, "BBBB")
    (tmp_path / "blocklist.pub.pem").write_bytes(signing.public_key_pem())
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
            took = wait_for(lambda: health()["version"] == first["version"] + 1, INTERVAL + 3)
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
    args = [
        "blocker", "--portal", base, "--listen", f"127.0.0.1:{blocker_port}",
        "--interval", str(INTERVAL), "--public-key", str(tmp_path / "blocklist.pub.pem"),
        "--sip-listen", f"127.0.0.1:{sip_port}", "--next-hop", "10.0.0.9:5060",
    ]  # fmt: skip
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
    reason = next(line for line in blocked.splitlines() if line.startswith("Reason:"))
    assert "no_direct_traffic" in reason and f"authorization {authorization}" in reason
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
