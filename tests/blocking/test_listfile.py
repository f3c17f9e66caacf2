import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from robotrace.blocking.listfile import (
    BlocklistRejected,
    load_verified,
    parse,
    public_key_from_pem,
)
from tests.blocking.builders import body_of, entry, rmd_removed, signed

KEY = Ed25519PrivateKey.generate()


def test_a_signed_body_loads_indexed_by_provider_key_each_ocn_and_number():
    body = body_of(
        entry("RMD0001234", ocns=("BBBB", "BBB2")),
        entry("CCCC", number="+13125550199", authorization_id=8, ocns=("CCC1",)),
    )
    headers = signed(KEY, body)
    loaded = load_verified(body, headers["X-Robotrace-Signature"], KEY.public_key(), "E")
    assert (loaded.version, loaded.etag) == (2, "E")
    assert sorted(loaded.providers) == ["BBB2", "BBBB", "RMD0001234"]
    assert {e.authorization_id for e in loaded.providers.values()} == {7}
    assert loaded.providers["BBBB"].provider == "RMD0001234"
    # A number entry is indexed under each name of the provider whose traffic it covers.
    assert sorted(loaded.numbers) == [("CCC1", "+13125550199"), ("CCCC", "+13125550199")]
    assert {e.authorization_id for e in loaded.numbers.values()} == {8}


@pytest.mark.parametrize(
    "redress",
    [{"url": "http://plain.example/"}, {"tel": "202-555-0100"}, {"email": 'a";b@x.example'}, "x"],
)
def test_a_list_whose_redress_could_break_the_603_plus_is_rejected_whole(redress):
    body = body_of(entry("BBBB"), entry("CCCC", redress=redress))
    with pytest.raises(BlocklistRejected, match="redress"):
        parse(body)


def test_a_number_entry_without_its_provider_is_rejected():
    for provider in ("", None):
        raw = entry("CCCC", number="+13125550199")
        raw["provider"] = provider
        with pytest.raises(BlocklistRejected):
            parse(body_of(raw))


def test_an_rmd_removal_loads_without_an_authorization_and_keeps_its_order():
    loaded = parse(body_of(rmd_removed("RMD0009999", "DA 25-694", ocns=("ECH1",))))
    removal = loaded.providers["ECH1"]
    assert (removal.scope, removal.reason_code, removal.authorization_id) == (
        "no_direct_traffic",
        "rmd_removed",
        None,
    )
    assert (removal.provider, removal.ocns, removal.rmd_order) == (
        "RMD0009999",
        ("ECH1",),
        "DA 25-694",
    )
    assert loaded.providers["RMD0009999"] is removal


def test_a_provider_without_ocns_is_indexed_by_its_key_alone():
    loaded = parse(body_of(rmd_removed("RT-7KQ2MX", ocns=())))
    assert list(loaded.providers) == ["RT-7KQ2MX"]


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
        body_of(entry(ocns=())).replace(b'"ocns":[]', b'"ocns":"BBBB"'),
        body_of(entry(ocns=())).replace(b'"ocns":[]', b'"ocns":["not an ocn!"]'),
        body_of(entry()).replace(b'"provider":"BBBB"', b'"provider":"<script>"'),
        b"\xff\xfe",
    ],
)
def test_a_malformed_body_is_rejected(body):
    with pytest.raises(BlocklistRejected):
        parse(body)


def test_a_provider_blocked_outright_wins_over_no_direct_traffic():
    loaded = parse(body_of(entry("BBBB", "no_direct_traffic", authorization_id=3), entry("BBBB")))
    assert loaded.providers["BBBB"].scope == "provider"


def test_a_provider_blocked_outright_wins_over_its_rmd_removal_by_key_and_by_ocn():
    body = body_of(rmd_removed("RMD0009999", ocns=("ECH1",)), entry("RMD0009999", ocns=("ECH1",)))
    loaded = parse(body)
    assert {loaded.providers[n].scope for n in ("RMD0009999", "ECH1")} == {"provider"}


def test_a_non_ed25519_or_garbled_public_key_is_rejected():
    with pytest.raises(BlocklistRejected):
        public_key_from_pem(b"-----BEGIN PUBLIC KEY-----\nxx\n-----END PUBLIC KEY-----\n")
    pem = KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert public_key_from_pem(pem).public_bytes_raw() == KEY.public_key().public_bytes_raw()
