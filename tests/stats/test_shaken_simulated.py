"""STIR/SHAKEN accountability on a simulated world, checked against its truth.json: the
simulator signs each campaign's calls (``signer``, ``attest``) and knows every call's true
path, so the A/B signatures per signer and the over-attested calls are known beforehand."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from robotrace.demo.story import Story, run_story
from robotrace.settings import Settings
from robotrace.shaken.accountability import NOT_OWN_CERTIFICATE, OVER_ATTESTATION
from robotrace.simulate.runner import SimulationParams
from robotrace.stats.shaken import shaken_accountability
from robotrace.store import models
from robotrace.store.db import make_engine


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Story:
    out = tmp_path_factory.mktemp("shaken-world")
    return run_story(
        out, SimulationParams(seed=3, providers=20, days=3, calls=4000), Settings.from_environ()
    )


def _read(out: Path):  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{out / 'robotrace.db'}")
    with Session(engine) as session:
        found = shaken_accountability(session)
        refs = dict(session.execute(select(models.Call.id, models.Call.source_ref)).all())
        traced = set(session.scalars(select(models.Call.source_ref).join(models.Traceback)))
    engine.dispose()
    return found, refs, traced


def test_each_signers_a_and_b_signatures_are_the_calls_the_simulator_signed(story: Story):
    truth = json.loads((story.out / "truth.json").read_text())["honeypot"]
    found, _, _ = _read(story.out)
    signed = Counter(call["signer"] for call in truth.values() if call["attest"] in ("A", "B"))
    assert signed, "the world has A/B-signed calls"
    assert {s.spc: s.signed_ab for s in found.signers if s.signed_ab} == dict(signed)


def test_only_traced_calls_signed_a_or_b_away_from_their_true_origin_count_as_such(story: Story):
    truth = json.loads((story.out / "truth.json").read_text())["honeypot"]
    found, refs, traced = _read(story.out)
    misattested = {
        ref
        for ref, call in truth.items()
        if ref in traced and call["attest"] in ("A", "B") and call["signer"] != call["path"][0]
    }
    assert any(truth[ref]["attest"] in ("A", "B") for ref in traced if ref in truth)
    counted = {
        refs[e.call_id]
        for s in found.signers
        for e in s.evidence
        if {OVER_ATTESTATION, NOT_OWN_CERTIFICATE} & set(e.reasons)
    }
    assert counted == misattested
