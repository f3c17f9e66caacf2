"""The Robocall Mitigation Database in the store: imports of its export, kept with their
date; its filings under their RMD numbers; removals and reinstatements; and each provider's
RMD status (docs/concepts.md, "RMD status").

An import of the export (:func:`import_rmd_export`) adds or updates the provider of each
filing (matched by RMD number and FRN, see :mod:`robotrace.providers.store`), stores the
filing as the export wrote it, and notes what changed: ``added``, ``updated``, ``relisted``
(back after an export without it) and ``dropped`` (in the previous export, not in this one).
The same file twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import NotRequired, TypedDict

from sqlalchemy import select
from sqlalchemy.orm import Session

from robotrace.clock import Clock, as_utc
from robotrace.providers.registry import Provider
from robotrace.providers.rmd import RmdExport, RmdFiling
from robotrace.providers.status import RmdStatus, recertification_due_date, rmd_status
from robotrace.providers.store import upsert_each
from robotrace.store import models
from robotrace.store.audit import append_audit
from robotrace.store.db import chunks
from robotrace.store.values import AuditEvent


@dataclass(frozen=True)
class RmdImportCounts:
    """What an import did: counts of filings, and of the providers they belong to."""

    import_id: int | None
    filings: int
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    not_in_export: int = 0
    refused: int = 0
    providers_added: int = 0
    providers_merged: int = 0
    #: The import whose file was byte for byte this one (nothing was done again), if any.
    same_as: int | None = None


def provider_of_filing(filing: RmdFiling) -> Provider:
    """The provider a filing describes (its key is the store's to choose)."""
    contact = {k: v for k, v in asdict(filing.contact).items() if v}
    return Provider(
        key="",
        business_name=filing.business_name,
        country=filing.country or "United States",
        foreign=filing.foreign,
        rmd_numbers=(filing.number,),
        frns=(filing.frn,) if filing.frn else (),
        other_names=(*filing.other_dba_names, *filing.previous_dba_names),
        business_address=filing.business_address,
        implementation=filing.implementation,
        voice_service_provider=filing.voice_service_provider,
        gateway_provider=filing.gateway_provider,
        intermediate_provider=filing.intermediate_provider,
        last_recertified=filing.last_recertified.isoformat() if filing.last_recertified else "",
        rmd_contact=contact,
    )


def latest_import(session: Session) -> models.RmdImport | None:
    return session.scalar(select(models.RmdImport).order_by(models.RmdImport.id.desc()).limit(1))


def import_rmd_export(
    session: Session, export: RmdExport, file_name: str, actor: str, clock: Clock
) -> RmdImportCounts:
    """Store one export (see the module's docstring); the caller commits."""
    previous = latest_import(session)
    if previous is not None and previous.sha256 == export.sha256:
        n = len(export.filings)
        return RmdImportCounts(
            None, n, unchanged=n, refused=len(export.refused), same_as=previous.id
        )
    now = clock.now()
    record = models.RmdImport(
        imported_at=now, imported_by=actor, file_name=file_name[:255], sha256=export.sha256
    )
    session.add(record)
    session.flush()
    # Older filings first, so a company's newest filing sets its name and details.
    filings = sorted(export.filings, key=lambda f: (f.last_updated or date.min, f.line))
    rows = upsert_each(session, [provider_of_filing(f) for f in filings], clock, actor)
    changes = _store_filings(session, record, filings, [row for row, _ in rows], previous, now)
    outcomes = [outcome for _, outcome in rows]
    _fill_counts(record, export, changes)
    counts = RmdImportCounts(
        record.id,
        record.filings,
        record.added,
        record.updated,
        record.unchanged,
        record.not_in_export,
        record.refused,
        providers_added=outcomes.count("added"),
        providers_merged=sum(o.startswith("merged") for o in outcomes),
    )
    append_audit(session, [AuditEvent(now, actor, "rmd.imported", "", None, asdict(counts))])
    return counts


def _store_filings(
    session: Session,
    record: models.RmdImport,
    filings: list[RmdFiling],
    providers: list[models.Provider],
    previous: models.RmdImport | None,
    now: datetime,
) -> dict[str, int]:
    stored = {f.number: f for f in session.scalars(select(models.RmdFiling))}
    changes = {"added": 0, "updated": 0, "unchanged": 0, "relisted": 0}
    for filing, provider in zip(filings, providers, strict=True):
        row = stored.get(filing.number)
        change = _store_filing(session, record, filing, provider, row, previous, now)
        changes[change] += 1
    changes["dropped"] = _note_dropped(session, record, previous)
    return changes


def _store_filing(
    session: Session,
    record: models.RmdImport,
    filing: RmdFiling,
    provider: models.Provider,
    row: models.RmdFiling | None,
    previous: models.RmdImport | None,
    now: datetime,
) -> str:
    digest = filing.content_hash()
    if row is None:
        row = models.RmdFiling(
            number=filing.number, provider=provider, data=filing.content(),
            content_hash=digest, first_import_id=record.id, last_import_id=record.id,
            updated_at=now,
        )  # fmt: skip
        session.add(row)
        return _entry(session, record, row, "added")
    was_listed = previous is not None and row.last_import_id == previous.id
    row.last_import_id = record.id
    row.provider = provider
    if row.content_hash != digest:
        row.data, row.content_hash, row.updated_at = filing.content(), digest, now
        return _entry(session, record, row, "updated")
    return _entry(session, record, row, "relisted") if not was_listed else "unchanged"


def _entry(session: Session, record: models.RmdImport, row: models.RmdFiling, change: str) -> str:
    session.add(models.RmdImportEntry(import_id=record.id, filing=row, change=change))
    return change


def _note_dropped(
    session: Session, record: models.RmdImport, previous: models.RmdImport | None
) -> int:
    if previous is None:
        return 0
    dropped = list(
        session.scalars(
            select(models.RmdFiling).where(models.RmdFiling.last_import_id == previous.id)
        )
    )
    for row in dropped:
        _entry(session, record, row, "dropped")
    session.flush()
    return len(dropped)


def _fill_counts(record: models.RmdImport, export: RmdExport, changes: dict[str, int]) -> None:
    record.filings = len(export.filings)
    record.added = changes["added"]
    record.updated = changes["updated"]
    record.unchanged = changes["unchanged"] + changes["relisted"]
    record.not_in_export = changes["dropped"]
    record.refused = len(export.refused)


def remove_provider(
    session: Session,
    provider: models.Provider,
    order_reference: str,
    removed_at: datetime,
    actor: str,
    clock: Clock,
) -> models.RmdRemoval:
    """Record the FCC's order removing ``provider`` from the RMD (entered by a regulator)."""
    if active_removal(session, provider.id) is not None:
        raise ValueError(f"{provider.key} is removed from the RMD already")
    removal = models.RmdRemoval(
        provider_id=provider.id, order_reference=order_reference, removed_at=removed_at,
        entered_by=actor, entered_at=clock.now(),
    )  # fmt: skip
    session.add(removal)
    session.flush()
    details = {"order": order_reference, "removed_at": removed_at.isoformat()}
    append_audit(
        session, [AuditEvent(clock.now(), actor, "rmd.removed", "", provider.key, details)]
    )
    return removal


def reinstate_provider(
    session: Session,
    provider: models.Provider,
    reference: str,
    reinstated_at: datetime,
    actor: str,
    clock: Clock,
) -> models.RmdRemoval:
    """Record that ``provider`` is back in the RMD: its standing removal ends."""
    removal = active_removal(session, provider.id)
    if removal is None:
        raise ValueError(f"{provider.key} is not removed from the RMD")
    if as_utc(reinstated_at) < as_utc(removal.removed_at):
        raise ValueError(
            f"a reinstatement ({reinstated_at:%Y-%m-%d %H:%M}Z) cannot come before its removal"
            f" ({removal.removed_at:%Y-%m-%d %H:%M}Z)"
        )
    removal.reinstated_at, removal.reinstated_by = reinstated_at, actor
    removal.reinstatement_reference = reference
    session.flush()
    details = {"reference": reference, "reinstated_at": reinstated_at.isoformat()}
    event = AuditEvent(clock.now(), actor, "rmd.reinstated", "", provider.key, details)
    append_audit(session, [event])
    return removal


def active_removal(session: Session, provider_id: int) -> models.RmdRemoval | None:
    return session.scalar(
        select(models.RmdRemoval).where(
            models.RmdRemoval.provider_id == provider_id, models.RmdRemoval.reinstated_at.is_(None)
        )
    )


def statuses(
    session: Session, provider_ids: Iterable[int], today: date, recertification_due: str
) -> dict[int, RmdStatus]:
    """The RMD status of each provider on ``today`` (see
    :func:`robotrace.providers.status.rmd_status`; ``recertification_due``, ``MM-DD``, is the
    ``rmd_recertification_due`` setting), any number of them: the queries bind a chunk of ids
    at a time."""
    latest = latest_import(session)
    due = recertification_due_date(recertification_due)
    found: dict[int, RmdStatus] = {}
    for wanted in chunks(sorted(set(provider_ids))):
        found.update(_statuses(session, wanted, latest, today, due))
    return found


def _statuses(
    session: Session,
    wanted: Sequence[int],
    latest: models.RmdImport | None,
    today: date,
    due: tuple[int, int],
) -> dict[int, RmdStatus]:
    filings: dict[int, list[tuple[str, int]]] = {i: [] for i in wanted}
    found = session.execute(  # numbers and imports only: the filings' data can be large
        select(
            models.RmdFiling.provider_id, models.RmdFiling.number, models.RmdFiling.last_import_id
        ).where(models.RmdFiling.provider_id.in_(wanted))
    )
    for provider_id, number, last_import_id in found:
        filings[provider_id].append((number, last_import_id))
    removed = {
        r.provider_id: r
        for r in session.scalars(
            select(models.RmdRemoval).where(
                models.RmdRemoval.provider_id.in_(wanted), models.RmdRemoval.reinstated_at.is_(None)
            )
        )
    }
    providers = {
        p_id: recertified
        for p_id, recertified in session.execute(
            select(models.Provider.id, models.Provider.last_recertified).where(
                models.Provider.id.in_(wanted)
            )
        )
    }
    return {
        i: rmd_status(
            listed_numbers=[n for n, last in filings[i] if latest and last == latest.id],
            filed_numbers=[n for n, _ in filings[i]],
            removal=(removed[i].order_reference, removed[i].removed_at) if i in removed else None,
            last_recertified=providers.get(i, ""),
            today=today,
            due=due,
        )
        for i in wanted
    }


#: One thing the RMD said of a provider (:func:`history`): an import that changed one of its
#: filings (``filing``, ``import``), or a removal or reinstatement (``order``).
RmdEvent = TypedDict(
    "RmdEvent",
    {
        "at": datetime,
        "what": str,
        "filing": NotRequired[str],
        "import": NotRequired[int],
        "order": NotRequired[str | None],
    },
)


def history(session: Session, provider_id: int) -> list[RmdEvent]:
    """What the RMD said of a provider over time, oldest first: each import that changed one
    of its filings, and each removal and reinstatement."""
    rows = session.execute(
        select(
            models.RmdImport.imported_at,
            models.RmdImport.id,
            models.RmdFiling.number,
            models.RmdImportEntry.change,
        )
        .join(models.RmdImportEntry, models.RmdImportEntry.import_id == models.RmdImport.id)
        .join(models.RmdFiling, models.RmdFiling.id == models.RmdImportEntry.filing_id)
        .where(models.RmdFiling.provider_id == provider_id)
    )
    events: list[RmdEvent] = [
        {"at": at, "what": change, "filing": number, "import": import_id}
        for at, import_id, number, change in rows
    ]
    for removal in session.scalars(
        select(models.RmdRemoval).where(models.RmdRemoval.provider_id == provider_id)
    ):
        events.append(
            {"at": removal.removed_at, "what": "removed", "order": removal.order_reference}
        )
        if removal.reinstated_at is not None:
            events.append(
                {
                    "at": removal.reinstated_at,
                    "what": "reinstated",
                    "order": removal.reinstatement_reference,
                }
            )
    return sorted(events, key=lambda e: e["at"])
