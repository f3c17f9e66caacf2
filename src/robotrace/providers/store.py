"""Providers in the store: one row per company under its key, found by any identifier.

An import (robotrace's ``providers.csv``, the FCC's RMD export, a downstream naming a new
upstream) matches what it brings against every identifier the store holds: no match adds a
provider, one updates it, and a record that matches two providers makes them one
(:func:`merge_providers`, audited, nothing lost). The same input twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, select, tuple_, update
from sqlalchemy.orm import Session, selectinload

from robotrace.clock import Clock, SystemClock
from robotrace.providers.identity import clean, default_key, new_key, readings_of
from robotrace.providers.lookalike import looks_like
from robotrace.providers.registry import Provider
from robotrace.providers.zones import ProviderZone, provider_zone
from robotrace.store import models
from robotrace.store.audit import append_audit
from robotrace.store.db import chunks, rows_matched
from robotrace.store.values import AuditEvent
from robotrace.timezones import checked_zone

#: Attributes an import sets (and ``contact_email``); an empty value never erases one: an
#: older ``providers.csv`` has no address or RMD contact, and an admin may set the e-mail.
ATTRIBUTES = (
    "business_name",
    "country",
    "foreign",
    "business_address",
    "implementation",
    "voice_service_provider",
    "gateway_provider",
    "intermediate_provider",
    "last_recertified",
    "rmd_contact",
)
_UNIQUE_KINDS = ("key", "rmd", "frn", "ocn")


@dataclass(frozen=True)
class UpsertCounts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    merged: int = 0


class _Index:
    """Every provider row with its identifiers, and who holds each unique identifier. Rows
    are held as objects, so new ones need no flush (an import of thousands flushes once)."""

    def __init__(self, rows: Iterable[models.Provider]) -> None:
        self.order: dict[int, int] = {}  # id(row) → its place: older rows first
        self.holder: dict[tuple[str, str], models.Provider] = {}
        for row in rows:
            self.add(row)

    def matches(self, provider: Provider) -> list[models.Provider]:
        wanted = [("key", provider.key)] if provider.key else []
        wanted += provider.identifiers()
        found = {id(row): row for w in wanted if (row := self.holder.get(w)) is not None}
        return sorted(found.values(), key=lambda row: self.order[id(row)])

    def add(self, row: models.Provider) -> None:
        self.order.setdefault(id(row), len(self.order))
        self.holder[("key", row.key)] = row
        for ident in row.identifiers:
            if ident.kind in _UNIQUE_KINDS:
                self.holder[(ident.kind, ident.value)] = row

    def drop(self, row: models.Provider) -> None:
        self.holder = {k: v for k, v in self.holder.items() if v is not row}

    def key_taken(self, key: str) -> bool:
        return ("key", key) in self.holder


def _load_index(session: Session) -> _Index:
    rows = session.scalars(
        select(models.Provider).options(selectinload(models.Provider.identifiers))
    )
    return _Index(rows)


def upsert_providers(
    session: Session,
    providers: Iterable[Provider],
    clock: Clock | None = None,
    actor: str = "robotrace:import",
) -> UpsertCounts:
    """Add new providers and update changed ones, matched by key and every identifier;
    providers absent from ``providers`` are left alone (the registry export may be partial).
    """
    outcomes = [outcome for _, outcome in upsert_each(session, providers, clock, actor)]
    merged = sum(o.startswith("merged") for o in outcomes)
    return UpsertCounts(
        added=outcomes.count("added"),
        updated=sum(o.endswith("updated") for o in outcomes),
        unchanged=sum(o.endswith("unchanged") for o in outcomes),
        merged=merged,
    )


def upsert_each(
    session: Session,
    providers: Iterable[Provider],
    clock: Clock | None = None,
    actor: str = "robotrace:import",
) -> list[tuple[models.Provider, str]]:
    """:func:`upsert_providers`, saying for each provider its row and what happened:
    ``added``, ``updated``, ``unchanged``, or ``merged-`` before either of the last two."""
    now = (clock or SystemClock()).now()
    index = _load_index(session)
    done = []
    for provider in providers:
        found = index.matches(provider)
        prefix = ""
        if len(found) > 1:
            prefix = "merged-"
            _merge_all(session, index, found, actor, now, "an import names them as one")
        if not found:
            done.append((_create(session, index, provider, now), "added"))
        elif _apply(session, found[0], provider, now):
            index.add(found[0])
            done.append((found[0], prefix + "updated"))
        else:
            done.append((found[0], prefix + "unchanged"))
    session.flush()
    return done


def _create(session: Session, index: _Index, provider: Provider, now: datetime) -> models.Provider:
    row = _new_row(session, provider, now, index.key_taken)
    index.add(row)
    return row


def _new_row(
    session: Session, provider: Provider, now: datetime, key_taken: Callable[[str], bool]
) -> models.Provider:
    key = default_key(provider)
    while not key or key_taken(key):
        key = new_key()
    row = models.Provider(key=key, created_at=now, updated_at=now, business_name="")
    session.add(row)
    _apply(session, row, replace(provider, key=key), now)
    return row


def add_named_provider(
    session: Session, named: Provider, actor: str, clock: Clock, by: str | None = None
) -> models.Provider:
    """The provider a downstream names (``by``, its key) by name and contact, and perhaps
    an OCN, RMD number or FRN: one that holds any of those identifiers already, or else a
    new one, audited as ``provider.named``."""
    holder = _holder_of_any(session, named)
    if holder is not None:
        return holder
    row = _new_row(
        session, named, clock.now(), lambda key: resolve_provider(session, key) is not None
    )
    session.flush()
    details = {"name": row.business_name, "country": row.country, "by": by}
    events = [AuditEvent(clock.now(), actor, "provider.named", "", row.key, details)]
    if similar := lookalikes_of(session, row):
        # For the coordinator: a name that looks like a known provider's (another script).
        flagged = {"name": row.business_name, "looks_like": similar, "by": by}
        events.append(AuditEvent(clock.now(), actor, "provider.lookalike", "", row.key, flagged))
    append_audit(session, events)
    return row


def lookalikes_of(session: Session, row: models.Provider) -> list[str]:
    """The keys of other providers whose name (or any name/DBA they are known by) looks like
    ``row``'s without being it (:mod:`robotrace.providers.lookalike`)."""
    by_name = select(models.Provider.key, models.Provider.business_name).where(
        models.Provider.id != row.id
    )
    names = session.execute(by_name).tuples().all()
    identifier = models.ProviderIdentifier
    by_other_name = (
        select(models.Provider.key, identifier.value)
        .join(identifier, identifier.provider_id == models.Provider.id)
        .where(identifier.kind == "name", models.Provider.id != row.id)
    )
    other_names = session.execute(by_other_name).tuples().all()
    return looks_like(row.business_name, [*names, *other_names])


