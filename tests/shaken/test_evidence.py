"""Verification results on the stored evidence calls (SQLite and PostgreSQL).

The signed calls come from a simulated world; whether each verifies and who signed it is
checked against the world's answer key (truth.json), not against what the verifier said.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from robotrace.cli import main
from robotrace.clock import SimulatedClock
from robotrace.evidence.imports import ImportOptions, evidence_files, import_evidence
from robotrace.shaken.certificate import load_bundle
from robotrace.shaken.chain import TrustStore
from robotrace.shaken.fetch import FetchPolicy
from robotrace.shaken.labpki import LabPki
from robotrace.shaken.sign import Signer
from robotrace.shaken.stored_calls import load_certificate_folder, verify_calls
from robotrace.shaken.verify import Verifier
from robotrace.simulate.registry import load_world_providers
from robotrace.simulate.runner import SimulationParams, simulate
from robotrace.store import models

PARAMS = SimulationParams(seed=5, providers=16, days=0.5, calls=1500)
NOW = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class SimWorld:
    out: Path
    truth: dict


@pytest.fixture(scope="module")
def sim_world(tmp_path_factory: pytest.TempPathFactory) -> SimWorld:
    out = tmp_path_factory.mktemp("signed-world")
    simulate(PARAMS, out)
    return SimWorld(out, json.loads((out / "truth.json").read_text()))


def import_world(session: Session, world: SimWorld, tmp_path: Path) -> None:
    clock = SimulatedClock(NOW)
    load_world_providers(session, world.out, clock)
    files = evidence_files([world.out / "honeypot.csv"])
    summary = import_evidence(files, tmp_path / "analytics", session, ImportOptions(), clock)
    assert summary.written
    session.flush()


def world_verifier(world: SimWorld) -> Verifier:
    return Verifier(TrustStore.from_paths([world.out / "certs" / "sti-root.pem"], []))


def calls_by_ref(session: Session) -> dict[str, models.Call]:
    return {c.source_ref: c for c in session.scalars(select(models.Call))}


def test_stored_calls_verify_as_of_their_time_and_name_the_true_signer(
    session, sim_world, tmp_path
):
    import_world(session, sim_world, tmp_path)
    known = load_certificate_folder(sim_world.out / "certs", "https://certs.sim.example")
    counts = verify_calls(session, world_verifier(sim_world), SimulatedClock(NOW), known)
    signed = {ref: t for ref, t in sim_world.truth["honeypot"].items() if t["signer"]}
    assert signed and (counts.verified, counts.valid) == (len(signed), len(signed))
    for ref, call in calls_by_ref(session).items():
        truth = sim_world.truth["honeypot"][ref]
        if truth["signer"] is None:
            assert call.identity is None and call.verified_at is None
            continue
        assert call.shaken_valid is True and call.shaken_code is None
        assert (call.shaken_spc, call.shaken_attest) == (truth["signer"], truth["attest"])
        assert call.shaken_origid and call.verified_at == NOW


def test_calls_with_a_result_are_not_verified_again_unless_asked(session, sim_world, tmp_path):
    import_world(session, sim_world, tmp_path)
    known = load_certificate_folder(sim_world.out / "certs", "https://certs.sim.example")
    verifier = world_verifier(sim_world)
    first = verify_calls(session, verifier, SimulatedClock(NOW), known)
    assert verify_calls(session, verifier, SimulatedClock(NOW), known).verified == 0
    assert verify_calls(session, verifier, SimulatedClock(NOW), known, again=True).verified == (
        first.verified
    )


def test_a_call_whose_time_is_off_is_stale_and_an_unknown_certificate_is_436(
    session, sim_world, tmp_path
):
    import_world(session, sim_world, tmp_path)
    calls = [c for c in calls_by_ref(session).values() if c.identity]
    late, unknown = calls[0], calls[1]
    late.call_time = late.call_time + timedelta(minutes=5)
    session.flush()
    verifier = world_verifier(sim_world)
    # No --certs: the x5u host does not exist, so the fetch fails and the call is 436.
    verifier.fetcher.policy = FetchPolicy(timeout=0.5)
    known = load_certificate_folder(sim_world.out / "certs", "https://certs.sim.example")
    other = {url: b for url, b in known.items() if url not in unknown.identity}
    counts = verify_calls(session, verifier, SimulatedClock(NOW), other)
    assert (late.shaken_valid, late.shaken_code) == (False, 403)
    assert (unknown.shaken_valid, unknown.shaken_code) == (False, 436)
    assert counts.codes[403] >= 1 and counts.codes[436] >= 1


def test_the_command_verifies_an_offline_world_with_its_certificate_folder(
    engine, sim_world, tmp_path
):
    with Session(engine) as session, session.begin():
        import_world(session, sim_world, tmp_path)
    result = CliRunner().invoke(
        main,
        ["shaken", "verify-calls", "--database-url", str(engine.url.render_as_string(False)),
         "--certs", str(sim_world.out / "certs"), "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    signed = sum(1 for t in sim_world.truth["honeypot"].values() if t["signer"])
    assert json.loads(result.output) == {"verified": signed, "valid": signed, "invalid": {}}
    with Session(engine) as session:
        assert all(c.shaken_valid for c in session.scalars(select(models.Call)) if c.identity)


def test_a_captured_invite_is_verified_against_its_own_headers(session, tmp_path):
    when = datetime(2021, 6, 1, 12, 0, tzinfo=UTC)
    pki = LabPki.create(now=when, seed=3)
    credential = pki.issue("77AB", now=when)
    x5u = "https://certs.lab.example/77AB.pem"
    identity = Signer(credential.key, x5u).sign(
        "B", "+12025550143", "+12025550199", iat=int(when.timestamp())
    )

    def invite(caller: str) -> str:
        return "\r\n".join([
            "INVITE sip:+12025550199@term.example SIP/2.0",
            f"From: <sip:{caller}@orig.example>;tag=1",
            "To: <sip:+12025550199@term.example>",
            f"Identity: {identity}",
            "", "",
        ])  # fmt: skip

    for ref, caller in (("ok", "+12025550143"), ("spoofed", "+13125550100")):
        session.add(models.Call(
            source="sip", source_ref=ref, calling_number=caller, called_number="+12025550199",
            call_time=when, identity=identity, sip_message=invite(caller), imported_at=when,
        ))  # fmt: skip
    session.flush()
    verifier = Verifier(TrustStore([pki.root.cert]))
    verify_calls(session, verifier, SimulatedClock(NOW), {x5u: load_bundle(credential.x5u_pem())})
    calls = calls_by_ref(session)
    assert (calls["ok"].shaken_valid, calls["ok"].shaken_spc) == (True, "77AB")
    assert (calls["spoofed"].shaken_valid, calls["spoofed"].shaken_code) == (False, 438)
