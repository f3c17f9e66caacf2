"""The block list: the entries active authorizations put on it, and its published bytes.

Pure functions: :func:`entries_of` (authorizations → entries), :func:`json_body`,
:func:`csv_body`, :func:`content_hash`, :func:`etag_of`. A new version is made only when the
content hash of the entries changes (see :func:`robotrace.enforcement.service.publish_blocklist`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from robotrace.clock import as_utc, format_utc
from robotrace.enforcement.authorizations import Scope

CSV_COLUMNS = (
    "kind",
    "scope",
    "ocn",
    "name",
    "number",
    "authorization_id",
    "effective_at",
    "reason",
    "contact",
)


@dataclass(frozen=True)
class InForce:
    """An active authorization and its provider, as the block list needs them."""

    authorization_id: int
    scope: str
    numbers: tuple[str, ...]
    effective_at: datetime
    reason: str
    ocn: str
    name: str
    contact: str


def _entry(auth: InForce, kind: str, number: str | None) -> dict[str, Any]:
    return {
        "kind": kind,
        "scope": auth.scope,
        "ocn": auth.ocn,
        "name": auth.name,
        "number": number,
        "authorization_id": auth.authorization_id,
        "effective_at": format_utc(auth.effective_at),
        "reason": auth.reason,
        "contact": auth.contact,
    }


def entries_of(authorizations: Iterable[InForce], now: datetime) -> list[dict[str, Any]]:
    """Entries of the authorizations in force at ``now`` (effective at or before it): one per
    provider, or one per number for scope ``numbers``; sorted, so equal content is equal."""
    entries = []
    for auth in authorizations:
        if as_utc(auth.effective_at) > as_utc(now):
            continue
        if auth.scope == Scope.NUMBERS:
            entries.extend(_entry(auth, "number", number) for number in auth.numbers)
        else:
            entries.append(_entry(auth, "provider", None))
    return sorted(entries, key=lambda e: (e["ocn"], e["number"] or "", e["authorization_id"]))


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8: the same value always gives the same bytes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def content_hash(entries: list[dict[str, Any]]) -> str:
    return hashlib.sha256(canonical_json(entries)).hexdigest()


def json_body(version: int, generated_at: datetime, entries: list[dict[str, Any]]) -> bytes:
    document = {"version": version, "generated_at": format_utc(generated_at), "entries": entries}
    return canonical_json(document)


def csv_body(entries: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        writer.writerow(["" if entry[c] is None else entry[c] for c in CSV_COLUMNS])
    return out.getvalue().encode()


def etag_of(body: bytes) -> str:
    """A strong ETag: the quoted SHA-256 of the exact bytes."""
    return '"' + hashlib.sha256(body).hexdigest() + '"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 ``If-None-Match``: ``*`` or any listed tag (weak ``W/`` prefixes compare too)."""
    if not if_none_match:
        return False
    tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return "*" in tags or etag in tags