def identify_provider(
    session: Session,
    row: models.Provider,
    kind: str,
    value: str,
    actor: str,
    clock: Clock,
) -> models.Provider:
    """Record that ``row`` is also known by ``value`` (an RMD number, FRN, OCN or name,
    checked as such): when another provider holds it, the two are one and merge (the older
    survives, see :func:`merge_providers`). Returns the provider that holds it now."""
    value = clean(kind, value)
    holder = provider_by_identifier(session, kind, value) if kind != "name" else None
    if holder is not None and holder.id != row.id:
        survivor, absorbed = sorted((row, holder), key=lambda r: r.id)
        merge_providers(session, survivor, absorbed, actor, clock.now(), f"both are {kind} {value}")
        return survivor
    if add_identifiers(row, [(kind, value)]):
        row.updated_at = clock.now()
        details = {"kind": kind, "value": value}
        append_audit(
            session, [AuditEvent(clock.now(), actor, "provider.identified", "", row.key, details)]
        )
        session.flush()
    return row


def named_key(session: Session, named: Provider) -> str | None:
    """The key of the provider holding any identifier of ``named``, if one does."""
    holder = _holder_of_any(session, named)
    return holder.key if holder is not None else None


def _holder_of_any(session: Session, named: Provider) -> models.Provider | None:
    for kind, value in named.identifiers():
        holder = provider_by_identifier(session, kind, value)
        if holder is not None:
            return holder
    return None


def provider_by_identifier(session: Session, kind: str, value: str) -> models.Provider | None:
    """The provider known by ``value`` of ``kind`` (``ocn``, ``rmd``, ``frn``, ``key``: each
    names one provider at most), as stored (cleaned) already."""
    holder = session.scalar(
        select(models.ProviderIdentifier.provider_id).where(
            models.ProviderIdentifier.kind == kind, models.ProviderIdentifier.value == value
        )
    )
    return session.get(models.Provider, holder) if holder is not None else None


def _apply(session: Session, row: models.Provider, provider: Provider, now: datetime) -> bool:
    """Bring ``row`` up to ``provider``'s attributes and add its identifiers; True if
    anything changed."""
    changed = False
    for name in (*ATTRIBUTES, "contact_email"):
        value = getattr(provider, name)
        if value in ("", {}):  # a file without the column (the older format) erases nothing
            continue
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    wanted = [*provider.identifiers(), *(("name", n) for n in provider.names)]
    changed |= add_identifiers(row, wanted)
    if changed:
        row.updated_at = now
    return changed


