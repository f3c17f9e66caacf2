"""Publishing the block list: a new signed version only when the entries in force changed.
Re-exported by :mod:`robotrace.enforcement.service`, which callers use."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from robotrace.clock import Clock
from robotrace.enforcement import blocklist, records, signing
from robotrace.store import models


def latest_blocklist(session: Session) -> models.BlocklistVersion | None:
    newest = session.scalar(select(func.max(models.BlocklistVersion.version)))
    return None if newest is None else session.get(models.BlocklistVersion, newest)


def blocklist_version(session: Session, version: int) -> models.BlocklistVersion | None:
    return session.get(models.BlocklistVersion, version)


def publish_blocklist(session: Session, clock: Clock) -> models.BlocklistVersion:
    """The current version; a new one (signed, kept) only when the entries changed."""
    now = clock.now()
    entries = blocklist.entries_of(records.in_force(session), now)
    digest = blocklist.content_hash(entries)
    latest = latest_blocklist(session)
    if latest is not None and latest.content_hash == digest:
        return latest
    version = _new_version((latest.version if latest else 0) + 1, now, entries, digest)
    try:
        with session.begin_nested():
            session.add(version)
    except IntegrityError:
        # Another transaction published this version number first; it holds the same state
        # or a newer one, and the next call compares against it.
        newest = latest_blocklist(session)
        assert newest is not None
        return newest
    records.audit(
        session,
        now,
        "system:blocklist",
        "blocklist.published",
        None,
        version=version.version,
        entries=len(entries),
        etag=version.etag,
    )
    return version


def _new_version(
    number: int, now: datetime, entries: list[dict[str, object]], digest: str
) -> models.BlocklistVersion:
    body = blocklist.json_body(number, now, entries)
    table = blocklist.csv_body(entries)
    return models.BlocklistVersion(
        version=number,
        generated_at=now,
        content_hash=digest,
        body=body.decode(),
        etag=blocklist.etag_of(body),
        signature=signing.sign(body),
        csv=table.decode(),
        csv_etag=blocklist.etag_of(table),
        csv_signature=signing.sign(table),
    )
