"""The signer shortcut on a simulated world: honeypot calls signed by the simulator, verified
from its certificate folder, traced with the providers answering from their own CDRs. The
originating provider is checked against the world's answer key."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from robotrace.cdr.lookup import open_records_dir
from robotrace.clock import SimulatedClock
from robotrace.evidence.honeypot import import_honeypot_csv
from robotrace.settings import DEFAULTS
from robotrace.shaken.chain import TrustStore
from robotrace.shaken.stored_calls import load_certificate_folder, verify_calls
from robotrace.shaken.verify import Verifier
from robotrace.simulate.registry import load_world_providers
from robotrace.simulate.runner import SimulationParams, simulate
from robotrace.simulate.shaken import X5U_BASE
from robotrace.store import models
from robotrace.traceback.answerer import Answerer, RecordsAnswerer, RefusingAnswerer
from robotrace.traceback.files import CallToTrace, trace_call
from robotrace.traceback.findings import originating_provider_of
from robotrace.traceback.model import CallUnderTrace, Outcome
from robotrace.traceback.service import signer_lead_of
from robotrace.traceback.store import provider_directory
from robotrace.traceback.workflow import Policy

PARAMS = SimulationParams(seed=2, providers=20, days=1.0, calls=3000)


@dataclass
class Signed:
    out: Path
    truth: dict[str, Any]


@pytest.fixture(scope="module")
def signed_world(tmp_path_factory: pytest.TempPathFactory) -> Signed:
    out = tmp_path_factory.mktemp("shortcut-world")
    simulate(PARAMS, out)
    return Signed(out, json.loads((out / "truth.json").read_text()))


def answerers_of(world: Signed, directory: dict) -> dict[str, Answerer]:
    behaviour = {key: p["behaviour"] for key, p in world.truth["providers"].items()}
    found: dict[str, Answerer] = {}
    for key, records in open_records_dir(world.out / "cdrs").items():
        if behaviour[key] == "cooperative":
            found[key] = RecordsAnswerer(records, directory, skew_s=DEFAULTS.cdr_skew_seconds)
        elif behaviour[key] == "refuses":
            found[key] = RefusingAnswerer()
    return found


def test_signed_honeypot_calls_reach_their_true_origin_no_later_with_the_shortcut(
    session, signed_world
):
    clock = SimulatedClock(datetime(2020, 4, 10, tzinfo=UTC))
    load_world_providers(session, signed_world.out, clock)
    import_honeypot_csv(session, signed_world.out / "honeypot.csv")
    verifier = Verifier(TrustStore.from_paths([signed_world.out / "certs" / "sti-root.pem"], []))
    known = load_certificate_folder(signed_world.out / "certs", X5U_BASE)
    verify_calls(session, verifier, clock, known)
    directory = provider_directory(session)
    answerers = answerers_of(signed_world, directory)
    traced = 0
    for call in session.scalars(select(models.Call).order_by(models.Call.id)):
        truth = signed_world.truth["honeypot"][call.source_ref]
        lead = signer_lead_of(session, call)
        found = (lead.provider, lead.attest) if lead else None
        assert found == ((truth["signer"], truth["attest"]) if truth["signer"] else None)
        if lead is None or lead.attest == "C":
            continue
        term = session.get(models.Provider, call.terminating_provider_id).key
        target = CallToTrace(CallUnderTrace(call.calling_number, call.called_number,
                                            call.call_time), term)  # fmt: skip
        runs = {}
        for shortcut in (False, True):
            start = SimulatedClock(call.call_time + timedelta(hours=1))
            runs[shortcut] = trace_call(
                f"TB-{call.id}-{shortcut}", target, dict(directory), answerers, start, Policy(),
                response_delay=lambda _key: timedelta(minutes=30), signer=lead,
                shortcut=shortcut,
            ).traceback  # fmt: skip
        fast, slow = runs[True], runs[False]
        assert fast.outcome is Outcome.ORIGIN_IDENTIFIED
        assert originating_provider_of(fast) == truth["path"][0]
        assert fast.closed_at - fast.opened_at == timedelta(minutes=30)
        assert fast.closed_at <= slow.closed_at
        traced += 1
    assert traced >= 3, traced
