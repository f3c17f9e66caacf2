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
from urllib.parse import quote

from robotrace.clock import as_utc, format_utc
from robotrace.csvcells import safe_row
from robotrace.enforcement.authorizations import Scope, step_reference

CSV_COLUMNS = (
    "kind",
    "scope",
    "provider",
    "ocns",
    "name",
    "number",
    "reason_code",
    "authorization_id",
    "rmd_order",
    "order_id",
    "obligation",
    "downstream",
    "effective_at",
    "reason",
    "contact",
    "reference",
    "redress",
)
#: Why an entry is on the list: a regulator's (K4, permissive) block authorization, a Final
#: Determination Order under 47 CFR 64.1200(n) (mandatory for the providers immediately
#: downstream), or the provider's removal from the Robocall Mitigation Database (47 CFR
#: 64.6305, no authorization needed).
AUTHORIZATION = "authorization"
FINAL_ORDER = "final_order"
RMD_REMOVED = "rmd_removed"
#: Whether downstream providers *may* block (K4) or *must* (a final order, an RMD removal).
PERMISSIVE = "permissive"
MANDATORY = "mandatory"


@dataclass(frozen=True)
class InForce:
    """What puts a provider on the block list, with the provider as the list names it:
    an active authorization, or a standing RMD removal (``authorization_id`` None)."""

    authorization_id: int | None
    scope: str
    numbers: tuple[str, ...]
    effective_at: datetime
    reason: str
    key: str
    name: str
    contact: str
    ocns: tuple[str, ...] = ()
    reason_code: str = AUTHORIZATION
    rmd_order: str | None = None
    #: When it stops applying (a reinstatement's date); None: until lifted.
    until: datetime | None = None
    #: A final order's id (reason_code final_order; authorization_id is then None).
    order_id: int | None = None
    #: A final order's providers immediately downstream, who must block (empty: not named).
    downstream: tuple[str, ...] = ()
    #: The authorization's or order's reference (BA-000003: its number in its kind's own
    #: sequence); empty: made from the id, as before issue 22.
    numbered_reference: str = ""

    @property
    def reference(self) -> str | None:
        """What a blocked caller quotes for redress (the 603+ ``id``): the authorization's
        or the final order's reference, or the RMD removal order."""
        if self.numbered_reference:
            return self.numbered_reference
        if self.authorization_id is not None:
            return step_reference("BA", self.authorization_id)
        if self.order_id is not None:
            return step_reference("FDO", self.order_id)
        return self.rmd_order

    @property
    def obligation(self) -> str:
        """Downstream providers may block under a K4 authorization; they must under a final
        order and may not take an RMD-removed provider's traffic directly."""
        return PERMISSIVE if self.reason_code == AUTHORIZATION else MANDATORY


@dataclass(frozen=True)
class ListRedress:
    """Where a caller blocked under the list asks for redress, as the list publishes it for
    every entry (settings ``blocklist_redress_*``); ``url`` may hold ``{reference}``."""

    url: str = ""
    tel: str = ""
    email: str = ""

    def for_entry(self, reference: str | None) -> dict[str, str] | None:
        ways = {
            "url": self.url.replace("{reference}", quote(reference or "", safe="")),
            "tel": self.tel,
            "email": self.email,
        }
        ways = {k: v for k, v in ways.items() if v}
        return ways or None


def _entry(auth: InForce, kind: str, number: str | None, redress: ListRedress) -> dict[str, Any]:
    return {
        "kind": kind,
        "scope": auth.scope,
        "provider": auth.key,
        "ocns": list(auth.ocns),
        "name": auth.name,
        "number": number,
        "reason_code": auth.reason_code,
        "authorization_id": auth.authorization_id,
        "rmd_order": auth.rmd_order,
        "order_id": auth.order_id,
        "obligation": auth.obligation,
        "downstream": list(auth.downstream),
        "effective_at": format_utc(auth.effective_at),
        "reason": auth.reason,
        "contact": auth.contact,
        "reference": auth.reference,
        "redress": redress.for_entry(auth.reference),
    }


def entries_of(
    authorizations: Iterable[InForce], now: datetime, redress: ListRedress | None = None
) -> list[dict[str, Any]]:
    """Entries of the authorizations in force at ``now`` (effective at or before it): one per
    provider, or one per number for scope ``numbers`` (each naming the provider whose
    traffic it covers); sorted, so equal content is equal."""
    redress = redress or ListRedress()
    entries: list[dict[str, Any]] = []
    for auth in authorizations:
        if as_utc(auth.effective_at) > as_utc(now):
            continue
        if auth.until is not None and as_utc(auth.until) <= as_utc(now):
            continue
        if auth.scope == Scope.NUMBERS:
            entries.extend(_entry(auth, "number", n, redress) for n in auth.numbers)
        else:
            entries.append(_entry(auth, "provider", None, redress))
    return sorted(
        entries,
        key=lambda e: (
            e["provider"],
            e["number"] or "",
            e["reason_code"],
            e["authorization_id"] or 0,
            e["order_id"] or 0,
        ),
    )


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8: the same value always gives the same bytes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def content_hash(entries: list[dict[str, Any]]) -> str:
    return hashlib.sha256(canonical_json(entries)).hexdigest()


def json_body(version: int, generated_at: datetime, entries: list[dict[str, Any]]) -> bytes:
    document = {"version": version, "generated_at": format_utc(generated_at), "entries": entries}
    return canonical_json(document)


def csv_body(entries: list[dict[str, Any]]) -> bytes:
    """The entries as CSV, cells a spreadsheet would run defused (:mod:`robotrace.csvcells`)
    before the bytes are signed; numbers stay E.164."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        writer.writerow(safe_row(_csv_value(entry[c]) for c in CSV_COLUMNS))
    return out.getvalue().encode()


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dict):
        return " ".join(value.values())
    return " ".join(value) if isinstance(value, list) else value


def etag_of(body: bytes) -> str:
    """A strong ETag: the quoted SHA-256 of the exact bytes."""
    return '"' + hashlib.sha256(body).hexdigest() + '"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 ``If-None-Match``: ``*`` or any listed tag (weak ``W/`` prefixes compare too)."""
    if not if_none_match:
        return False
    tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return "*" in tags or etag in tags
