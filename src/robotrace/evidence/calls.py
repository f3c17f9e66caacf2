"""Evidence calls into the SQL ``calls`` table: idempotent by ``(source, source_ref)``.

Honeypot records and SIP captures both become ``calls`` rows. Nothing is committed here: the
caller's transaction holds the whole import, so a failure leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select, tuple_
from sqlalchemy.orm import Session

from robotrace.clock import Clock, SystemClock
from robotrace.store import models
from robotrace.store.db import chunks


def known_providers(session: Session) -> dict[str, int]:
    """Provider id by every key, OCN, RMD number and FRN a file may name a provider by (an
    evidence file's terminating provider): keys win over the other identifiers."""
    held = session.execute(
        select(models.ProviderIdentifier.value, models.ProviderIdentifier.provider_id).where(
            models.ProviderIdentifier.kind != "name"
        )
    )
    found = {value: row_id for value, row_id in held}
    keys = session.execute(select(models.Provider.key, models.Provider.id))
    found.update({key: row_id for key, row_id in keys})
    return found


def add_calls(
    session: Session, files: Sequence[Sequence[dict[str, Any]]], clock: Clock | None = None
) -> list[int]:
    """Insert the calls of each file that are not stored yet; how many each file added.

    A call repeated in a later file, or already stored, is skipped.
    """
    now = (clock or SystemClock()).now()
    refs = {(c["source"], c["source_ref"]) for calls in files for c in calls}
    seen = stored_refs(session, list(refs))
    added: list[int] = []
    for calls in files:
        new = [c | {"imported_at": now} for c in calls if _first(c, seen)]
        if new:
            session.execute(insert(models.Call), new)
        added.append(len(new))
    return added


def _first(call: dict[str, Any], seen: set[tuple[str, str]]) -> bool:
    ref = (call["source"], call["source_ref"])
    if ref in seen:
        return False
    seen.add(ref)
    return True


def stored_refs(session: Session, refs: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which ``(source, source_ref)`` pairs are stored already."""
    found: set[tuple[str, str]] = set()
    pair = tuple_(models.Call.source, models.Call.source_ref)
    for part in chunks(refs):
        query = select(models.Call.source, models.Call.source_ref).where(pair.in_(part))
        found.update((source, ref) for source, ref in session.execute(query))
    return found
