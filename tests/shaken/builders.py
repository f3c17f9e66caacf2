"""Builders for the STIR/SHAKEN tests: a fixed time, and Identity headers forged by hand.

:func:`forge` builds tokens with ``cryptography`` directly — not with
``robotrace.shaken.sign`` — so that a test can break any one part of a header and the
verifier is never checked only against its own signer.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Coroutine
from datetime import UTC, datetime
from typing import Any, TypeVar

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

T = TypeVar("T")
PKI_START = datetime(2025, 1, 1, tzinfo=UTC)
T0 = datetime(2025, 3, 1, 15, 0, tzinfo=UTC)
IAT = int(T0.timestamp())
ORIG = "12025550143"
DEST = "12025550199"
ORIGID = "123e4567-e89b-12d3-a456-426655440000"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def es256(key: ec.EllipticCurvePrivateKey, data: bytes) -> bytes:
    """JWS ES256 signature bytes: r || s, 32 bytes each (RFC 7518 §3.4)."""
    r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def shaken_header(x5u: str, /, **changes: Any) -> dict[str, Any]:
    header = {"alg": "ES256", "ppt": "shaken", "typ": "passport", "x5u": x5u}
    return _apply(header, changes)


def shaken_claims(**changes: Any) -> dict[str, Any]:
    claims = {
        "attest": "A",
        "dest": {"tn": [DEST]},
        "iat": IAT,
        "orig": {"tn": ORIG},
        "origid": ORIGID,
    }
    return _apply(claims, changes)


def _apply(values: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """``changes``: a value replaces, ``DROP`` removes."""
    result = dict(values)
    for name, value in changes.items():
        if value is DROP:
            result.pop(name, None)
        else:
            result[name] = value
    return result


DROP = object()


def _part(value: dict[str, Any] | bytes | str) -> str:
    if isinstance(value, str):
        return value  # already base64url (or deliberately not)
    data = value if isinstance(value, bytes) else json.dumps(value).encode()
    return b64(data)


def forge(
    key: ec.EllipticCurvePrivateKey,
    x5u: str,
    *,
    header: dict[str, Any] | bytes | str | None = None,
    claims: dict[str, Any] | bytes | str | None = None,
    signature: bytes | str | None = None,
    params: str | None = None,
) -> str:
    """An Identity header value; every part can be replaced (bytes: raw JSON text; str: the
    base64url text itself)."""
    head = _part(header if header is not None else shaken_header(x5u))
    body = _part(claims if claims is not None else shaken_claims())
    signing_input = f"{head}.{body}".encode("ascii")
    if signature is None:
        sig = b64(es256(key, signing_input))
    else:
        sig = signature if isinstance(signature, str) else b64(signature)
    tail = params if params is not None else f";info=<{x5u}>;alg=ES256;ppt=shaken"
    return f"{head}.{body}.{sig}{tail}"


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)
