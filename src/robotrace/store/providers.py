"""Providers in the store: idempotent upsert from the registry, and the directory by OCN."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from robotrace.clock import Clock, SystemClock
from robotrace.providers.registry import PROVIDER_FIELDS, Provider
from robotrace.store import models
from robotrace.traceback.model import ProviderInfo


@dataclass(frozen=True)
class UpsertCounts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0


def upsert_providers(
    session: Session, providers: Iterable[Provider], clock: Clock | None = None
) -> UpsertCounts:
    """Add new providers and update changed ones, by OCN; the same input twice changes nothing.

    Providers absent from ``providers`` are left alone (the registry export may be partial).
    """
    now = (clock or SystemClock()).now()
    incoming = _unique_by_ocn(providers)
    existing = {row.ocn: row for row in _rows_by_ocn(session, list(incoming))}
    added = updated = 0
    for ocn, provider in incoming.items():
        row = existing.get(ocn)
        if row is None:
            session.add(models.Provider(**provider.as_dict(), created_at=now, updated_at=now))
            added += 1
        elif provider_of(row) != provider:
            _copy_fields(provider, row)
            row.updated_at = now
            updated += 1
    session.flush()
    return UpsertCounts(added, updated, len(incoming) - added - updated)


def _unique_by_ocn(providers: Iterable[Provider]) -> dict[str, Provider]:
    unique: dict[str, Provider] = {}
    for provider in providers:
        if provider.ocn in unique:
            raise ValueError(f"provider {provider.ocn} is given twice")
        unique[provider.ocn] = provider
    return unique


def _rows_by_ocn(session: Session, ocns: list[str], chunk: int = 500) -> list[models.Provider]:
    rows: list[models.Provider] = []
    for start in range(0, len(ocns), chunk):
        part = ocns[start : start + chunk]
        rows.extend(session.scalars(select(models.Provider).where(models.Provider.ocn.in_(part))))
    return rows


def _copy_fields(provider: Provider, row: models.Provider) -> None:
    for name in PROVIDER_FIELDS:
        setattr(row, name, getattr(provider, name))


def provider_of(row: models.Provider) -> Provider:
    """The registry's :class:`Provider` for a ``providers`` row."""
    return Provider(**{name: getattr(row, name) for name in PROVIDER_FIELDS})


def list_providers(session: Session) -> list[Provider]:
    """Every provider in the store, by OCN."""
    rows = session.scalars(select(models.Provider).order_by(models.Provider.ocn))
    return [provider_of(row) for row in rows]


def provider_directory(session: Session) -> dict[str, ProviderInfo]:
    """What the traceback workflow needs to know of every provider, by OCN."""
    rows = session.execute(
        select(
            models.Provider.ocn,
            models.Provider.business_name,
            models.Provider.country,
            models.Provider.foreign,
            models.Provider.contact_email,
        )
    )
    return {
        ocn: ProviderInfo(ocn=ocn, name=name, country=country, foreign=foreign, contact_email=email)
        for ocn, name, country, foreign, email in rows
    }


def provider_ids(session: Session, ocns: Iterable[str]) -> dict[str, int]:
    """Row ids of the providers named by ``ocns`` (those not in the store are left out)."""
    wanted = sorted(set(ocns))
    return {row.ocn: row.id for row in _rows_by_ocn(session, wanted)}


def provider_ocns(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """OCNs of the providers with row ids ``ids``."""
    wanted = sorted(set(ids))
    rows = session.execute(
        select(models.Provider.id, models.Provider.ocn).where(models.Provider.id.in_(wanted))
    )
    return {row_id: ocn for row_id, ocn in rows}
