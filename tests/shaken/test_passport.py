"""The PASSporT: exact JSON types, the SHAKEN header, and ES256 signatures as JWS carries them."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from robotrace.shaken.codes import Code, ShakenFailure
from robotrace.shaken.passport import check_signature, decode_passport, der_to_raw, raw_to_der

from .builders import DROP, ORIGID, b64, es256, shaken_claims, shaken_header

X5U = "https://cert.example.org/sp.pem"
KEY = ec.generate_private_key(ec.SECP256R1())

# RFC 7515 Appendix A.3: an ES256 JWS and the P-256 key that verifies it.
RFC7515_TOKEN = (
    "eyJhbGciOiJFUzI1NiJ9"
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    ".DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q"
)
RFC7515_X = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU"
RFC7515_Y = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"


def _int(text: str) -> int:
    return int.from_bytes(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)), "big")


def token(header: dict | None = None, claims: dict | None = None) -> str:
    head = b64(json.dumps(header if header is not None else shaken_header(X5U)).encode())
    body = b64(json.dumps(claims if claims is not None else shaken_claims()).encode())
    return f"{head}.{body}.{b64(es256(KEY, f'{head}.{body}'.encode()))}"


def failure(text: str) -> ShakenFailure:
    with pytest.raises(ShakenFailure) as caught:
        decode_passport(text)
    return caught.value


def test_the_rfc_7515_es256_example_verifies_after_converting_r_s_to_der():
    key = ec.EllipticCurvePublicNumbers(
        _int(RFC7515_X), _int(RFC7515_Y), ec.SECP256R1()
    ).public_key()
    head, body, sig = RFC7515_TOKEN.split(".")
    raw = base64.urlsafe_b64decode(sig + "==")
    key.verify(raw_to_der(raw), f"{head}.{body}".encode(), ec.ECDSA(hashes.SHA256()))
    assert der_to_raw(raw_to_der(raw)) == raw


def test_a_well_formed_shaken_passport_decodes_with_its_claims():
    passport = decode_passport(token())
    assert (passport.attest, passport.orig, passport.dest) == ("A", "12025550143", ("12025550199",))
    assert passport.origid == ORIGID and passport.x5u == X5U
    check_signature(passport, KEY.public_key())


def test_another_key_does_not_verify_the_signature():
    passport = decode_passport(token())
    with pytest.raises(ShakenFailure) as caught:
        check_signature(passport, ec.generate_private_key(ec.SECP256R1()).public_key())
    assert caught.value.code == Code.INVALID_IDENTITY_HEADER


@pytest.mark.parametrize(
    ("claims", "words"),
    [
        (shaken_claims(iat="1443208345"), "iat must be an integer, not a string"),
        (shaken_claims(iat=1443208345.0), "iat must be an integer, not a number with a fraction"),
        (shaken_claims(iat=True), "iat must be an integer, not a boolean"),
        (shaken_claims(iat=DROP), "the iat claim is missing"),
        (shaken_claims(attest="D"), "attest must be A, B or C"),
        (shaken_claims(attest=["A"]), "attest must be a string"),
        (shaken_claims(orig={"tn": 12025550143}), "orig.tn must be a string"),
        (shaken_claims(orig={"uri": "sip:alice@example.org"}), "orig has no tn"),
        (shaken_claims(orig="12025550143"), "orig must be an object"),
        (shaken_claims(dest={"tn": "12025550199"}), "dest.tn must be a non-empty array"),
        (shaken_claims(dest={"tn": []}), "dest.tn must be a non-empty array"),
        (shaken_claims(dest={"tn": [12025550199]}), "dest.tn[0] must be a string"),
        (shaken_claims(orig={"tn": "anonymous"}), "is not a telephone number"),
        (shaken_claims(origid="not-a-uuid"), "is not a UUID"),
        (shaken_claims(origid=DROP), "the origid claim is missing"),
    ],
)
def test_wrong_claim_types_are_errors_not_coercions(claims, words):
    caught = failure(token(claims=claims))
    assert caught.code == Code.INVALID_IDENTITY_HEADER
    assert words in caught.reason and caught.reason.startswith("Invalid PASSporT")


@pytest.mark.parametrize(
    ("header", "code", "words"),
    [
        (shaken_header(X5U, alg="none"), 438, "alg 'none' is not supported"),
        (shaken_header(X5U, alg="HS256"), 438, "alg 'HS256' is not supported"),
        (shaken_header(X5U, alg="ES384"), 438, "ES256 only"),
        (shaken_header(X5U, typ="JWT"), 438, "typ must be 'passport'"),
        (shaken_header(X5U, ppt="div"), 438, "ppt must be 'shaken'"),
        (shaken_header(X5U, crit=["x"]), 438, "crit"),
        (shaken_header(X5U, x5u=DROP), 436, "no x5u"),
        (shaken_header(X5U, x5u="http://cert.example.org/sp.pem"), 436, "https"),
        (shaken_header(X5U, x5u=42), 436, "https"),
    ],
)
def test_the_shaken_header_is_checked(header, code, words):
    caught = failure(token(header=header))
    assert (caught.code, words in caught.reason) == (code, True), caught.reason


@pytest.mark.parametrize(
    "text",
    [
        "a.b",
        "!!!.e30.AAAA",
        "e30.e30.A",  # base64url of length 1 mod 4 cannot be
        b64(b"not json") + ".e30." + "A" * 86,
        b64(b"[1,2]") + ".e30." + "A" * 86,
        b64(b'{"alg":"ES256","alg":"none"}') + ".e30." + "A" * 86,  # duplicate name
        b64(b"\xff\xfe") + ".e30." + "A" * 86,  # not UTF-8
        b64(b'{"a":NaN}') + ".e30." + "A" * 86,
        b64(b"[" * 100_000) + ".e30." + "A" * 86,  # nests too deeply
    ],
)
def test_malformed_base64_or_json_is_438(text):
    assert failure(text).code == Code.INVALID_IDENTITY_HEADER


def test_a_signature_that_is_not_64_bytes_is_438():
    head, body, _ = token().split(".")
    caught = failure(f"{head}.{body}.{b64(bytes(70))}")
    assert caught.code == Code.INVALID_IDENTITY_HEADER and "64 bytes" in caught.reason


def test_the_fast_claims_check_agrees_with_the_explaining_one():
    import random

    from robotrace.shaken.passport import _claims_ok, check_claims

    rng = random.Random(3)
    values = [None, True, 0, 1.5, "A", "D", "+12025550143", "x", [], ["1"], [1], {}, {"tn": "1"},
              {"tn": ["12025550199"]}, ORIGID]  # fmt: skip
    for _ in range(3000):
        claims = shaken_claims(**{rng.choice(list(shaken_claims())): rng.choice([*values, DROP])})
        try:
            check_claims(claims)
            accepted = True
        except ShakenFailure:
            accepted = False
        assert _claims_ok(claims) is accepted, claims
