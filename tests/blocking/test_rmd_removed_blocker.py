"""Issue 17's done-when through the real blocker: a regulator's RMD removal reaches a running
``robotrace blocker`` as an ``rmd_removed`` entry on the next signed list, and a reinstatement
lifts it.

A real portal and a real blocker (``python -m robotrace.cli`` subprocesses, as in
test_blocker_process.py). The removed provider is known to robotrace by its RMD number (its
key) and has an OCN besides; the blocker's trunk table names it by the one or the other, and
both must be blocked, with an answer that names the FCC's removal order (there is no
authorization): over HTTP (``/v1/decide``), over SIP (a 603's Reason header, with sipp too),
and in ``robotrace screen`` against the portal's signed list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session

from robotrace.clock import SystemClock
from robotrace.enforcement import signing
from robotrace.enforcement.rmd import record_reinstatement, record_removal
from robotrace.providers.registry import Provider
from robotrace.providers.store import upsert_providers
from robotrace.settings import Settings
from robotrace.store.db import make_engine, transaction, upgrade
from tests.blocking.sip.builders import CALLED
from tests.blocking.sip.test_sipp import run_sipp
from tests.blocking.test_blocker_process import (
    INTERVAL,
    invite,
    portal,
    running,
    screen_rows,
    sip_blocker_args,
)
from tests.support import free_port, wait_for
from tests.web.conftest import PROVIDERS

REGULATOR = "regulator:fcc@example.org"
ORDER = "DA 25-694"
CLEAN = "+12025550143"
#: First known from the RMD export (so its key is its RMD number), with an OCN learned since.
GOLF = Provider(
    "RMD0007777",
    "Golf Telecom",
    rmd_numbers=("RMD0007777",),
    ocns=("GLF1",),
    contact_email="noc@golf.example",
)
#: SIP arrives from 127.0.0.1, an SBC whose tgrp the table trusts (issue 24: only there).
TRUNKS = """source,tgrp,trunk_context,ocn,trust_tgrp
192.0.2.77,,,GLF1,
127.0.0.1,,,,1
,tg-golf-key,,RMD0007777,
,tg-golf-ocn,,GLF1,
"""
#: One call from Golf, handed over as each trunk table row or request names it.
CALLS = {
    "upstream key": {"upstream": "RMD0007777"},
    "upstream OCN": {"upstream": "glf1"},
    "trunk row naming the key": {"tgrp": "tg-golf-key", "trunk_context": "example.net"},
    "trunk row naming the OCN": {"tgrp": "tg-golf-ocn"},
    "source address row naming the OCN": {"source_ip": "192.0.2.77"},
}
REASON = f"removed from the Robocall Mitigation Database ({ORDER})"


def enter(db_url: str, step: Callable[[Session], object]) -> None:
    """One regulator's step in the portal's store, committed, as the portal would do it."""
    engine = make_engine(db_url)
    with transaction(engine) as session:
        step(session)
    engine.dispose()


def remove(db_url: str) -> None:
    """The order took effect an hour ago (before the screened calls of a minute ago)."""
    clock = SystemClock()
    since = clock.now() - timedelta(hours=1)
    enter(
        db_url,
        lambda s: record_removal(
            s, "GLF1", ORDER, since, REGULATOR, clock, Settings.from_environ()
        ),
    )


def reinstate(db_url: str) -> None:
    enter(
        db_url,
        lambda s: record_reinstatement(
            s, "RMD0007777", "DA 26-101", None, REGULATOR, SystemClock(), Settings.from_environ()
        ),
    )


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    db_url = f"sqlite:///{tmp_path / 'robotrace.db'}"
    engine = make_engine(db_url)
    upgrade(engine)
    with transaction(engine) as session:
        upsert_providers(session, [*PROVIDERS, GOLF], SystemClock())
    engine.dispose()
    (tmp_path / "blocklist.pub.pem").write_bytes(
        signing.public_key_pem(Settings.from_environ().blocklist_signing_key)
    )
    (tmp_path / "trunks.csv").write_text(TRUNKS)
    # The blocker subprocess reads its trunk table from this setting.
    monkeypatch.setenv("ROBOTRACE_BLOCKER_TRUNKS_FILE", str(tmp_path / "trunks.csv"))
    # The list names no redress (no blocklist_redress_* setting): the blocker's own is the 603+'s.
    monkeypatch.setenv("ROBOTRACE_BLOCKER_REDRESS_EMAIL", "abuse@downstream.example")
    return db_url


@contextmanager
def portal_and_blocker(folder: Path, db_url: str) -> Iterator[tuple[str, str, int]]:
    """Both running, the blocker's list loaded: (portal URL, blocker URL, SIP port)."""
    port, blocker_port, sip_port = free_port(), free_port(), free_port()
    base, blocker = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{blocker_port}"
    args = sip_blocker_args(folder, base, blocker_port, sip_port)
    with ExitStack() as stack:
        stack.enter_context(portal(folder, db_url, port))
        stack.enter_context(running(args, folder, "blocker", f"{blocker}/health"))
        wait_for(lambda: health(blocker)["status"] == "ok", 10)
        yield base, blocker, sip_port


