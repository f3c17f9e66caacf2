"""The authentication service: canonical numbers, the header's shape, the PASSporT's JSON."""

from __future__ import annotations

import base64
import json
import re

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from robotrace.clock import SimulatedClock
from robotrace.shaken.sign import Signer, canonical_tn, sign_identity
from robotrace.shaken.verify import Verifier

from .builders import IAT, ORIGID, T0

KEY = ec.generate_private_key(ec.SECP256R1())
X5U = "https://cert.example.org/sp.pem"
# RFC 8224 §4.1: signed-identity-digest SEMI ident-info *( SEMI ident-info-params )
HEADER = re.compile(
    r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+;info=<([^>]+)>;alg=ES256;ppt=shaken$"
)


def _json(part: str) -> str:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)).decode()


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("+12025550143", "12025550143"),
        ("(202) 555-0143", "12025550143"),
        ("tel:+1-202-555-0143", "12025550143"),
        ("+44 20 7946 0958", "442079460958"),
        ("0000", "0000"),  # spoofed garbage is signed as its digits
    ],
)
def test_numbers_are_signed_in_canonical_form(raw, canonical):
    assert canonical_tn(raw) == canonical


def test_a_number_without_digits_cannot_be_signed():
    with pytest.raises(ValueError):
        canonical_tn("anonymous")


def test_the_header_has_rfc_8224_shape_and_the_passport_is_compact_sorted_json():
    header = sign_identity(
        KEY, X5U, attest="B", orig="+12025550143", dest=["+12025550199"], iat=IAT, origid=ORIGID
    )
    match = HEADER.match(header)
    assert match and match.group(1) == X5U
    head, body, _ = header.split(";")[0].split(".")
    assert _json(head) == (
        '{"alg":"ES256","ppt":"shaken","typ":"passport","x5u":"https://cert.example.org/sp.pem"}'
    )
    assert json.loads(_json(body)) == {
        "attest": "B",
        "dest": {"tn": ["12025550199"]},
        "iat": IAT,
        "orig": {"tn": "12025550143"},
        "origid": ORIGID,
    }


def test_a_signer_signs_at_its_clocks_time_with_a_fresh_origid():
    signer = Signer(KEY, X5U, SimulatedClock(T0))
    first, second = (signer.sign("C", "+12025550143", "+12025550199") for _ in range(2))
    claims = [json.loads(_json(h.split(".")[1])) for h in (first, second)]
    assert claims[0]["iat"] == IAT and claims[0]["origid"] != claims[1]["origid"]


@pytest.mark.parametrize(
    ("change", "words"),
    [({"attest": "D"}, "attest"), ({"x5u": "http://cert.example.org/sp.pem"}, "https")],
)
def test_what_shaken_cannot_carry_is_refused_when_signing(change, words):
    arguments = {"attest": "A", "x5u": X5U} | change
    with pytest.raises(ValueError, match=words):
        sign_identity(KEY, arguments.pop("x5u"), orig="1", dest="2", iat=IAT, **arguments)


def test_a_seeded_lab_pki_and_deterministic_signer_reproduce_byte_for_byte():
    from robotrace.shaken.certificate import load_bundle
    from robotrace.shaken.chain import TrustStore
    from robotrace.shaken.labpki import LabPki

    from .builders import PKI_START

    def world(seed: int) -> tuple[bytes, bytes, str]:
        pki = LabPki.create(now=PKI_START, seed=seed)
        sp = pki.issue("1234", now=PKI_START)
        signer = Signer(sp.key, X5U, SimulatedClock(T0), deterministic=True)
        header = signer.sign("A", "+12025550143", "+12025550199", origid=ORIGID)
        return pki.anchors_pem(), sp.x5u_pem(), header

    first, again, other = world(7), world(7), world(8)
    assert first == again
    assert other[0] != first[0] and other[2] != first[2]
    pki_root = LabPki.create(now=PKI_START, seed=7).root.cert
    bundle = load_bundle(first[1])
    assert TrustStore([pki_root]).validate(bundle, T0).path[-1] == pki_root
    verifier = Verifier(TrustStore([pki_root]), clock=SimulatedClock(T0))
    assert verifier.verify_cached(first[2], certificate=bundle).valid
