"""Signed calls in the simulated world: checked by the verifier, against the answer key."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from robotrace.clock import parse_utc
from robotrace.providers.rmd import implementation_level_of
from robotrace.shaken.chain import TrustStore
from robotrace.shaken.stored_calls import load_certificate_folder
from robotrace.shaken.verify import Verifier, VerifyResult
from robotrace.simulate.registry import read_world_providers
from robotrace.simulate.runner import SimulationParams

from .worlds import World, run_world


def _verifier(world: World) -> Verifier:
    return Verifier(TrustStore.from_paths([world.out / "certs" / "sti-root.pem"], []))


def _verify(world: World, row: dict[str, str]) -> VerifyResult:
    known = load_certificate_folder(world.out / "certs", "https://certs.sim.example")
    verifier = _verifier(world)
    x5u = row["identity"].split(";info=<", 1)[1].split(">", 1)[0]
    return asyncio.run(
        verifier.verify(
            row["identity"],
            orig=row["calling_number"],
            dest=row["called_number"],
            at=parse_utc(row["call_time"]),
            certificate=known[x5u],
        )
    )


def test_every_signed_honeypot_call_verifies_and_names_the_signer_of_the_truth(world):
    signed = [row for row in world.honeypot if row["identity"]]
    assert len(signed) >= 10
    for row in signed:
        truth = world.truth["honeypot"][row["call_id"]]
        result = _verify(world, row)
        assert result.valid, (row["call_id"], result.reason)
        assert (result.spc, result.attest) == (truth["signer"], truth["attest"])
        assert truth["signer"] in truth["path"]


def test_unsigned_honeypot_calls_crossed_no_capable_signer(world):
    for row in world.honeypot:
        if row["identity"]:
            continue
        path = world.truth["honeypot"][row["call_id"]]["path"]
        origin = world.provider(path[0])
        assert origin["foreign"] or not origin["shaken"]


def test_capable_providers_are_the_us_ones_with_an_ocn_that_declare_an_implementation(world):
    registry = {p.key: p for p in read_world_providers(world.out)}
    for key, truth in world.truth["providers"].items():
        declared = implementation_level_of(registry[key].implementation) != "none"
        assert truth["shaken"] == (declared and not truth["foreign"] and bool(truth["ocn"]))
        assert (world.out / "certs" / f"{key}.pem").exists() == truth["shaken"]


def test_no_provider_without_an_ocn_ever_signs(world):
    without = {key for key, p in world.truth["providers"].items() if p["ocn"] is None}
    assert without
    assert not any(world.truth["providers"][key]["shaken"] for key in without)
    signers = {c["signer"] for c in world.truth["campaigns"]}
    signers |= {h["signer"] for h in world.truth["honeypot"].values()}
    assert not signers & without
    for provider in read_world_providers(world.out):
        if provider.key in without and not provider.foreign:
            assert implementation_level_of(provider.implementation) == "none"


def test_foreign_campaigns_are_signed_c_by_their_gateway_and_domestic_ones_a_or_b(world):
    for campaign in world.truth["campaigns"]:
        if campaign["signer"] is None:
            continue
        if world.provider(campaign["originating_provider"])["foreign"]:
            assert (campaign["signer"], campaign["attest"]) == (campaign["gateway_provider"], "C")
        else:
            assert campaign["signer"] == campaign["originating_provider"]
            assert campaign["attest"] in ("A", "B")


def test_cdr_rows_carry_the_header_only_after_the_signer(world):
    row = next(r for r in world.honeypot if r["identity"])
    truth = world.truth["honeypot"][row["call_id"]]
    path, signer = truth["path"], truth["signer"]
    for position, ocn in enumerate(path):
        if world.provider(ocn)["behaviour"] == "no_records":
            continue
        legs = [leg for leg in world.cdrs(ocn) if leg["identity"] == row["identity"]]
        assert bool(legs) == (position > path.index(signer)), ocn


@pytest.fixture(scope="module")
def evidence_only(tmp_path_factory: pytest.TempPathFactory) -> World:
    params = SimulationParams(seed=7, providers=24, days=1.0, calls=4000, shaken="evidence")
    return run_world(tmp_path_factory.mktemp("evidence-only"), params)


def test_evidence_mode_signs_honeypot_calls_alike_and_leaves_other_rows_unsigned(
    world, evidence_only
):
    assert [r["identity"] for r in evidence_only.honeypot] == [
        r["identity"] for r in world.honeypot
    ]
    honeypot_headers = {r["identity"] for r in evidence_only.honeypot if r["identity"]}
    for path in sorted((evidence_only.out / "cdrs").glob("*.csv")):
        for leg in evidence_only.cdrs(path.stem):
            assert leg["identity"] == "" or leg["identity"] in honeypot_headers


def test_off_writes_no_certificates_and_no_headers(tmp_path: Path):
    params = SimulationParams(seed=3, providers=8, days=0.5, calls=200, shaken="off")
    world = run_world(tmp_path, params)
    assert not (tmp_path / "certs").exists()
    assert all(row["identity"] == "" for row in world.honeypot)
