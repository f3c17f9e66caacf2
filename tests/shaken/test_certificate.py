"""The signer's certificate: TNAuthList (RFC 8226) decoding and what an x5u may serve."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from robotrace.shaken.certificate import (
    TN_AUTH_LIST_OID,
    decode_tn_auth_list,
    load_bundle,
)
from robotrace.shaken.codes import Code, ShakenFailure
from robotrace.shaken.labpki import LabPki

from .builders import PKI_START


def test_an_spc_entry_with_rfc_8226_explicit_tags_decodes():
    # SEQUENCE { [0] EXPLICIT IA5String "1234" }, written out by hand
    der = bytes.fromhex("3008a006160431323334")
    assert decode_tn_auth_list(der).spcs == ("1234",)
    assert not decode_tn_auth_list(der).implicit_tags


def test_implicit_tags_decode_and_are_flagged():
    der = bytes.fromhex("30068004") + b"567A"
    tn_auth = decode_tn_auth_list(der)
    assert (tn_auth.spcs, tn_auth.implicit_tags) == (("567A",), True)


def test_range_and_one_entries_decode():
    # [1] { SEQUENCE { IA5String "2025550100", INTEGER 100 } }, [2] { IA5String "2025550143" }
    start, one = b"2025550100", b"2025550143"
    range_seq = bytes([0x30, 15, 0x16, 10]) + start + bytes([0x02, 1, 100])
    entries = bytes([0xA1, len(range_seq)]) + range_seq + bytes([0xA2, 12, 0x16, 10]) + one
    tn_auth = decode_tn_auth_list(bytes([0x30, len(entries)]) + entries)
    assert tn_auth.ranges == (("2025550100", 100),)
    assert tn_auth.numbers == ("2025550143",)


@pytest.mark.parametrize(
    "hex_der",
    [
        "",
        "3000",  # empty list
        "3108a006160431323334",  # SET, not SEQUENCE
        "3009a006160431323334",  # length overruns
        "3008a306160431323334",  # unknown choice [3]
        "3008a006040431323334",  # OCTET STRING inside [0]
        "3008a0061604313233ff",  # not ASCII
        "30848000000000",  # absurd length
    ],
)
def test_malformed_tn_auth_lists_raise_value_error(hex_der):
    with pytest.raises(ValueError):
        decode_tn_auth_list(bytes.fromhex(hex_der))


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_openssl_reads_the_lab_pki_tn_auth_list_as_an_explicit_ia5_spc(tmp_path):
    cert = LabPki.create(now=PKI_START).issue("987X", now=PKI_START).cert
    value = cert.extensions.get_extension_for_oid(TN_AUTH_LIST_OID).value
    assert isinstance(value, x509.UnrecognizedExtension)
    (tmp_path / "ext.der").write_bytes(value.value)
    out = subprocess.run(
        ["openssl", "asn1parse", "-inform", "DER", "-in", str(tmp_path / "ext.der")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "cont [ 0 ]" in out and "IA5STRING" in out and ":987X" in out


def test_an_x5u_serving_leaf_and_intermediate_gives_both():
    pki = LabPki.create(now=PKI_START)
    bundle = load_bundle(pki.issue("1234", now=PKI_START).x5u_pem())
    assert bundle.spc == "1234"
    assert bundle.intermediates == (pki.intermediate.cert,)


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda pki: b"<html>not found</html>", Code.BAD_IDENTITY_INFO),
        (lambda pki: b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", 436),
        (lambda pki: pki.issue("1", now=PKI_START, tn_auth=False).cert_pem(), 437),
        (
            lambda pki: pki.issue(
                "1", now=PKI_START, key=ec.generate_private_key(ec.SECP384R1())
            ).cert_pem(),
            437,
        ),
    ],
)
def test_what_is_not_a_usable_shaken_certificate_gets_its_code(make, code):
    with pytest.raises(ShakenFailure) as caught:
        load_bundle(make(LabPki.create(now=PKI_START)))
    assert caught.value.code == code
