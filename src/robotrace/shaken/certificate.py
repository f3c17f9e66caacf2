"""The signer's certificate: what an x5u URL serves, its key, and its TNAuthList (RFC 8226).

The TNAuthList extension (OID 1.3.6.1.5.5.7.1.26) names what the certificate may sign for;
SHAKEN certificates carry one Service Provider Code (SPC, usually the provider's OCN)::

    TNAuthorizationList ::= SEQUENCE SIZE (1..MAX) OF TNEntry
    TNEntry ::= CHOICE {
        spc   [0] ServiceProviderCode,      -- IA5String
        range [1] TelephoneNumberRange,     -- SEQUENCE { start TelephoneNumber, count INTEGER }
        one   [2] TelephoneNumber }         -- IA5String of 0-9 * #

RFC 8226's module uses EXPLICIT tags (``A0 06 16 04 "1234"``); an IMPLICIT encoding
(``80 04 "1234"``) is decoded too and reported as a profile deviation.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ObjectIdentifier

from robotrace.shaken.codes import bad_info, unsupported

TN_AUTH_LIST_OID = ObjectIdentifier("1.3.6.1.5.5.7.1.26")
_SEQUENCE, _IA5STRING, _INTEGER = 0x30, 0x16, 0x02


@dataclass(frozen=True)
class TnAuthList:
    spcs: tuple[str, ...] = ()
    ranges: tuple[tuple[str, int], ...] = ()
    numbers: tuple[str, ...] = ()
    implicit_tags: bool = False  # not RFC 8226's EXPLICIT tagging


def _tlv(data: bytes, at: int) -> tuple[int, int, int]:
    """One DER tag-length-value at ``at`` → (tag, value start, value end)."""
    if at + 2 > len(data):
        raise ValueError("truncated DER")
    tag, length = data[at], data[at + 1]
    start = at + 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or start + count > len(data):
            raise ValueError("unsupported DER length")
        length = int.from_bytes(data[start : start + count], "big")
        start += count
    if start + length > len(data):
        raise ValueError("truncated DER")
    return tag, start, start + length


def _children(data: bytes, start: int, end: int) -> list[tuple[int, bytes]]:
    children = []
    at = start
    while at < end:
        tag, value_start, value_end = _tlv(data, at)
        children.append((tag, data[value_start:value_end]))
        at = value_end
    if at != end:
        raise ValueError("DER element overruns its container")
    return children


def _ia5(value: bytes) -> str:
    try:
        return value.decode("ascii")
    except UnicodeDecodeError:
        raise ValueError("IA5String with non-ASCII bytes") from None


def _explicit(value: bytes, tag: int) -> bytes:
    children = _children(value, 0, len(value))
    if len(children) != 1 or children[0][0] != tag:
        raise ValueError("unexpected content inside an explicit tag")
    return children[0][1]


def _range(value: bytes, explicit: bool) -> tuple[str, int]:
    body = _explicit(value, _SEQUENCE) if explicit else value
    fields = _children(body, 0, len(body))
    if len(fields) < 2 or fields[0][0] != _IA5STRING or fields[1][0] != _INTEGER:
        raise ValueError("a TelephoneNumberRange is SEQUENCE { IA5String, INTEGER }")
    return _ia5(fields[0][1]), int.from_bytes(fields[1][1], "big", signed=True)


def decode_tn_auth_list(der: bytes) -> TnAuthList:
    """Decode the extension's DER value; a malformed one raises ``ValueError``."""
    tag, start, end = _tlv(der, 0)
    if tag != _SEQUENCE or end != len(der):
        raise ValueError("TNAuthList is not one DER SEQUENCE")
    spcs: list[str] = []
    ranges: list[tuple[str, int]] = []
    numbers: list[str] = []
    implicit = False
    for entry_tag, value in _children(der, start, end):
        if entry_tag == 0xA0:
            spcs.append(_ia5(_explicit(value, _IA5STRING)))
        elif entry_tag == 0x80:
            spcs.append(_ia5(value))
            implicit = True
        elif entry_tag == 0xA1:
            explicit = bool(value) and value[0] == _SEQUENCE
            ranges.append(_range(value, explicit))
            implicit = implicit or not explicit
        elif entry_tag in (0xA2, 0x82):
            numbers.append(_ia5(_explicit(value, _IA5STRING) if entry_tag == 0xA2 else value))
            implicit = implicit or entry_tag == 0x82
        else:
            raise ValueError(f"unknown TNEntry tag 0x{entry_tag:02x}")
    if not (spcs or ranges or numbers):
        raise ValueError("TNAuthList is empty")
    return TnAuthList(tuple(spcs), tuple(ranges), tuple(numbers), implicit)


@dataclass(frozen=True)
class CertificateBundle:
    """What an x5u URL served: the signer's certificate first, then any intermediates."""

    leaf: x509.Certificate
    intermediates: tuple[x509.Certificate, ...]
    public_key: ec.EllipticCurvePublicKey
    tn_auth: TnAuthList
    fingerprint: bytes  # SHA-256 of the leaf's DER

    @property
    def spc(self) -> str:
        return self.tn_auth.spcs[0]


def parse_certificates(data: bytes) -> list[x509.Certificate]:
    """PEM (one or more certificates) or a single DER certificate; else 436."""
    try:
        if b"-----BEGIN CERTIFICATE-----" in data:
            return x509.load_pem_x509_certificates(data)
        return [x509.load_der_x509_certificate(data)]
    except ValueError as exc:
        raise bad_info(f"the x5u content is not a certificate ({exc})") from None


def tn_auth_list_of(cert: x509.Certificate) -> TnAuthList:
    """The certificate's TNAuthList; missing or malformed is 437 Unsupported Credential."""
    try:
        extension = cert.extensions.get_extension_for_oid(TN_AUTH_LIST_OID)
    except x509.ExtensionNotFound:
        raise unsupported("the certificate has no TNAuthList extension") from None
    except ValueError as exc:
        raise unsupported(f"the certificate's extensions are malformed ({exc})") from None
    value = extension.value
    der = value.value if isinstance(value, x509.UnrecognizedExtension) else value.public_bytes()
    try:
        return decode_tn_auth_list(der)
    except ValueError as exc:
        raise unsupported(f"the TNAuthList extension is malformed ({exc})") from None


def signing_key_of(cert: x509.Certificate) -> ec.EllipticCurvePublicKey:
    """The certificate's P-256 key; ES256 cannot use any other (437)."""
    try:
        key = cert.public_key()
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise unsupported(f"the certificate's public key is not supported ({exc})") from None
    if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != "secp256r1":
        kind = key.curve.name if isinstance(key, ec.EllipticCurvePublicKey) else type(key).__name__
        raise unsupported(f"the certificate's key is {kind}; ES256 needs a P-256 key")
    return key


def bundle_from_certificates(certs: list[x509.Certificate]) -> CertificateBundle:
    if not certs:
        raise bad_info("the x5u content holds no certificate")
    leaf = certs[0]
    tn_auth = tn_auth_list_of(leaf)
    if not tn_auth.spcs:
        raise unsupported("the TNAuthList holds no SPC (a SHAKEN certificate names one)")
    fingerprint = hashlib.sha256(leaf.public_bytes(serialization.Encoding.DER)).digest()
    return CertificateBundle(leaf, tuple(certs[1:]), signing_key_of(leaf), tn_auth, fingerprint)


def load_bundle(data: bytes) -> CertificateBundle:
    """Parse what an x5u URL served (or a ``--cert`` file) into a :class:`CertificateBundle`."""
    return bundle_from_certificates(parse_certificates(data))
