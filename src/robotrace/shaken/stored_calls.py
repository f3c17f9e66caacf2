"""STIR/SHAKEN on the call evidence: verify the stored calls' Identity headers, keep the result.

A call is verified as of its own time (``at=call_time``): evidence is often imported days
after the call, long past the 60-second freshness window. A call imported from a SIP capture
is verified from its INVITE (every Identity header against P-Asserted-Identity/From and
To/Request-URI); a honeypot call from its ``identity`` value against its numbers. The result
(``shaken_*`` columns of ``calls``) is what the signer shortcut of a traceback starts from.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from robotrace.clock import Clock
from robotrace.shaken import sip
from robotrace.shaken.certificate import CertificateBundle, load_bundle
from robotrace.shaken.codes import ShakenFailure
from robotrace.shaken.identity import parse_identity_header
from robotrace.shaken.verify import Verifier, VerifyResult
from robotrace.store import models

#: Calls verified per commit-free batch read from the store.
BATCH = 500


@dataclass
class VerifyCounts:
    verified: int = 0
    valid: int = 0
    #: Invalid calls by RFC 8224 code.
    codes: Counter[int] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, object]:
        return {
            "verified": self.verified,
            "valid": self.valid,
            "invalid": dict(sorted(self.codes.items())),
        }


def load_certificate_folder(folder: Path, base_url: str) -> dict[str, CertificateBundle]:
    """Signer certificates known out of band: each ``NAME.pem`` in ``folder`` (one with a
    TNAuthList: a trust anchor is skipped) as served at ``<base_url>/NAME.pem``."""
    found: dict[str, CertificateBundle] = {}
    for path in sorted(folder.glob("*.pem")):
        try:
            bundle = load_bundle(path.read_bytes())
        except ShakenFailure:
            continue
        found[f"{base_url.rstrip('/')}/{path.name}"] = bundle
    return found


def _x5u(identity: str) -> str | None:
    try:
        return parse_identity_header(identity.split(",")[0].strip()).info
    except ShakenFailure:
        return None


async def verify_call(
    call: models.Call, verifier: Verifier, certificates: Mapping[str, CertificateBundle]
) -> VerifyResult:
    """One stored call's verification, as of the call's time."""
    identity = call.identity or ""
    x5u = _x5u(identity)
    certificate = certificates.get(x5u) if x5u else None
    if call.sip_message:
        request = sip.parse_request(call.sip_message)
        return await verifier.verify_request(request, at=call.call_time, certificate=certificate)
    callers = [n for n in (call.calling_number, call.calling_e164) if n]
    callees = [n for n in (call.called_number, call.called_e164) if n]
    return await verifier.verify(
        identity, orig=callers, dest=callees, at=call.call_time, certificate=certificate
    )


def store_result(call: models.Call, result: VerifyResult, clock: Clock) -> None:
    call.shaken_valid = result.valid
    call.shaken_code = result.code
    call.shaken_reason = result.reason[:2000]
    call.shaken_attest = result.attest
    call.shaken_spc = (result.spc or "")[:16] or None
    call.shaken_origid = result.origid
    call.verified_at = clock.now()


def _unverified(session: Session, again: bool, after_id: int) -> list[models.Call]:
    query = select(models.Call).where(
        models.Call.identity.is_not(None), models.Call.identity != "", models.Call.id > after_id
    )
    if not again:
        query = query.where(models.Call.verified_at.is_(None))
    return list(session.scalars(query.order_by(models.Call.id).limit(BATCH)))


async def _verify_all(
    session: Session, verifier: Verifier, clock: Clock,
    certificates: Mapping[str, CertificateBundle], again: bool,
) -> VerifyCounts:  # fmt: skip
    counts, last = VerifyCounts(), 0
    while calls := _unverified(session, again, last):
        for call in calls:
            result = await verify_call(call, verifier, certificates)
            store_result(call, result, clock)
            counts.verified += 1
            if result.valid:
                counts.valid += 1
            else:
                counts.codes[result.code or 0] += 1
        last = calls[-1].id
        session.flush()
    return counts


def verify_calls(
    session: Session,
    verifier: Verifier,
    clock: Clock,
    certificates: Mapping[str, CertificateBundle] | None = None,
    again: bool = False,
) -> VerifyCounts:
    """Verify the stored calls that carry an Identity header and have no result yet (with
    ``again``: all of them) and store each result; the caller commits.

    ``certificates`` (x5u URL → bundle) are used instead of fetching, for offline worlds
    such as the simulator's (:func:`load_certificate_folder`). Not for a running event
    loop's thread: it runs its own."""
    return asyncio.run(_verify_all(session, verifier, clock, certificates or {}, again))
