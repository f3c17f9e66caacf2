"""Tenancy: the only way views reach tracebacks, hops, providers and enforcement records.

Each helper returns the object for the principal, or raises 404 — the same answer, from the
same single query, whether the object does not exist or belongs to another provider, so
neither the body nor the timing tells them apart. The rules are in docs/tenancy.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fastapi import HTTPException
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from robotrace.store import models
from robotrace.store.models import UserRole
from robotrace.web.principal import Principal

NOT_FOUND = "not found"
READ_ALL = (UserRole.ADMIN, UserRole.COORDINATOR, UserRole.REGULATOR)


def _not_found() -> HTTPException:
    return HTTPException(404, NOT_FOUND)


@dataclass(frozen=True)
class HopRequest:
    """A hop request as its provider sees it: what it needs to search its records, no more."""

    id: int
    calling_number: str
    called_number: str
    call_time: datetime
    requested_at: datetime
    due_at: datetime
    answer: str | None
    answered_at: datetime | None
    upstream: str | None
    customer: str | None
    note: str
    late: bool
    open: bool
    downstream_ocn: str | None
    downstream_name: str | None


def _hop_requests(provider_id: int) -> Select[tuple[models.Hop, models.Traceback]]:
    return (
        select(models.Hop, models.Traceback)
        .join(models.Traceback, models.Hop.traceback_id == models.Traceback.id)
        .where(models.Hop.provider_id == provider_id)
    )


def _downstream(db: Session, hop: models.Hop) -> models.Provider | None:
    """The provider that named this one: the hop before it in the chain."""
    if hop.position == 0:
        return None
    earlier = aliased(models.Hop)
    return db.scalar(
        select(models.Provider)
        .join(earlier, earlier.provider_id == models.Provider.id)
        .where(earlier.traceback_id == hop.traceback_id, earlier.position == hop.position - 1)
    )


def _request_view(db: Session, hop: models.Hop, tb: models.Traceback) -> HopRequest:
    downstream = _downstream(db, hop)
    upstream = (
        db.get(models.Provider, hop.upstream_provider_id) if hop.upstream_provider_id else None
    )
    return HopRequest(
        id=hop.id,
        calling_number=tb.calling_number,
        called_number=tb.called_number,
        call_time=tb.call_time,
        requested_at=hop.requested_at,
        due_at=hop.due_at,
        answer=hop.answer.value if hop.answer else None,
        answered_at=hop.answered_at,
        upstream=upstream.ocn if upstream else None,
        customer=hop.customer,
        note=hop.note,
        late=hop.late,
        open=hop.answer is None and tb.status == "open",
        downstream_ocn=downstream.ocn if downstream else None,
        downstream_name=downstream.business_name if downstream else None,
    )


def own_provider_id(principal: Principal) -> int:
    if principal.role is not UserRole.PROVIDER or principal.provider_id is None:
        raise HTTPException(403, "only provider users have hop requests")
    return principal.provider_id


def hop_requests(db: Session, principal: Principal, only_open: bool) -> list[HopRequest]:
    """The principal's provider's hop requests, newest due first among open ones."""
    query = _hop_requests(own_provider_id(principal))
    if only_open:
        query = query.where(models.Hop.answer.is_(None), models.Traceback.status == "open")
    rows = db.execute(query.order_by(models.Hop.due_at, models.Hop.id)).all()
    return [_request_view(db, hop, tb) for hop, tb in rows]


def hop_request(db: Session, principal: Principal, hop_id: int) -> tuple[HopRequest, str]:
    """One of the principal's provider's hop requests and its traceback id (kept server-side)."""
    row = db.execute(
        _hop_requests(own_provider_id(principal)).where(models.Hop.id == hop_id)
    ).first()
    if row is None:
        raise _not_found()
    hop, tb = row
    return _request_view(db, hop, tb), tb.id


def traceback_row(db: Session, principal: Principal, traceback_id: str) -> models.Traceback:
    """A whole traceback: staff and regulators only; providers get the same 404 as a miss."""
    if principal.role not in READ_ALL:
        raise _not_found()
    row = db.get(models.Traceback, traceback_id)
    if row is None:
        raise _not_found()
    return row


def provider_row(db: Session, principal: Principal, ocn: str) -> models.Provider:
    """A provider's full record: everyone who reads all, and a provider user its own."""
    row = db.scalar(select(models.Provider).where(models.Provider.ocn == ocn.strip().upper()))
    if row is None:
        raise _not_found()
    if principal.role not in READ_ALL and row.id != principal.provider_id:
        raise _not_found()
    return row


def enforcement_rows(db: Session, principal: Principal) -> list[models.EnforcementAction]:
    """Letters and authorizations: all for readers of all, a provider's own for a provider."""
    query = select(models.EnforcementAction).order_by(models.EnforcementAction.id.desc())
    if principal.role not in READ_ALL:
        query = query.where(models.EnforcementAction.provider_id == own_provider_id(principal))
    return list(db.scalars(query))


@dataclass(frozen=True)
class DirectoryEntry:
    """What anyone signed in may learn of a provider by search: the public RMD's name line."""

    ocn: str
    name: str
    country: str


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def search_directory(db: Session, text: str, limit: int = 20) -> list[DirectoryEntry]:
    """Providers whose OCN or name contains ``text``: OCN, name and country only, for everyone."""
    text = text.strip()
    if not text:
        return []
    pattern = _like(text)
    rows = db.execute(
        select(models.Provider.ocn, models.Provider.business_name, models.Provider.country)
        .where(
            func.lower(models.Provider.ocn).like(pattern, escape="\\")
            | func.lower(models.Provider.business_name).like(pattern, escape="\\")
        )
        .order_by(models.Provider.ocn)
        .limit(limit)
    )
    return [DirectoryEntry(ocn, name, country) for ocn, name, country in rows]


def hops_of_provider(
    db: Session, principal: Principal, provider: models.Provider, limit: int = 200
) -> list[tuple[models.Hop, models.Traceback]]:
    """The hops a provider was asked, newest first, with their tracebacks: readers of all only
    (others get [], since hops name tracebacks)."""
    if principal.role not in READ_ALL:
        return []
    query = (
        select(models.Hop, models.Traceback)
        .join(models.Traceback, models.Hop.traceback_id == models.Traceback.id)
        .where(models.Hop.provider_id == provider.id)
        .order_by(models.Hop.requested_at.desc(), models.Hop.id.desc())
        .limit(limit)
    )
    return [(hop, tb) for hop, tb in db.execute(query).all()]


# --- Helpers for the JSON API (web/api/) ---


def provider_rows(db: Session, principal: Principal) -> list[models.Provider]:
    """The whole registry: only for readers of all (a provider searches instead)."""
    if principal.role not in READ_ALL:
        raise HTTPException(403, "your role may not list providers; search them instead")
    return list(db.scalars(select(models.Provider).order_by(models.Provider.ocn)))


def traceback_ids(
    db: Session, principal: Principal, status: str | None, limit: int, offset: int
) -> list[str]:
    """Ids of tracebacks, newest first, for readers of all (403 for anyone else)."""
    if principal.role not in READ_ALL:
        raise HTTPException(403, "your role may not list tracebacks")
    query = select(models.Traceback.id)
    if status is not None:
        query = query.where(models.Traceback.status == status)
    query = query.order_by(models.Traceback.opened_at.desc(), models.Traceback.id.desc())
    return list(db.scalars(query.limit(limit).offset(offset)))
