"""Telling the portal "we block under BA-x since T" (47 CFR 64.1200(k)(4) asks a provider that
blocks under a permissive authorization to give the Commission notice first).

:func:`declare_all` reads the verified block list the blocker applies, picks its permissive
(K4) entries — mandatory ones need no declaration — and posts one declaration per
authorization with the provider's token; the portal writes the notice to the FCC.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import httpx

from robotrace.blocking.model import BlockEntry, LoadedBlocklist
from robotrace.clock import as_utc, format_utc


@dataclass(frozen=True)
class Declared:
    authorization_id: int
    provider: str
    since: datetime
    status: int
    detail: str
    #: BA-000007: what people call the authorization (its number, not its id).
    reference: str = ""

    def as_json(self) -> dict[str, object]:
        return {
            "authorization_id": self.authorization_id,
            "reference": self.reference,
            "provider": self.provider,
            "since": format_utc(self.since),
            "status": self.status,
            "detail": self.detail,
        }


def permissive_entries(blocklist: LoadedBlocklist) -> dict[int, BlockEntry]:
    """Each K4 authorization on the list, once (a numbers authorization has several entries)."""
    found: dict[int, BlockEntry] = {}
    entries = [*blocklist.providers.values(), *blocklist.numbers.values()]
    for entry in sorted(entries, key=lambda e: (e.authorization_id or 0, e.provider)):
        if entry.reason_code == "authorization" and entry.authorization_id is not None:
            found.setdefault(entry.authorization_id, entry)
    return found


def declare_all(
    client: httpx.Client,
    blocklist: LoadedBlocklist,
    since: datetime,
    only: Iterable[int] = (),
) -> list[Declared]:
    """Declare blocking under every permissive authorization on the list (or those whose
    reference numbers are in ``only``: 7 for BA-000007), each from ``since`` or its
    effective time, whichever is later. The portal's path takes the authorization's id,
    which the list gives beside its reference."""
    wanted = set(only)
    results = []
    for authorization_id, entry in sorted(permissive_entries(blocklist).items()):
        if wanted and reference_number(entry) not in wanted:
            continue
        start = max(as_utc(since), as_utc(entry.effective_at))
        response = client.post(
            f"/api/v1/authorizations/{authorization_id}/blocking",
            json={"since": format_utc(start)},
        )
        detail = "declared" if response.status_code == 201 else _detail(response)
        reference = f"BA-{reference_number(entry):06d}"
        results.append(
            Declared(
                authorization_id, entry.provider, start, response.status_code, detail, reference
            )
        )
    return results


def _detail(response: httpx.Response) -> str:
    try:
        return str(response.json().get("detail", response.reason_phrase))[:300]
    except ValueError:
        return response.reason_phrase


def reference_number(entry: BlockEntry) -> int:
    """The number of the entry's BA- reference (an authorization's own sequence since issue
    22); a list without references: the authorization's id, which was the number before."""
    reference = (entry.reference or "").upper()
    if reference.startswith("BA-") and reference[3:].isdigit():
        return int(reference[3:])
    return entry.authorization_id or 0


def authorization_number(text: str) -> int:
    """``BA-000007`` or ``7`` → 7 (the number in the reference, not a row id)."""
    digits = text.strip().upper().removeprefix("BA-")
    if not (digits.isascii() and digits.isdigit()) or not 0 < int(digits) < 2**31:
        raise ValueError(f"not an authorization: {text!r:.40}")
    return int(digits)
