"""Small builders for the blocking tests: entries, lists, signed bodies."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from robotrace.blocking.decide import Policy
from robotrace.blocking.listfile import parse
from robotrace.blocking.model import LoadedBlocklist
from robotrace.blocking.plus603 import Redress
from robotrace.clock import SimulatedClock
from robotrace.enforcement.blocklist import etag_of, json_body

T0 = datetime(2020, 5, 4, 13, 0, tzinfo=UTC)
CLEAN = "+12025550143"  # a valid, assignable NANP number no rule names


def entry(
    provider: str = "BBBB",
    scope: str = "provider",
    number: str | None = None,
    authorization_id: int | None = 7,
    effective_at: datetime = T0,
    contact: str = "noc@bbbb.example",
    ocns: tuple[str, ...] = (),
    reason_code: str = "authorization",
    rmd_order: str | None = None,
    reason: str = "still carrying covid-test-kits",
    redress: dict[str, str] | None = None,
) -> dict[str, Any]:
    """An entry as the portal publishes it; ``provider`` is the provider's key."""
    reference = f"BA-{authorization_id:06d}" if authorization_id is not None else rmd_order
    return {
        "kind": "number" if number else "provider",
        "scope": "numbers" if number else scope,
        "provider": provider,
        "ocns": list(ocns),
        "name": f"Provider {provider}",
        "number": number,
        "reason_code": reason_code,
        "authorization_id": authorization_id,
        "rmd_order": rmd_order,
        "effective_at": effective_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "reason": reason,
        "contact": contact,
        "reference": reference,
        "redress": redress,
    }


def rmd_removed(
    provider: str = "EEEE",
    order: str = "DA 25-694",
    ocns: tuple[str, ...] = (),
    effective_at: datetime = T0,
) -> dict[str, Any]:
    """The entry a standing RMD removal puts on the list (no authorization)."""
    return entry(
        provider,
        "no_direct_traffic",
        authorization_id=None,
        effective_at=effective_at,
        contact="",
        ocns=ocns,
        reason_code="rmd_removed",
        rmd_order=order,
        reason=f"removed from the Robocall Mitigation Database ({order})",
    )


def body_of(*entries: dict[str, Any], version: int = 2, generated_at: datetime = T0) -> bytes:
    return json_body(version, generated_at, list(entries))


def loaded(*entries: dict[str, Any], version: int = 2) -> LoadedBlocklist:
    return parse(body_of(*entries, version=version))


def signed(key: Ed25519PrivateKey, body: bytes) -> dict[str, str]:
    return {
        "ETag": etag_of(body),
        "X-Robotrace-Signature": "ed25519=" + base64.b64encode(key.sign(body)).decode(),
    }


def policy(**changes: Any) -> Policy:
    return Policy(clock=SimulatedClock(T0), redress=OPERATOR, **changes)


#: The blocker operator's own redress (settings ``blocker_redress_*``).
OPERATOR = Redress(email="abuse@downstream.example")