def add_identifiers(row: models.Provider, identifiers: Iterable[tuple[str, str]]) -> bool:
    """Add what ``row`` does not hold yet; True if anything was added. (Whether another
    provider holds a unique one is the caller's to check first.)"""
    held = {(i.kind, i.value) for i in row.identifiers}
    added = False
    for kind, value in identifiers:
        if (kind, value) in held or not value:
            continue
        held.add((kind, value))
        row.identifiers.append(
            models.ProviderIdentifier(kind=kind, value=value, folded=value.casefold())
        )
        added = True
    return added


def _merge_all(
    session: Session,
    index: _Index,
    rows: list[models.Provider],
    actor: str,
    now: datetime,
    reason: str,
) -> None:
    survivor, *absorbed = rows  # the oldest row survives, so older keys stay primary
    for row in absorbed:
        merge_providers(session, survivor, row, actor, now, reason)
        index.drop(row)
    index.add(survivor)


def merge_providers(
    session: Session,
    survivor: models.Provider,
    absorbed: models.Provider,
    actor: str,
    now: datetime,
    reason: str,
) -> dict[str, int]:
    """Make ``absorbed`` part of ``survivor``: every row that names it (hops, tracebacks,
    calls, letters, authorizations, users, filings, …) names ``survivor`` instead, its
    identifiers and its key (as an alias) move over, blanks are filled from it, and the
    merge is audited. Returns how many rows moved, by table and column."""
    session.flush()
    moved = _repoint_foreign_keys(session, absorbed.id, survivor.id)
    for column in (models.Traceback.signer_key, models.Traceback.signer_upstream):
        result = session.execute(
            update(models.Traceback).where(column == absorbed.key).values({column: survivor.key})
        )
        moved[f"tracebacks.{column.key}"] = rows_matched(result)
    _absorb_identity(session, survivor, absorbed)
    session.delete(absorbed)
    survivor.updated_at = now
    counts = {where: n for where, n in moved.items() if n}
    details = {"absorbed": absorbed.key, "reason": reason, "moved": counts}
    event = AuditEvent(now, actor, "provider.merged", "", survivor.key, details)
    append_audit(session, [event])
    return moved


def _repoint_foreign_keys(session: Session, old: int, new: int) -> dict[str, int]:
    moved: dict[str, int] = {}
    for table in models.Base.metadata.sorted_tables:
        if table.name == "provider_identifiers":
            continue
        for fk in table.foreign_keys:
            if fk.column.table.name != "providers":
                continue
            column = fk.parent
            result = session.execute(update(table).where(column == old).values({column.name: new}))
            moved[f"{table.name}.{column.name}"] = rows_matched(result)
    # Rows loaded before the update still name the old id; read them afresh.
    for obj in list(session.identity_map.values()):
        if not isinstance(obj, models.Provider | models.ProviderIdentifier):
            session.expire(obj)
    return moved


def _absorb_identity(
    session: Session, survivor: models.Provider, absorbed: models.Provider
) -> None:
    moving = [(i.kind, i.value) for i in absorbed.identifiers] + [("key", absorbed.key)]
    for name in (
        "contact_email", "business_address", "implementation", "last_recertified", "time_zone"
    ):  # fmt: skip
        if not getattr(survivor, name) and getattr(absorbed, name):
            setattr(survivor, name, getattr(absorbed, name))
    if not survivor.rmd_contact and absorbed.rmd_contact:
        survivor.rmd_contact = absorbed.rmd_contact
    absorbed.identifiers.clear()
    session.flush()  # the unique identifiers are free before the survivor takes them
    add_identifiers(survivor, [m for m in moving if m != ("key", survivor.key)])


def provider_of(row: models.Provider) -> Provider:
    """The registry's :class:`Provider` for a ``providers`` row, identifiers included."""
    kinds: dict[str, list[str]] = {"rmd": [], "frn": [], "ocn": [], "name": []}
    for ident in row.identifiers:
        if ident.kind in kinds:
            kinds[ident.kind].append(ident.value)
    return Provider(
        key=row.key,
        rmd_numbers=tuple(kinds["rmd"]),
        frns=tuple(kinds["frn"]),
        ocns=tuple(kinds["ocn"]),
        other_names=tuple(n for n in kinds["name"] if n != row.business_name),
        contact_email=row.contact_email,
        **{name: getattr(row, name) for name in ATTRIBUTES},
    )


def list_providers(session: Session) -> list[Provider]:
    """Every provider in the store, by key."""
    rows = session.scalars(
        select(models.Provider)
        .options(selectinload(models.Provider.identifiers))
        .order_by(models.Provider.key)
    )
    return [provider_of(row) for row in rows]


