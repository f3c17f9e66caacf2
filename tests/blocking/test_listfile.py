import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from robotrace.blocking.listfile import (
    BlocklistRejected,
    load_verified,
    parse,
    public_key_from_pem,
)
from tests.blocking.builders import body_of, entry, signed

KEY = Ed25519PrivateKey.generate()


def test_a_signed_body_loads_indexed_by_ocn_and_number():
    body = body_of(entry("BBBB"), entry("CCCC", number="+13125550199", authorization_id=8))
    headers = signed(KEY, body)
    loaded = load_verified(body, headers["X-Robotrace-Signature"], KEY.public_key(), "E")
    assert (loaded.version, loaded.etag) == (2, "E")
    assert loaded.providers["BBBB"].authorization_id == 7
    assert loaded.numbers["+13125550199"].authorization_id == 8


def test_a_changed_byte_is_rejected():
    body = body_of(entry("BBBB"))
    signature = signed(KEY, body)["X-Robotrace-Signature"]
    with pytest.raises(BlocklistRejected, match="does not match"):
        load_verified(body.replace(b"BBBB", b"BBBC"), signature, KEY.public_key())


@pytest.mark.parametrize("signature", [None, "", "rsa=abc", "ed25519=not base64!", "ed25519=AAAA"])
def test_a_missing_or_broken_signature_is_rejected(signature):
    with pytest.raises(BlocklistRejected):
        load_verified(body_of(), signature, KEY.public_key())


def test_another_keys_signature_is_rejected():
    body = body_of(entry("BBBB"))
    other = signed(Ed25519PrivateKey.generate(), body)["X-Robotrace-Signature"]
    with pytest.raises(BlocklistRejected):
        load_verified(body, other, KEY.public_key())


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"garbage",
        b"[]",
        b'{"version":1}',
        b'{"version":"2","entries":[]}',
        b'{"version":1,"entries":[{"kind":"provider"}]}',
        b'{"version":1,"entries":[42]}',
        b"\xff\xfe",
    ],
)
def test_a_malformed_body_is_rejected(body):
    with pytest.raises(BlocklistRejected):
        parse(body)


def test_a_provider_blocked_outright_wins_over_no_direct_traffic():
    loaded = parse(body_of(entry("BBBB", "no_direct_traffic", authorization_id=3), entry("BBBB")))
    assert loaded.providers["BBBB"].scope == "provider"


def test_a_non_ed25519_or_garbled_public_key_is_rejected():
    with pytest.raises(BlocklistRejected):
        public_key_from_pem(b"-----BEGIN PUBLIC KEY-----\nxx\n-----END PUBLIC KEY-----\n")
    pem = KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert public_key_from_pem(pem).public_bytes_raw() == KEY.public_key().public_bytes_raw()
