"""Tenancy: the only way views reach tracebacks, hops, providers, campaigns and enforcement
records.

Each helper returns the object for the principal, or raises 404 — the same answer, from the
same single query, whether the object does not exist or belongs to another provider, so
neither the body nor the timing tells them apart. The rules are in docs/tenancy.md.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any, Literal

from fastapi import HTTPException
from sqlalchemy import ColumnElement, Row, Select, and_, func, not_, or_, select, true
from sqlalchemy.orm import Session, aliased

from robotrace.enforcement.authorizations import ACTIVE
from robotrace.enforcement.records import IN_FORCE
from robotrace.enforcement.upstreams import Upstream, upstreams_of
from robotrace.providers.store import resolve_provider, search_providers, zone_of
from robotrace.providers.zones import provider_zone
from robotrace.store import models
from robotrace.store.models import UserRole
from robotrace.traceback.model import Answer, CallUnderTrace, GivenAnswer, HopAnswer, Status
from robotrace.web.principal import Principal

NOT_FOUND = "not found"
READ_ALL = (UserRole.ADMIN, UserRole.COORDINATOR, UserRole.REGULATOR)


def _not_found() -> HTTPException:
    return HTTPException(404, NOT_FOUND)


@dataclass(frozen=True)
class HopRequest(HopAnswer, CallUnderTrace):
    """A hop request as its provider sees it: the call it must search its records for, no
    more, and its answer (:class:`~robotrace.traceback.model.HopAnswer`)."""

    id: int
    requested_at: datetime
    due_at: datetime
    open: bool
    downstream_key: str | None
    downstream_name: str | None
    #: The IANA zone the provider's business hours are read in (its due time's zone).
    time_zone: str


#: Which of its hop requests a provider asks for: ``open`` (unanswered, traceback open),
#: ``answered`` (no longer open: answered, marked ``no_response``, or closed), only those
#: marked ``no_response``, or ``all``.
HopStatus = Literal["open", "answered", "no_response", "all"]

# The hop before this one in the chain, its provider (the downstream provider that named this
# one) and the upstream this hop named: joined once, so a page of requests is one query.
_EARLIER_HOP = aliased(models.Hop, name="earlier_hop")
_DOWNSTREAM = aliased(models.Provider, name="downstream")
_UPSTREAM = aliased(models.Provider, name="upstream")
_ASKED = aliased(models.Provider, name="asked")


def _is_open() -> ColumnElement[bool]:
    # A traceback the signer closed (signer shortcut) still takes its chain's answers.
    taking_answers = or_(
        models.Traceback.status == Status.OPEN, models.Traceback.signer_answer == Answer.ORIGIN
    )
    return and_(models.Hop.answer.is_(None), taking_answers)


def _status_filter(status: HopStatus) -> ColumnElement[bool]:
    if status == "open":
        return _is_open()
    if status == "answered":
        return not_(_is_open())
    if status == "no_response":
        return models.Hop.answer == Answer.NO_RESPONSE
    return true()


def _hop_requests(provider_id: int) -> Select[Any]:
    """A provider's hop requests with all their view needs, in one query: the provider filter,
    the call from the traceback, and the downstream and upstream providers by outer join."""
    hop, tb = models.Hop, models.Traceback
    return (
        select(
            hop.id,
            tb.calling_number,
            tb.called_number,
            tb.call_time,
            hop.requested_at,
            hop.due_at,
            *_answer_columns(hop),
            _UPSTREAM.key.label("upstream"),
            tb.status.label("traceback_status"),
            tb.signer_answer.label("signer_answer"),
            _DOWNSTREAM.key.label("downstream_key"),
            _DOWNSTREAM.business_name.label("downstream_name"),
            tb.id.label("traceback_id"),
            *_zone_columns(_ASKED),
        )
        .join(tb, hop.traceback_id == tb.id)
        .join(_ASKED, _ASKED.id == hop.provider_id)
        .outerjoin(
            _EARLIER_HOP,
            and_(
                _EARLIER_HOP.traceback_id == hop.traceback_id,
                _EARLIER_HOP.position == hop.position - 1,
            ),
        )
        .outerjoin(_DOWNSTREAM, _DOWNSTREAM.id == _EARLIER_HOP.provider_id)
        .outerjoin(_UPSTREAM, _UPSTREAM.id == hop.upstream_provider_id)
        .where(hop.provider_id == provider_id)
    )


def _answer_columns(hop: Any) -> tuple[Any, ...]:
    """The columns of a hop's answer (:meth:`HopAnswer.row_fields` reads them)."""
    names = [f.name for f in fields(HopAnswer) if f.name != "upstream"]
    return tuple(getattr(hop, name) for name in names)


