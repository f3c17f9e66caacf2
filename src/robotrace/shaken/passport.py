"""The PASSporT (RFC 8225) with the SHAKEN extension (RFC 8588): decode, check, sign bytes.

A PASSporT is a JWS in compact serialization: ``base64url(header).base64url(claims).
base64url(signature)``. SHAKEN fixes the header (``alg`` ES256, ``typ`` passport, ``ppt``
shaken, ``x5u`` the signer's certificate URL) and the claims (``attest``, ``orig.tn``,
``dest.tn``, ``iat``, ``origid``). Types are checked, never coerced: an ``iat`` of
``"1443208345"`` (a string, as in RFC 8588's example before erratum 6656) is an error.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any, NamedTuple

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from robotrace.shaken.codes import ShakenFailure, bad_info, invalid, invalid_passport

_TO_STANDARD_ALPHABET = bytes.maketrans(b"-_", b"+/")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_TN = re.compile(r"^\+?[0-9*#]{1,32}$")
ATTESTATIONS = ("A", "B", "C")
ECDSA_SHA256 = ec.ECDSA(hashes.SHA256())
ECDSA_SHA256_DETERMINISTIC = ec.ECDSA(hashes.SHA256(), deterministic_signing=True)
HEADER_CACHE_SIZE = 4096
_HEADERS: dict[str, dict[str, Any]] = {}


class Passport(NamedTuple):
    """A decoded SHAKEN PASSporT whose header and claims passed the type checks.

    (A named tuple: immutable, and cheap to build once per call.)
    """

    header: dict[str, Any]
    claims: dict[str, Any]
    signing_input: bytes  # the ASCII "header.payload" exactly as received
    signature: bytes  # raw r || s, 64 bytes
    x5u: str
    attest: str
    orig: str
    dest: tuple[str, ...]
    iat: int
    origid: str


def b64url_decode(text: str, what: str) -> bytes:
    """Strict base64url (RFC 7515 §2): its alphabet only, padding optional."""
    if "+" in text or "/" in text:  # the standard alphabet's; strict a2b would take them
        raise invalid(f"the PASSporT {what} is not base64url")
    try:
        standard = text.encode("ascii").translate(_TO_STANDARD_ALPHABET)
        return binascii.a2b_base64(standard + b"=" * (-len(text) % 4), strict_mode=True)
    except (UnicodeEncodeError, binascii.Error):
        raise invalid(f"the PASSporT {what} is not base64url") from None


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("duplicate member name")
    return result


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


# One decoder, built once: json.loads(..., hooks) would build a new one on every call.
_DECODER = json.JSONDecoder(object_pairs_hook=_no_duplicates, parse_constant=_no_constants)


def json_object(data: bytes, what: str) -> dict[str, Any]:
    """Strict JSON: UTF-8, an object at the top, no duplicate names, no NaN/Infinity."""
    try:
        value = _DECODER.decode(data.decode("utf-8"))
    except RecursionError:
        raise invalid(f"the PASSporT {what} nests too deeply") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise invalid(f"the PASSporT {what} is not valid JSON ({exc})") from None
    if not isinstance(value, dict):
        raise invalid(f"the PASSporT {what} is not a JSON object")
    return value


_KIND_NAMES: dict[type, str] = {
    bool: "a boolean",
    int: "an integer",
    float: "a number with a fraction",
    str: "a string",
    list: "an array",
    dict: "an object",
}


def _type_name(value: Any) -> str:
    return _KIND_NAMES.get(type(value), "null")


def check_header(header: dict[str, Any]) -> None:
    """``alg`` ES256 only (no ``none``, no HS256), ``typ`` passport, ``ppt`` shaken, ``x5u``."""
    alg = header.get("alg")
    if alg != "ES256":
        raise invalid(f"PASSporT alg {alg!r} is not supported: SHAKEN uses ES256 only")
    if header.get("typ") != "passport":
        raise invalid_passport(f"typ must be 'passport', not {header.get('typ')!r}")
    if header.get("ppt") != "shaken":
        raise invalid_passport(f"ppt must be 'shaken', not {header.get('ppt')!r}")
    if "crit" in header:
        raise invalid_passport("crit header parameters are not understood")
    x5u = header.get("x5u")
    if x5u is None:
        raise bad_info("the PASSporT header has no x5u: no certificate to verify with")
    if not isinstance(x5u, str) or not x5u.lower().startswith("https://"):
        raise bad_info(f"x5u must be an https URL, not {x5u!r}")


def _require(claims: dict[str, Any], name: str, kind: type) -> Any:
    if name not in claims:
        raise invalid_passport(f"the {name} claim is missing")
    value = claims[name]
    if type(value) is not kind:  # exact: True is not an integer here
        raise invalid_passport(f"{name} must be {_KIND_NAMES[kind]}, not {_type_name(value)}")
    return value


def _check_tn(value: Any, where: str) -> None:
    if type(value) is not str:
        raise invalid_passport(f"{where} must be a string, not {_type_name(value)}")
    if not _TN.match(value):
        raise invalid_passport(f"{where} {value!r} is not a telephone number (digits, * or #)")


def _is_tn(value: Any) -> bool:
    if type(value) is not str:
        return False
    if value.isascii() and value.isdigit():  # the usual canonical tn, without a regex
        return len(value) <= 32
    return _TN.match(value) is not None


def _claims_ok(claims: dict[str, Any]) -> bool:
    """One pass over the usual, well-formed claims (per call); :func:`check_claims`
    explains what is wrong when this says no."""
    orig, dest, origid = claims.get("orig"), claims.get("dest"), claims.get("origid")
    tns = dest.get("tn") if type(dest) is dict else None
    return bool(
        type(claims.get("attest")) is str
        and claims["attest"] in ATTESTATIONS
        and type(orig) is dict
        and _is_tn(orig.get("tn"))
        and type(tns) is list
        and tns
        and all(_is_tn(tn) for tn in tns)
        and type(claims.get("iat")) is int
        and type(origid) is str
        and _UUID.match(origid)
    )


def check_claims(claims: dict[str, Any]) -> None:
    """The SHAKEN claims with their exact JSON types (RFC 8225 §5, RFC 8588 §4-§5)."""
    if _claims_ok(claims):
        return
    attest = _require(claims, "attest", str)
    if attest not in ATTESTATIONS:
        raise invalid_passport(f"attest must be A, B or C, not {attest!r}")
    orig = _require(claims, "orig", dict)
    if "tn" not in orig:
        raise invalid_passport("orig has no tn (SHAKEN signs telephone numbers)")
    _check_tn(orig["tn"], "orig.tn")
    dest = _require(claims, "dest", dict)
    tns = dest.get("tn")
    if type(tns) is not list or not tns:
        raise invalid_passport(f"dest.tn must be a non-empty array, not {_type_name(tns)}")
    for index, tn in enumerate(tns):
        _check_tn(tn, f"dest.tn[{index}]")
    _require(claims, "iat", int)
    origid = _require(claims, "origid", str)
    if not _UUID.match(origid):
        raise invalid_passport(f"origid {origid!r} is not a UUID")


def decode_header(text: str) -> dict[str, Any]:
    """The checked JOSE header of base64url ``text``. A signer sends the same header on
    every call, so checked headers are kept (a few thousand signers, bounded)."""
    header = _HEADERS.get(text)
    if header is None:
        header = json_object(b64url_decode(text, "header"), "header")
        check_header(header)
        if len(_HEADERS) >= HEADER_CACHE_SIZE:
            _HEADERS.clear()
        _HEADERS[text] = header
    return header


def decode_passport(token: str) -> Passport:
    """Decode and type-check a full-form PASSporT; raises :class:`ShakenFailure`."""
    parts = token.split(".")
    if len(parts) != 3:
        raise invalid("a PASSporT has three parts: header.payload.signature")
    header = decode_header(parts[0])
    claims = json_object(b64url_decode(parts[1], "payload"), "payload")
    signature = b64url_decode(parts[2], "signature")
    check_claims(claims)
    if len(signature) != 64:
        raise invalid(f"an ES256 signature is 64 bytes (r || s), this one is {len(signature)}")
    signing_input = f"{parts[0]}.{parts[1]}".encode("ascii")
    return Passport(
        header, claims, signing_input, signature, header["x5u"], claims["attest"],
        claims["orig"]["tn"], tuple(claims["dest"]["tn"]), claims["iat"], claims["origid"],
    )  # fmt: skip


def raw_to_der(signature: bytes) -> bytes:
    """JWS ES256 r || s (32 + 32 bytes) → the DER ``ECDSA-Sig-Value`` OpenSSL verifies.

    Built with bytes operations (faster per call than ``encode_dss_signature``, and tested
    equal to it): each INTEGER minimal, with a 0x00 before a high bit."""
    r = signature[:32].lstrip(b"\0") or b"\0"
    s = signature[32:].lstrip(b"\0") or b"\0"
    if r[0] & 0x80:
        r = b"\0" + r
    if s[0] & 0x80:
        s = b"\0" + s
    return b"\x30" + bytes((len(r) + len(s) + 4, 2, len(r))) + r + bytes((2, len(s))) + s


def der_to_raw(der: bytes) -> bytes:
    r, s = decode_dss_signature(der)
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def check_signature(passport: Passport, key: ec.EllipticCurvePublicKey) -> None:
    """ES256 over ``header.payload``; a bad signature is 438 Invalid Identity Header."""
    try:
        key.verify(raw_to_der(passport.signature), passport.signing_input, ECDSA_SHA256)
    except InvalidSignature:
        raise invalid("the PASSporT signature does not verify with the x5u certificate") from None


def encode_passport(
    header: dict[str, Any],
    claims: dict[str, Any],
    key: ec.EllipticCurvePrivateKey,
    *,
    deterministic: bool = False,
) -> str:
    """Sign: JSON with sorted keys and no whitespace (RFC 8225 §9), ES256, compact JWS;
    ``deterministic``: RFC 6979 ECDSA, the same token for the same input (simulations)."""
    parts = [
        b64url_encode(json.dumps(part, sort_keys=True, separators=(",", ":")).encode("utf-8"))
        for part in (header, claims)
    ]
    signing_input = ".".join(parts).encode("ascii")
    algorithm = ECDSA_SHA256_DETERMINISTIC if deterministic else ECDSA_SHA256
    signature = der_to_raw(key.sign(signing_input, algorithm))
    return f"{parts[0]}.{parts[1]}.{b64url_encode(signature)}"


__all__ = ["Passport", "ShakenFailure", "check_signature", "decode_passport", "encode_passport"]
