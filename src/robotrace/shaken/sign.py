"""The authentication service: sign a call's PASSporT and build its Identity header.

For labs, tests and the simulator — a real originating provider signs in its SBC. The header
is what RFC 8224 §4.1 and ATIS-1000074 describe::

    <header.payload.signature>;info=<x5u>;alg=ES256;ppt=shaken

Numbers are signed in the canonical form of RFC 8224 §8.3: E.164 digits without ``+``
(``12025550143``); a caller ID that is not a valid number (spoofed garbage) is signed as its
digits, the way a gateway signs what it received.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric import ec

from robotrace.clock import Clock, SystemClock
from robotrace.numbers import try_normalize
from robotrace.shaken.passport import ATTESTATIONS, encode_passport


def canonical_tn(raw: str) -> str:
    """``+1 (202) 555-0143`` → ``12025550143``; not a valid number → its digits, * and #."""
    e164 = try_normalize(raw)
    if e164 is not None:
        return e164[1:]
    digits = re.sub(r"[^0-9*#]", "", raw.split("@", 1)[0].split(";", 1)[0])
    if not digits:
        raise ValueError(f"{raw!r} holds no telephone number")
    return digits


def identity_header(token: str, x5u: str) -> str:
    return f"{token};info=<{x5u}>;alg=ES256;ppt=shaken"


def sign_identity(
    key: ec.EllipticCurvePrivateKey,
    x5u: str,
    *,
    attest: str,
    orig: str,
    dest: str | Sequence[str],
    iat: int,
    origid: str | None = None,
    deterministic: bool = False,
) -> str:
    """The Identity header value for one call, signed with ``key`` (P-256);
    ``deterministic``: RFC 6979 signatures (give ``origid`` too for a reproducible header)."""
    if key.curve.name != "secp256r1":
        raise ValueError(f"ES256 signs with a P-256 key, not {key.curve.name}")
    if attest not in ATTESTATIONS:
        raise ValueError(f"attest must be A, B or C, not {attest!r}")
    if not x5u.startswith("https://"):
        raise ValueError(f"x5u must be an https URL, not {x5u!r}")
    dests = [dest] if isinstance(dest, str) else list(dest)
    header = {"alg": "ES256", "ppt": "shaken", "typ": "passport", "x5u": x5u}
    claims = {
        "attest": attest,
        "dest": {"tn": [canonical_tn(d) for d in dests]},
        "iat": int(iat),
        "orig": {"tn": canonical_tn(orig)},
        "origid": str(uuid.UUID(origid)) if origid else str(uuid.uuid4()),
    }
    token = encode_passport(header, claims, key, deterministic=deterministic)
    return identity_header(token, x5u)


@dataclass
class Signer:
    """One provider's authentication service: its key, its certificate URL, a clock."""

    key: ec.EllipticCurvePrivateKey
    x5u: str
    clock: Clock = field(default_factory=SystemClock)
    deterministic: bool = False  # RFC 6979 signatures, for reproducible simulations

    def sign(
        self,
        attest: str,
        orig: str,
        dest: str | Sequence[str],
        *,
        origid: str | None = None,
        iat: int | None = None,
    ) -> str:
        """Sign a call now (or at ``iat``, epoch seconds) → the Identity header value."""
        when = int(self.clock.now().timestamp()) if iat is None else iat
        return sign_identity(
            self.key, self.x5u, attest=attest, orig=orig, dest=dest, iat=when, origid=origid,
            deterministic=self.deterministic,
        )  # fmt: skip