def _zone_columns(provider: Any) -> tuple[Any, ...]:
    """What a provider's zone is read from (robotrace.providers.zones), labelled."""
    return (
        provider.time_zone.label("zone_set"),
        provider.business_address.label("zone_address"),
        provider.foreign.label("zone_foreign"),
    )


def _zone_of_row(row: Row[Any], business_zone: str) -> str:
    return provider_zone(row.zone_set, row.zone_address, row.zone_foreign, business_zone).zone


def _request_view(row: Row[Any], business_zone: str) -> HopRequest:
    return HopRequest(
        id=row.id,
        calling_number=row.calling_number,
        called_number=row.called_number,
        call_time=row.call_time,
        requested_at=row.requested_at,
        due_at=row.due_at,
        **HopAnswer.row_fields(row, row.upstream),
        open=row.answer is None
        and (row.traceback_status == Status.OPEN or row.signer_answer == Answer.ORIGIN),
        downstream_key=row.downstream_key,
        downstream_name=row.downstream_name,
        time_zone=_zone_of_row(row, business_zone),
    )


def own_provider_id(principal: Principal) -> int:
    if principal.role is not UserRole.PROVIDER or principal.provider_id is None:
        raise HTTPException(403, "only provider users have hop requests")
    return principal.provider_id


def own_time_zone(db: Session, principal: Principal, business_zone: str) -> str:
    """The IANA zone the principal's provider's business hours, and so its due times, are
    read in (robotrace.providers.zones; ``business_zone`` when neither set nor told by its
    address)."""
    row = db.get(models.Provider, own_provider_id(principal))
    if row is None:
        raise _not_found()
    return zone_of(row, business_zone).zone


def hop_requests(
    db: Session,
    principal: Principal,
    business_zone: str,
    status: HopStatus = "open",
    limit: int | None = None,
    offset: int = 0,
) -> list[HopRequest]:
    """The principal's provider's hop requests with ``status``, earliest due first; a page
    of them with ``limit`` and ``offset``. One query, however many there are. A provider
    whose zone is not known reads its due times in ``business_zone``."""
    query = (
        _hop_requests(own_provider_id(principal))
        .where(_status_filter(status))
        .order_by(models.Hop.due_at, models.Hop.id)
        .limit(limit)
        .offset(offset)
    )
    return [_request_view(row, business_zone) for row in db.execute(query)]


def hop_request_count(db: Session, principal: Principal, status: HopStatus = "open") -> int:
    """How many hop requests with ``status`` the principal's provider has (for paging)."""
    query = (
        select(func.count())
        .select_from(models.Hop)
        .join(models.Traceback, models.Hop.traceback_id == models.Traceback.id)
        .where(models.Hop.provider_id == own_provider_id(principal), _status_filter(status))
    )
    return db.scalar(query) or 0


def hop_request(
    db: Session, principal: Principal, business_zone: str, hop_id: int
) -> tuple[HopRequest, str]:
    """One of the principal's provider's hop requests and its traceback id (kept server-side)."""
    row = db.execute(
        _hop_requests(own_provider_id(principal)).where(models.Hop.id == hop_id)
    ).first()
    if row is None:
        raise _not_found()
    return _request_view(row, business_zone), row.traceback_id


def traceback_row(db: Session, principal: Principal, traceback_id: str) -> models.Traceback:
    """A whole traceback: staff and regulators only; providers get the same 404 as a miss."""
    if principal.role not in READ_ALL:
        raise _not_found()
    row = db.get(models.Traceback, traceback_id)
    if row is None:
        raise _not_found()
    return row


def campaign_row(db: Session, principal: Principal, campaign_id: str) -> models.Campaign:
    """A campaign: readers of all only (the campaign routes answer providers 403 before
    this); a miss is 404."""
    if principal.role not in READ_ALL:
        raise _not_found()
    row = db.get(models.Campaign, campaign_id)
    if row is None:
        raise _not_found()
    return row


