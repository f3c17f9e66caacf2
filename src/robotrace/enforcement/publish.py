"""Publishing the block list: a new signed version only when the entries in force changed.
Re-exported by :mod:`robotrace.enforcement.service`, which callers use."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from robotrace.clock import Clock, as_utc
from robotrace.enforcement import blocklist, records, signing
from robotrace.settings import Settings
from robotrace.store import models


def list_redress(settings: Settings) -> blocklist.ListRedress:
    """The redress every entry names, from the ``blocklist_redress_*`` settings."""
    return blocklist.ListRedress(
        settings.blocklist_redress_url,
        settings.blocklist_redress_tel,
        settings.blocklist_redress_email,
    )


def latest_blocklist(session: Session) -> models.BlocklistVersion | None:
    newest = session.scalar(select(func.max(models.BlocklistVersion.version)))
    return None if newest is None else session.get(models.BlocklistVersion, newest)


def blocklist_version(session: Session, version: int) -> models.BlocklistVersion | None:
    return session.get(models.BlocklistVersion, version)


#: Tries at publishing when other transactions keep taking the next version number first.
PUBLISH_TRIES = 10


def publish_blocklist(
    session: Session, clock: Clock, settings: Settings
) -> models.BlocklistVersion:
    """The current version; a new one (signed with the ``blocklist_signing_key``, kept) only
    when the entries changed."""
    for _ in range(PUBLISH_TRIES):
        published = _publish_once(session, clock, settings)
        if published is not None:
            return published
    raise RuntimeError(f"the block list's next version was taken {PUBLISH_TRIES} times")


def _publish_once(
    session: Session, clock: Clock, settings: Settings
) -> models.BlocklistVersion | None:
    """None when another transaction stored the next version number first: it could not
    see this transaction's changes, so the caller compares again with what it committed
    (PostgreSQL reads it in the next statement; SQLite has one writer at a time)."""
    # The latest version before the entries: a transaction committing in between is then
    # in the entries, or takes the next number too (and one of the two compares again).
    latest = latest_blocklist(session)
    # Never at an instant before the latest version's: a publisher whose clock was read
    # before another published (a reinstatement effective now) would put back, under a
    # higher number, what the newer version had dropped.
    now = clock.now() if latest is None else max(clock.now(), as_utc(latest.generated_at))
    entries = blocklist.entries_of(records.in_force(session), now, list_redress(settings))
    digest = blocklist.content_hash(entries)
    if latest is not None and latest.content_hash == digest:
        return latest
    number = (latest.version if latest else 0) + 1
    version = _new_version(number, now, entries, digest, settings.blocklist_signing_key)
    try:
        with session.begin_nested():
            session.add(version)
    except IntegrityError:
        return None
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
    number: int,
    now: datetime,
    entries: list[dict[str, object]],
    digest: str,
    blocklist_signing_key: str,
) -> models.BlocklistVersion:
    body = blocklist.json_body(number, now, entries)
    table = blocklist.csv_body(entries)
    return models.BlocklistVersion(
        version=number,
        generated_at=now,
        content_hash=digest,
        body=body.decode(),
        etag=blocklist.etag_of(body),
        signature=signing.sign(body, blocklist_signing_key),
        csv=table.decode(),
        csv_etag=blocklist.etag_of(table),
        csv_signature=signing.sign(table, blocklist_signing_key),
    )