def health(blocker: str) -> dict:
    return httpx.get(f"{blocker}/health", timeout=5).json()


def next_version(blocker: str, before: int) -> None:
    """Wait until the blocker has fetched the version after ``before`` (one poll or two)."""
    wait_for(lambda: health(blocker)["version"] == before + 1, INTERVAL + 5)


def decide_each(blocker: str) -> dict[str, dict]:
    answers = {}
    for name, how in CALLS.items():
        call = {"calling": CLEAN, "called": CALLED, **how}
        answers[name] = httpx.post(f"{blocker}/v1/decide", json=call, timeout=5).json()
    return answers


def reason_header(answer: str) -> str:
    return next(line for line in answer.splitlines() if line.startswith("Reason:"))


def screened(folder: Path, base: str) -> set[tuple[str, str, str | None]]:
    """``robotrace screen`` of two calls from Golf made a minute ago (CDRs naming it by key
    and by OCN) against the portal's signed list: each row's (upstream, reason, rmd_order)."""
    calls = [("RMD0007777", CLEAN, CALLED), ("GLF1", CLEAN, CALLED)]
    rows = screen_rows(folder, base, calls, SystemClock().now() - timedelta(minutes=1))
    return {(r["upstream"], r["reason"], r["rmd_order"]) for r in rows}


def test_a_removal_blocks_the_upstream_by_key_and_by_ocn_until_its_reinstatement(
    tmp_path: Path, store: str
) -> None:
    with portal_and_blocker(tmp_path, store) as (base, blocker, sip_port):
        before = health(blocker)["version"]
        assert {a["decision"] for a in decide_each(blocker).values()} == {"allow"}

        remove(store)
        next_version(blocker, before)
        for name, answer in decide_each(blocker).items():
            assert (answer["decision"], answer["reason"]) == ("block", "no_direct_traffic"), name
            assert (answer["authorization_id"], answer["rmd_order"]) == (None, ORDER), name
            assert (answer["detail"], answer["contact"]) == (REASON, "abuse@downstream.example")
        for tgrp in ("tg-golf-key", "tg-golf-ocn"):
            blocked = invite(sip_port, tgrp)
            assert blocked.startswith("SIP/2.0 603 Network Blocked"), tgrp
            assert reason_header(blocked) == (
                'Reason: SIP;cause=603;text="v=analytics1;email=abuse@downstream.example;'
                'id=DA-25-694";location=RLN'
            )
        assert screened(tmp_path, base) == {
            ("RMD0007777", "no_direct_traffic", ORDER),
            ("GLF1", "no_direct_traffic", ORDER),
        }

        reinstate(store)
        next_version(blocker, before + 1)
        for name, answer in decide_each(blocker).items():
            assert (answer["decision"], answer["reason"]) == ("allow", "allowed"), name
            assert answer["rmd_order"] is None, name
        for tgrp in ("tg-golf-key", "tg-golf-ocn"):
            assert invite(sip_port, tgrp).startswith("SIP/2.0 302"), tgrp
        assert screened(tmp_path, base) == {
            ("RMD0007777", "allowed", None),
            ("GLF1", "allowed", None),
        }


def test_sipp_gets_603_naming_the_rmd_removal_order_and_then_a_redirect(
    tmp_path: Path, store: str, sipp: str
) -> None:
    targets = [
        f"{CALLED};tgrp={t};trunk-context=example.net" for t in ("tg-golf-key", "tg-golf-ocn")
    ]
    with portal_and_blocker(tmp_path, store) as (_, blocker, sip_port):
        before = health(blocker)["version"]
        remove(store)
        next_version(blocker, before)
        for n, target in enumerate(targets):
            for transport in ("u1", "t1"):
                logs = tmp_path / f"removed-{n}-{transport}"
                log = run_sipp(
                    sipp, sip_port, "rmd_removed", transport, logs, target=target, calls=2
                )
                assert log.count("id=DA-25-694") == 2
        reinstate(store)
        next_version(blocker, before + 1)
        for n, target in enumerate(targets):
            logs = tmp_path / f"reinstated-{n}"
            log = run_sipp(sipp, sip_port, "allow", "u1", logs, target=target, calls=2)
            assert log.count("Contact:") == 2