def provider_row(db: Session, principal: Principal, key: str) -> models.Provider:
    """A provider's full record: everyone who reads all, and a provider user its own."""
    row = resolve_provider(db, key)
    if row is None:
        raise _not_found()
    if principal.role not in READ_ALL and row.id != principal.provider_id:
        raise _not_found()
    return row


@dataclass(frozen=True)
class DirectoryEntry:
    """What anyone signed in may learn of a provider by search: the public RMD's name line."""

    key: str
    name: str
    country: str


def search_directory(db: Session, text: str, limit: int = 20) -> list[DirectoryEntry]:
    """Providers whose key, RMD number, FRN, OCN, name or DBA contains ``text``: key, name
    and country only, for everyone."""
    text = text.strip()
    if not text:
        return []
    found = search_providers(db, text, limit)
    return [DirectoryEntry(p.key, p.business_name, p.country) for p in found]


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
    return list(db.scalars(select(models.Provider).order_by(models.Provider.key)))


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


# --- Enforcement (letters and block authorizations) ---


Kinds = models.EnforcementKind | tuple[models.EnforcementKind, ...]
#: The steps of the mandatory ladder (47 CFR 64.1200(n)): notifications and orders.
ORDER_KINDS = (
    models.EnforcementKind.NOTIFICATION,
    models.EnforcementKind.INITIAL_ORDER,
    models.EnforcementKind.FINAL_ORDER,
)


def _enforcement_query(principal: Principal, kind: Kinds) -> Select[Any]:
    """Actions of ``kind`` (or kinds): every one for readers of all, a provider user's own
    otherwise."""
    action = models.EnforcementAction
    kinds = kind if isinstance(kind, tuple) else (kind,)
    query = select(action).where(action.kind.in_(kinds))
    if principal.role not in READ_ALL:
        query = query.where(action.provider_id == own_provider_id(principal))
    return query


def enforcement_actions(
    db: Session, principal: Principal, kind: Kinds
) -> list[models.EnforcementAction]:
    """Letters or authorizations, newest first: all for readers of all, a provider's own."""
    query = _enforcement_query(principal, kind).order_by(models.EnforcementAction.id.desc())
    return list(db.scalars(query))


def enforcement_action(
    db: Session, principal: Principal, kind: Kinds, action_id: int
) -> models.EnforcementAction:
    """One letter or authorization; another provider's answers 404 exactly like a missing id
    (one query either way)."""
    query = _enforcement_query(principal, kind).where(models.EnforcementAction.id == action_id)
    row = db.scalar(query)
    if row is None:
        raise _not_found()
    return row


def letter_row(db: Session, principal: Principal, letter_id: int) -> models.EnforcementAction:
    """A warning letter: readers of all any, a provider user only its own (else 404)."""
    return enforcement_action(db, principal, models.EnforcementKind.WARNING_LETTER, letter_id)


def authorization_row(
    db: Session, principal: Principal, authorization_id: int
) -> models.EnforcementAction:
    """A block authorization: readers of all any, a provider user only its own (else 404)."""
    kind = models.EnforcementKind.BLOCK_AUTHORIZATION
    return enforcement_action(db, principal, kind, authorization_id)


def order_row(db: Session, principal: Principal, order_id: int) -> models.EnforcementAction:
    """A notification or determination order: readers of all any, a provider user only its
    own (else 404)."""
    return enforcement_action(db, principal, ORDER_KINDS, order_id)


# --- What every provider may read: authorizations to block under, orders binding it ---


def blockable_authorization_row(
    db: Session, principal: Principal, authorization_id: int
) -> models.EnforcementAction:
    """A block authorization as its page shows it: readers of all any, a provider user its
    own, and another provider's while it is active — a K4 authorization is public (its notice
    and the block list say it) and any downstream provider may block under it. A lifted one
    of another provider answers 404 like a missing id (one query either way)."""
    action = models.EnforcementAction
    query = select(action).where(
        action.kind == models.EnforcementKind.BLOCK_AUTHORIZATION, action.id == authorization_id
    )
    if principal.role not in READ_ALL:
        own = own_provider_id(principal)
        query = query.where(or_(action.provider_id == own, action.status == ACTIVE))
    row = db.scalar(query)
    if row is None:
        raise _not_found()
    return row