def resolve_provider(session: Session, text: str) -> models.Provider | None:
    """The provider that ``text`` names: its key, a merged provider's key, an OCN, an RMD
    number or an FRN (in that order of precedence); None when it names none. One query
    whatever the answer, so a found key and a missing one cost the same."""
    readings = readings_of(text)
    if not readings:
        return None
    keys = [value for kind, value in readings if kind == "key"]
    held = (
        select(models.ProviderIdentifier.provider_id, models.ProviderIdentifier.kind)
        .where(
            tuple_(models.ProviderIdentifier.kind, models.ProviderIdentifier.value).in_(readings)
        )
        .subquery()
    )
    rows = session.execute(
        select(models.Provider, held.c.kind)
        .outerjoin(held, held.c.provider_id == models.Provider.id)
        .where(or_(models.Provider.key.in_(keys), held.c.provider_id.is_not(None)))
    ).all()
    rank = {kind: place for place, (kind, _) in enumerate(readings)}
    best = sorted(rows, key=lambda r: -1 if r[0].key in keys else rank.get(r[1], len(rank)))
    return best[0][0] if best else None


def resolve_key(session: Session, text: str) -> str | None:
    """The key of the provider ``text`` names (see :func:`resolve_provider`)."""
    row = resolve_provider(session, text)
    return row.key if row is not None else None


def providers_matching(text: str) -> ColumnElement[bool]:
    """Whether a provider's key or any identifier (RMD number, FRN, OCN, name, DBA) contains
    ``text``, case-insensitively (a condition on ``providers``, for any query)."""
    folded = text.strip().casefold()
    pattern = "%" + folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    holders = (
        select(models.ProviderIdentifier.provider_id)
        .where(models.ProviderIdentifier.folded.like(pattern, escape="\\"))
        .scalar_subquery()
    )
    return or_(
        func.lower(models.Provider.key).like(pattern, escape="\\"),
        models.Provider.id.in_(holders),
    )


def search_providers(session: Session, text: str, limit: int = 20) -> list[models.Provider]:
    """Providers :func:`providers_matching` ``text``; exact identifiers first."""
    exact = resolve_provider(session, text) if text.strip() else None
    rows = list(
        session.scalars(
            select(models.Provider)
            .where(providers_matching(text))
            .order_by(models.Provider.key)
            .limit(limit)
        )
    )
    if exact is not None:
        rows = [exact, *(r for r in rows if r.id != exact.id)][:limit]
    return rows


def zone_of(row: models.Provider, business_zone: str) -> ProviderZone:
    """The zone ``row``'s business hours are read in, and where it comes from: set by an
    admin, its address's state, or ``business_zone`` (the setting)."""
    return provider_zone(row.time_zone, row.business_address, row.foreign, business_zone)


def set_time_zone(
    session: Session,
    row: models.Provider,
    zone: str | None,
    actor: str,
    clock: Clock,
    business_zone: str,
) -> ProviderZone:
    """Set the zone of ``row`` (an IANA name, checked; None or "": back to its address's or
    ``business_zone``), audited as ``provider.zone_set``. Returns the zone in force now."""
    wanted = checked_zone(zone.strip()) if zone and zone.strip() else None
    if wanted != row.time_zone:
        details: dict[str, object] = {"old": row.time_zone, "new": wanted}
        event = AuditEvent(clock.now(), actor, "provider.zone_set", "", row.key, details)
        append_audit(session, [event])
        row.time_zone, row.updated_at = wanted, clock.now()
        session.flush()
    return zone_of(row, business_zone)


def provider_ids(session: Session, keys: Iterable[str], chunk: int = 500) -> dict[str, int]:
    """Row ids of the providers with ``keys`` (those not in the store are left out)."""
    wanted = sorted(set(keys))
    found: dict[str, int] = {}
    for part in chunks(wanted, chunk):
        rows = session.execute(
            select(models.Provider.key, models.Provider.id).where(models.Provider.key.in_(part))
        )
        found.update({key: row_id for key, row_id in rows})
    return found


def provider_keys(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """Keys of the providers with row ids ``ids``."""
    wanted = sorted(set(ids))
    rows = session.execute(
        select(models.Provider.id, models.Provider.key).where(models.Provider.id.in_(wanted))
    )
    return {row_id: key for row_id, key in rows}


def directory_choices(session: Session) -> list[tuple[str, str]]:
    """Every provider's key and business name, by key (the choices of a form)."""
    rows = session.execute(
        select(models.Provider.key, models.Provider.business_name).order_by(models.Provider.key)
    )
    return [(key, name) for key, name in rows]
