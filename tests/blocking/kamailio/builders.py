"""A small signed world for the Kamailio tests: a list with one provider entry (BBBB, also
known by its OCN 1234), one number entry in CCCC's traffic, the operator's redress, and the
603+ Reason values ATIS-1000099 gives for them, written out by hand."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from robotrace.enforcement.blocklist import etag_of, json_body

T0 = datetime(2020, 5, 4, 13, 0, tzinfo=UTC)
SPOOFED = "+12025550188"  # the caller ID CCCC's authorization names
CRITICAL = "+13125550111"  # a PSAP's number
CALLED = "+13125550199"
CLEAN = "+12025550143"
REDRESS = {
    "ROBOTRACE_BLOCKER_REDRESS_URL": "https://redress.example.org/blocks",
    "ROBOTRACE_BLOCKER_REDRESS_TEL": "+12025550100",
    "ROBOTRACE_BLOCKER_REDRESS_EMAIL": "redress@example.org",
}
#: The operator's redress (no entry names its own), as ATIS-1000099 writes a 603+ Reason.
OPERATOR = "url=https://redress.example.org/blocks;tel=+12025550100;email=redress@example.org"


def reason(reference: str) -> str:
    return f'SIP;cause=603;text="v=analytics1;{OPERATOR};id={reference}";location=RLN'


def entry(
    provider: str,
    reference: str,
    authorization_id: int,
    number: str | None = None,
    ocns: tuple[str, ...] = (),
    effective_at: datetime = T0,
    scope: str = "provider",
) -> dict[str, Any]:
    return {
        "kind": "number" if number else "provider",
        "scope": "numbers" if number else scope,
        "provider": provider,
        "ocns": list(ocns),
        "name": f"Provider {provider}",
        "number": number,
        "reason_code": "authorization",
        "authorization_id": authorization_id,
        "rmd_order": None,
        "effective_at": effective_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "reason": "robocalls",
        "contact": "",
        "reference": reference,
    }


def first_list() -> list[dict[str, Any]]:
    return [
        entry("BBBB", "BA-000007", 7, ocns=("1234",)),
        entry("CCCC", "BA-000009", 9, number=SPOOFED),
        entry("EEEE", "BA-000010", 10, effective_at=datetime(2999, 1, 1, tzinfo=UTC)),
    ]


def second_list() -> list[dict[str, Any]]:
    """BBBB's authorization withdrawn, DDDD newly blocked."""
    return [entry("CCCC", "BA-000009", 9, number=SPOOFED), entry("DDDD", "BA-000011", 11)]


def save_signed(
    path: Path, key: Ed25519PrivateKey, entries: list[dict[str, Any]], version: int
) -> None:
    """``entries`` as robotrace blocker's cache file keeps a verified list."""
    body = json_body(version, T0 + timedelta(days=version), entries)
    signature = "ed25519=" + base64.b64encode(key.sign(body)).decode()
    record = {
        "etag": etag_of(body),
        "signature": signature,
        "body": base64.b64encode(body).decode(),
    }
    path.write_text(json.dumps(record))


def public_pem(key: Ed25519PrivateKey, path: Path) -> Path:
    path.write_bytes(key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo))
    return path