def authorizations_in_force(db: Session) -> list[models.EnforcementAction]:
    """The active block authorizations, newest first: public, as the block list is."""
    action = models.EnforcementAction
    query = select(action).where(
        action.kind == models.EnforcementKind.BLOCK_AUTHORIZATION, action.status == ACTIVE
    )
    return list(db.scalars(query.order_by(action.id.desc())))


def orders_binding(db: Session, principal: Principal) -> list[models.EnforcementAction]:
    """Final orders in force that name the provider user's provider among those immediately
    downstream, who must block (public: the block list names them)."""
    key = _own_key(principal)
    action = models.EnforcementAction
    query = select(action).where(
        action.kind == models.EnforcementKind.FINAL_ORDER, action.status == IN_FORCE
    )
    return [row for row in db.scalars(query.order_by(action.id.desc())) if key in row.downstream]


# --- Direct requests to the signer (the STIR/SHAKEN signer shortcut, docs/shaken.md) ---


@dataclass(frozen=True)
class SignerRequest(GivenAnswer, CallUnderTrace):
    """A direct request as the signing provider sees it: the call it signed (its origid and
    numbers) and its own answer. Its ``id`` is the id of the traceback's first hop request,
    an integer like any hop id, so the provider never sees the traceback id."""

    id: int
    origid: str | None
    attest: str
    requested_at: datetime
    due_at: datetime
    open: bool
    #: The IANA zone the provider's business hours are read in (its due time's zone).
    time_zone: str


SignerStatus = Literal["open", "answered", "all"]


def _signer_is_open() -> ColumnElement[bool]:
    tb = models.Traceback
    return and_(tb.signer_answer.is_(None), tb.status == Status.OPEN)


def _signer_requests(key: str) -> Select[Any]:
    """A provider's direct requests, each with the id of its traceback's first hop: one query,
    the provider filter inside it."""
    tb, first = models.Traceback, models.Hop
    return (
        select(tb, first.id.label("request_id"), *_zone_columns(_ASKED))
        .join(first, and_(first.traceback_id == tb.id, first.position == 0))
        .join(_ASKED, _ASKED.key == tb.signer_key)
        .where(tb.signer_key == key, tb.signer_requested_at.is_not(None))
    )


def _signer_view(found: Row[Any], business_zone: str) -> SignerRequest:
    row: models.Traceback = found[0]
    assert row.signer_requested_at is not None and row.signer_due_at is not None
    return SignerRequest(
        id=found.request_id,
        origid=row.signer_origid,
        attest=row.signer_attest or "",
        calling_number=row.calling_number,
        called_number=row.called_number,
        call_time=row.call_time,
        requested_at=row.signer_requested_at,
        due_at=row.signer_due_at,
        **GivenAnswer.signer_fields(row),
        open=row.signer_answer is None and row.status == Status.OPEN,
        time_zone=_zone_of_row(found, business_zone),
    )


def _own_key(principal: Principal) -> str:
    own_provider_id(principal)
    return principal.provider_key or ""


def signer_requests(
    db: Session, principal: Principal, business_zone: str, status: SignerStatus = "open"
) -> list[SignerRequest]:
    """The direct requests to the principal's provider as the call's signer, earliest due
    first: ``open`` (unanswered, traceback open), ``answered`` (no longer open) or ``all``."""
    query = _signer_requests(_own_key(principal))
    if status != "all":
        query = query.where(_signer_is_open() if status == "open" else not_(_signer_is_open()))
    query = query.order_by(models.Traceback.signer_due_at, models.Traceback.id)
    return [_signer_view(row, business_zone) for row in db.execute(query)]


def signer_request(
    db: Session, principal: Principal, business_zone: str, request_id: int
) -> tuple[SignerRequest, str]:
    """One direct request to the principal's provider and its traceback id (kept
    server-side); another provider's answers 404 exactly like a missing one."""
    query = _signer_requests(_own_key(principal)).where(models.Hop.id == request_id)
    row = db.execute(query).first()
    if row is None:
        raise _not_found()
    return _signer_view(row, business_zone), row[0].id


