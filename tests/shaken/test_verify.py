"""The verification service end to end: the lab x5u server, the lab PKI, RFC 8224 codes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from robotrace.settings import Settings
from robotrace.shaken import sip
from robotrace.shaken.certificate import load_bundle
from robotrace.shaken.verify import Verifier

from .builders import DEST, IAT, ORIG, ORIGID, T0, forge, run, shaken_claims


def test_a_good_header_verifies_and_names_the_signer(verifier: Verifier, sp, x5u):
    result = run(verifier.verify(forge(sp.key, x5u), orig=ORIG, dest=DEST))
    assert result.valid, result.reason
    assert (result.code, result.attest, result.spc, result.origid) == (None, "A", "1234", ORIGID)
    assert (result.orig, result.dest, result.iat, result.x5u) == (ORIG, (DEST,), IAT, x5u)
    assert result.reason_header() is None


@pytest.mark.parametrize(
    ("orig", "dest"),
    [
        ("+1 (202) 555-0143", "tel:+1-202-555-0199"),
        ("sip:+12025550143@orig.example;user=phone", "2025550199"),
        (["sip:anonymous@anonymous.invalid", "tel:+12025550143"], ["00", "+12025550199"]),
    ],
)
def test_numbers_compare_after_normalisation(verifier: Verifier, sp, x5u, orig, dest):
    assert run(verifier.verify(forge(sp.key, x5u), orig=orig, dest=dest)).valid


def test_a_callee_that_is_not_in_dest_is_438(verifier: Verifier, sp, x5u):
    result = run(verifier.verify(forge(sp.key, x5u), dest="+12025550100"))
    assert (result.valid, result.code) == (False, 438)
    assert "dest.tn" in result.reason and result.reason_header() == (
        'SIP;cause=438;text="Invalid Identity Header"'
    )


@pytest.mark.parametrize(("offset", "valid"), [(-60, True), (60, True), (-61, False), (61, False)])
def test_freshness_is_sixty_seconds_either_way(verifier: Verifier, sp, x5u, offset, valid):
    result = run(verifier.verify(forge(sp.key, x5u), at=T0 + timedelta(seconds=offset)))
    assert result.valid is valid
    if not valid:
        assert (result.code, result.phrase) == (403, "Stale Date")


def test_the_freshness_window_is_a_setting(monkeypatch, pki):
    monkeypatch.setenv("ROBOTRACE_SHAKEN_FRESHNESS_SECONDS", "300")
    assert Verifier.from_settings(Settings.from_environ()).freshness_seconds == 300


def test_a_failure_still_reports_what_the_token_claims(verifier: Verifier, sp, x5u):
    result = run(verifier.verify(forge(sp.key, x5u), at=T0 + timedelta(hours=1)))
    assert (result.valid, result.attest, result.origid, result.orig) == (False, "A", ORIGID, ORIG)


def test_a_given_certificate_is_used_instead_of_fetching(verifier: Verifier, sp, server):
    x5u = server.url("/never-served.pem")
    result = run(verifier.verify(forge(sp.key, x5u), certificate=load_bundle(sp.x5u_pem())))
    assert result.valid, result.reason
    assert server.hits["/never-served.pem"] == 0


def test_verify_cached_needs_the_certificate_in_the_cache(verifier: Verifier, sp, x5u):
    header = forge(sp.key, x5u)
    first = verifier.verify_cached(header)
    assert (first.code, first.x5u) == (436, x5u)
    run(verifier.fetcher.get(first.x5u))
    assert verifier.verify_cached(header).valid


def test_the_chain_is_validated_once_per_certificate(verifier: Verifier, sp, x5u, monkeypatch):
    calls = []
    validate = verifier.trust.validate
    monkeypatch.setattr(verifier.trust, "validate", lambda *a: calls.append(1) or validate(*a))
    for _ in range(3):
        assert run(verifier.verify(forge(sp.key, x5u))).valid
    assert len(calls) == 1


def invite(identities: list[str], *, caller: str = "+12025550143") -> sip.SipRequest:
    lines = [
        "INVITE sip:+12025550199@term.example SIP/2.0",
        f"From: <sip:{caller}@orig.example>;tag=1",
        "To: <sip:+12025550199@term.example>",
        *(f"Identity: {value}" for value in identities),
        "",
        "",
    ]
    return sip.parse_request("\r\n".join(lines))


def test_a_sip_request_is_verified_against_its_own_numbers(verifier: Verifier, sp, x5u):
    assert run(verifier.verify_request(invite([forge(sp.key, x5u)]))).valid
    spoofed = run(verifier.verify_request(invite([forge(sp.key, x5u)], caller="+13125550100")))
    assert (spoofed.valid, spoofed.code) == (False, 438)


def test_one_good_header_among_several_is_enough(verifier: Verifier, sp, x5u):
    stale = forge(sp.key, x5u, claims=shaken_claims(iat=IAT - 3600))
    result = run(verifier.verify_request(invite([stale, forge(sp.key, x5u)])))
    assert result.valid
    assert run(verifier.verify_request(invite([stale]))).code == 403


def test_a_request_without_a_shaken_identity_header_is_428(verifier: Verifier, sp, x5u):
    assert run(verifier.verify_request(invite([]))).code == 428
    div = forge(sp.key, x5u, params=f";info=<{x5u}>;ppt=div")
    assert run(verifier.verify_request(invite([div]))).code == 428
