"""The demo's world carries what each hop received of STIR/SHAKEN and the action at the origin
(issue 23 items 2 and 3): honeypot calls traced with the providers answering from their own
CDRs (robotrace.demo.story.simulated_answerers), checked against truth.json — who signed each
call with which attestation, the true path, and each provider's ``on_traceback_origin``."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from robotrace.clock import SimulatedClock
from robotrace.demo.story import simulated_answerers
from robotrace.evidence.honeypot import import_honeypot_csv
from robotrace.settings import DEFAULTS
from robotrace.simulate.registry import load_world_providers
from robotrace.simulate.runner import SimulationParams, simulate
from robotrace.stats.origin_actions import origin_actions
from robotrace.store import models
from robotrace.traceback.files import CallToTrace, trace_call
from robotrace.traceback.model import Answer, CallUnderTrace, Traceback
from robotrace.traceback.store import provider_directory
from robotrace.traceback.workflow import Policy

PARAMS = SimulationParams(seed=2, providers=20, days=1.0, calls=3000)
TRACED = 25


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("shaken-hops-world")
    simulate(PARAMS, out)
    return out, json.loads((out / "truth.json").read_text())


def _traced(session, out: Path) -> list[tuple[str, Traceback]]:
    clock = SimulatedClock(datetime(2020, 4, 10, tzinfo=UTC))
    load_world_providers(session, out, clock)
    import_honeypot_csv(session, out / "honeypot.csv")
    directory = provider_directory(session)
    answerers = simulated_answerers(out, directory, DEFAULTS.cdr_skew_seconds)
    calls = session.scalars(select(models.Call).order_by(models.Call.id).limit(TRACED))
    traced = []
    for call in calls:
        term = session.get(models.Provider, call.terminating_provider_id).key
        target = CallToTrace(CallUnderTrace(call.calling_number, call.called_number,
                                            call.call_time), term)  # fmt: skip
        start = SimulatedClock(call.call_time + timedelta(hours=1))
        run = trace_call(f"TB-{call.id}", target, dict(directory), answerers, start, Policy(),
                         shortcut=False)  # fmt: skip
        traced.append((call.source_ref, run.traceback))
    return traced


def test_each_hop_reports_the_attestation_and_signer_truth_says_it_received(session, world):
    out, truth = world
    checked = signed_hops = 0
    for ref, tb in _traced(session, out):
        call = truth["honeypot"][ref]
        path, signer = call["path"], call["signer"]  # path: the origin first
        at = path.index(signer) if signer else len(path)
        spc = truth["providers"][signer]["ocn"] if signer else None
        for hop in tb.hops:
            if hop.answer not in (Answer.UPSTREAM, Answer.ORIGIN) or hop.provider == signer:
                continue
            received = path.index(hop.provider) > at  # after the signer: it got the header
            expected = (call["attest"], spc) if received else (None, None)
            assert (hop.received_attest, hop.received_signer) == expected, (ref, hop.provider)
            checked += 1
            signed_hops += received
    assert checked >= 20 and signed_hops >= 5, (checked, signed_hops)


def test_the_origin_states_the_action_truth_gives_its_provider(session, world):
    out, truth = world
    traced = _traced(session, out)
    origins = [(tb, tb.hops[-1]) for _, tb in traced if tb.hops[-1].answer is Answer.ORIGIN]
    assert len(origins) >= 3
    for _tb, hop in origins:
        expected = truth["providers"][hop.provider]["on_traceback_origin"]
        assert hop.origin_action is not None and hop.origin_action.value == expected
    # The figure over these: counted here from truth, not from the answers.
    completed = [tb for _, tb in traced if tb.outcome is not None]
    warned = sum(
        truth["providers"][tb.hops[-1].provider]["on_traceback_origin"] in ("warned", "terminated")
        for tb in completed
        if tb.hops[-1].answer is Answer.ORIGIN
    )
    figure = origin_actions(tb for _, tb in traced)
    assert (figure.completed, figure.warned_or_terminated) == (len(completed), warned)