# --- Federated bulk tracing (issue 21): submissions for readers, batches for providers ---


def bulk_row(db: Session, principal: Principal, bulk_id: int) -> models.BulkTraceback:
    """A bulk traceback: readers of all only (its routes answer providers 403 before this);
    a miss is 404."""
    if principal.role not in READ_ALL:
        raise _not_found()
    row = db.get(models.BulkTraceback, bulk_id)
    if row is None:
        raise _not_found()
    return row


def batch_requests(db: Session, principal: Principal, status: str = "open") -> list[Any]:
    """The principal's provider's batch requests with ``status`` (``open``, ``answered``,
    ``expired`` or ``all``), oldest first: what a provider is asked, never whose calls."""
    query = select(models.BatchRequest).where(
        models.BatchRequest.provider_id == own_provider_id(principal)
    )
    if status != "all":
        query = query.where(models.BatchRequest.status == status)
    return list(db.scalars(query.order_by(models.BatchRequest.id)))


def batch_request(db: Session, principal: Principal, batch_id: int) -> models.BatchRequest:
    """One of the principal's provider's batch requests; another provider's answers 404
    exactly like a missing one (one query either way)."""
    row = db.scalar(
        select(models.BatchRequest).where(
            models.BatchRequest.id == batch_id,
            models.BatchRequest.provider_id == own_provider_id(principal),
        )
    )
    if row is None:
        raise _not_found()
    return row


# --- Trace Forward requests (robotrace.traceforward) ---------------------------------------


def _trace_forward_query(principal: Principal) -> Select[Any]:
    """Staff read every request; a provider user only those addressed to its provider."""
    query = (
        select(models.TraceForwardRequest, models.Provider, models.Campaign)
        .join(models.Provider, models.TraceForwardRequest.provider_id == models.Provider.id)
        .join(models.Campaign, models.TraceForwardRequest.campaign_id == models.Campaign.id)
    )
    if principal.role in READ_ALL:
        return query
    return query.where(models.TraceForwardRequest.provider_id == own_provider_id(principal))


def trace_forward_requests(
    db: Session, principal: Principal, status: str = "open", campaign_id: str | None = None
) -> list[Row[Any]]:
    """(request, carrier, campaign) rows with ``status`` (``open``, ``answered``, ``all``),
    earliest due first."""
    query = _trace_forward_query(principal)
    if status == "open":
        query = query.where(models.TraceForwardRequest.answer.is_(None))
    elif status == "answered":
        query = query.where(models.TraceForwardRequest.answer.is_not(None))
    if campaign_id is not None:
        query = query.where(models.TraceForwardRequest.campaign_id == campaign_id)
    order = (models.TraceForwardRequest.due_at, models.TraceForwardRequest.id)
    return list(db.execute(query.order_by(*order)))


def trace_forward_request(db: Session, principal: Principal, request_id: int) -> Row[Any]:
    """One (request, carrier, campaign) row; another provider's answers 404 exactly like a
    missing one (one query either way)."""
    query = _trace_forward_query(principal).where(models.TraceForwardRequest.id == request_id)
    found = db.execute(query).first()
    if found is None:
        raise _not_found()
    return found


# --- Know your upstream (robotrace.enforcement.upstreams; docs/tenancy.md) ------------------


def upstreams_subject(db: Session, principal: Principal, key: str | None) -> models.Provider:
    """Whose upstreams the principal may read: a provider user its own provider's only
    (another key answers 404 exactly like a missing one: :func:`provider_row`); readers of
    all the provider they name."""
    if principal.role not in READ_ALL and not key:
        row = db.get(models.Provider, own_provider_id(principal))
        if row is None:
            raise _not_found()
        return row
    if not key:
        raise HTTPException(422, "name the provider whose upstreams to show (provider=KEY)")
    return provider_row(db, principal, key)


def upstreams(
    db: Session, principal: Principal, key: str | None, today: date, recertification_due: str
) -> tuple[models.Provider, list[Upstream]]:
    """The provider the principal may read (:func:`upstreams_subject`) and the upstreams its
    own hop answers named, with their public record (never another provider's answers)."""
    subject = upstreams_subject(db, principal, key)
    return subject, upstreams_of(db, subject.id, today, recertification_due)
