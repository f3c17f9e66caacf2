"""STIR/SHAKEN in the simulated network: a lab STI-PA/CA, certificates, signed calls.

Every US provider with an OCN (its SPC) whose Robocall Mitigation Database entry declares a
complete or partial STIR/SHAKEN implementation signs (the RMD's ``No STIR/SHAKEN
Implementation`` laggards do not); foreign providers and providers without an OCN never do.
The originating provider signs A when the caller uses a number of its own (an ordinary
subscriber), B otherwise (a business customer, a robocaller with spoofed numbers — some
robocall originators sign their campaign A anyway); a US gateway signs C for a call that
reached it unsigned from abroad. Every provider after the signer receives the header, and
its CDR row (and the honeypot's record) carries it.

Signing is deterministic (RFC 6979, keys and origids from the seed), so a seed reproduces
the world byte for byte. Certificates go to ``certs/<OCN>.pem`` (certificate + STI-CA) with
``certs/sti-root.pem`` the trust anchor; the x5u URLs are ``https://certs.sim.example/<OCN>.pem``
(nothing serves them: verifiers preload the files, docs/shaken.md).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec

from robotrace.providers.rmd import implementation_level_of
from robotrace.shaken.labpki import LabPki
from robotrace.shaken.passport import ECDSA_SHA256_DETERMINISTIC, b64url_encode, der_to_raw
from robotrace.shaken.sign import canonical_tn
from robotrace.simulate.network import SimProvider

X5U_BASE = "https://certs.sim.example"
ROOT_FILE = "sti-root.pem"
#: ``auto`` signs every call up to this many calls, else only the calls that reach honeypots.
SIGN_ALL_UP_TO = 200_000
SIGN_MODES = ("auto", "all", "evidence", "off")
#: Certificates last ten years from the start, so old simulated evidence verifies today.
CERTIFICATE_DAYS = 3650


def signs_calls(provider: SimProvider) -> bool:
    """Whether the provider is STIR/SHAKEN-capable: a US provider with an OCN (no SPC, no
    certificate) that implemented it."""
    level = implementation_level_of(provider.record.implementation)
    return bool(provider.ocn) and not provider.foreign and level != "none"


def resolve_mode(mode: str, calls: int) -> str:
    if mode not in SIGN_MODES:
        raise ValueError(f"shaken must be one of {', '.join(SIGN_MODES)}")
    if mode == "auto":
        return "all" if calls <= SIGN_ALL_UP_TO else "evidence"
    return mode


def x5u_of(ocn: str) -> str:
    return f"{X5U_BASE}/{ocn}.pem"


@dataclass
class _Credential:
    key: ec.EllipticCurvePrivateKey
    header_b64: str


@dataclass
class CallSigner:
    """The signing providers' keys; origids come from the seed and the call's number, so a
    call's header does not depend on which other calls were signed."""

    seed: int
    credentials: dict[int, _Credential] = field(default_factory=dict)

    def sign(
        self, signer: SimProvider, attest: str, t_ms: int, orig_tn: str, dest_tn: str, call_no: int
    ) -> str:
        """The Identity header ``signer`` puts on call ``call_no`` at ``t_ms`` (epoch ms)."""
        credential = self.credentials[signer.index]
        digest = hashlib.blake2b(f"{self.seed}:{call_no}".encode(), digest_size=16).digest()
        origid = uuid.UUID(bytes=digest, version=4)
        claims = (
            f'{{"attest":"{attest}","dest":{{"tn":["{dest_tn}"]}},"iat":{t_ms // 1000},'
            f'"orig":{{"tn":"{orig_tn}"}},"origid":"{origid}"}}'
        )
        signing_input = f"{credential.header_b64}.{b64url_encode(claims.encode())}"
        signature = credential.key.sign(signing_input.encode(), ECDSA_SHA256_DETERMINISTIC)
        token = f"{signing_input}.{b64url_encode(der_to_raw(signature))}"
        return f"{token};info=<{x5u_of(signer.ocn)}>;alg=ES256;ppt=shaken"


def orig_tn(calling: str, valid: bool) -> str:
    """The caller ID as signed: ``1`` + the national number, or an invalid one's digits."""
    return "1" + calling if valid else canonical_tn(calling)


def build_signer(
    providers: list[SimProvider], seed: int, start: datetime, certs: Path
) -> CallSigner:
    """Issue each capable provider its certificate (written to ``certs``), and the signer."""
    pki = LabPki.create(now=start, seed=seed, name="Robotrace Sim")
    certs.mkdir(parents=True, exist_ok=True)
    (certs / ROOT_FILE).write_bytes(pki.anchors_pem())
    signer = CallSigner(seed)
    not_before = start - timedelta(days=1)
    for provider in providers:
        if not signs_calls(provider):
            continue
        credential = pki.issue(
            provider.ocn, not_before=not_before, days=CERTIFICATE_DAYS,
            organization=provider.record.business_name,
        )  # fmt: skip
        (certs / f"{provider.ocn}.pem").write_bytes(credential.x5u_pem())
        signer.credentials[provider.index] = _Credential(credential.key, _header_b64(provider))
    return signer


def _header_b64(provider: SimProvider) -> str:
    """The PASSporT header every call the provider signs shares (sorted keys, no spaces)."""
    header = f'{{"alg":"ES256","ppt":"shaken","typ":"passport","x5u":"{x5u_of(provider.ocn)}"}}'
    return b64url_encode(header.encode())


def signer_position(path: tuple[SimProvider, ...]) -> tuple[int, str]:
    """Who signs a call on ``path`` and with what: (position, ``"O"`` for the origin's own
    A/B or ``"C"``); (-1, "") when nobody does."""
    if signs_calls(path[0]):
        return 0, "O"
    for i in range(1, len(path)):
        if path[i - 1].foreign and not path[i].foreign:
            return (i, "C") if signs_calls(path[i]) else (-1, "")
    return -1, ""
