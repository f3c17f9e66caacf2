"""The tracebacks as the portal lists them: the list (by number in any spelling, provider
name or OCN, status, outcome, campaign and opened dates, a page at a time) and the dashboard
(open tracebacks with the provider they wait for, overdue hops, non-responsive providers,
recent outcomes) — each row with its campaign, originating and gateway provider.

The queries read across all tenants: only readers of all reach them (the web routes' role
check, docs/tenancy.md). The list's query parameters are checked where they enter, in
``robotrace.web.pages.traceback_list``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, Select, case, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from robotrace.providers.store import providers_matching
from robotrace.store import models
from robotrace.store.models import not_withdrawn
from robotrace.traceback.findings import gateway_provider_of, originating_provider_of
from robotrace.traceback.model import Answer, Outcome, Status
from robotrace.traceback.store import load_tracebacks, provider_directory

PAGE_SIZE = 50
#: Rows in each of the dashboard's tables.
LIMIT = 50


@dataclass(frozen=True)
class ListFilters:
    """What the list is asked for, checked; empty strings and None mean "any"."""

    number: str = ""  # as typed
    number_key: str = ""  # as tracebacks store numbers (robotrace.numbers.caller_id)
    provider: str = ""
    status: str = ""
    outcome: str = ""
    campaign: str = ""
    opened_from: date | None = None
    opened_to: date | None = None
    page: int = 1

    def query_string(self, page: int | None = None) -> str:
        """The filters as a query string (for links that keep them), at ``page``."""
        pairs = {
            "number": self.number,
            "provider": self.provider,
            "status": self.status,
            "outcome": self.outcome,
            "campaign": self.campaign,
            "opened_from": self.opened_from.isoformat() if self.opened_from else "",
            "opened_to": self.opened_to.isoformat() if self.opened_to else "",
        }
        kept = {k: v for k, v in pairs.items() if v}
        if (page or self.page) > 1:
            kept["page"] = str(page or self.page)
        return urlencode(kept)

    @property
    def any(self) -> bool:
        return bool(self.query_string(1))


def _providers_matching(text: str) -> Select[Any]:
    """Ids of the providers the provider directory's search finds for ``text``: key or any
    identifier (OCN, RMD number, FRN, name, DBA) containing it, in any case."""
    return select(models.Provider.id).where(providers_matching(text))


def _where(query: Select[Any], filters: ListFilters) -> Select[Any]:
    tb = models.Traceback
    if filters.number_key:
        query = query.where(
            or_(tb.calling_number == filters.number_key, tb.called_number == filters.number_key)
        )
    if filters.provider:
        ids = _providers_matching(filters.provider)
        asked = exists().where(models.Hop.traceback_id == tb.id, models.Hop.provider_id.in_(ids))
        query = query.where(or_(tb.terminating_provider_id.in_(ids), asked))
    if filters.status:
        query = query.where(tb.status == Status(filters.status))
    if filters.outcome:
        query = query.where(tb.outcome == Outcome(filters.outcome))
    if filters.campaign:
        query = query.where(tb.campaign_id == filters.campaign)
    if filters.opened_from:
        query = query.where(tb.opened_at >= datetime.combine(filters.opened_from, time(), UTC))
    if filters.opened_to:
        end = datetime.combine(filters.opened_to + timedelta(days=1), time(), UTC)
        query = query.where(tb.opened_at < end)
    return query


@dataclass(frozen=True)
class ListedTraceback:
    """One row of the list or the dashboard."""

    row: models.Traceback
    terminating: str
    hops: int
    origin: str | None
    gateway: str | None


def listed_tracebacks(db: Session, filters: ListFilters) -> tuple[list[ListedTraceback], int]:
    """One page of the tracebacks the filters choose, newest first, and how many they choose."""
    terminating = aliased(models.Provider)
    hops = (
        select(func.count(models.Hop.id))
        .where(models.Hop.traceback_id == models.Traceback.id)
        .scalar_subquery()
    )
    query = select(models.Traceback, terminating.key, hops).join(
        terminating, terminating.id == models.Traceback.terminating_provider_id
    )
    query = _where(query, filters)
    total = db.scalar(_where(select(func.count()).select_from(models.Traceback), filters)) or 0
    query = query.order_by(models.Traceback.opened_at.desc(), models.Traceback.id.desc())
    rows = db.execute(query.offset((filters.page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return with_findings(db, [(tb, key, int(n)) for tb, key, n in rows]), int(total)


def with_findings(
    db: Session, rows: list[tuple[models.Traceback, str, int]]
) -> list[ListedTraceback]:
    """The rows with each traceback's originating and gateway provider, so far."""
    loaded = {tb.id: tb for tb in load_tracebacks(db, [row.id for row, _, _ in rows])}
    directory = provider_directory(db) if loaded else {}
    listed = []
    for row, key, hops in rows:
        tb = loaded[row.id]
        origin, gateway = originating_provider_of(tb), gateway_provider_of(tb, directory)
        listed.append(ListedTraceback(row, key, hops, origin, gateway))
    return listed


def campaign_choices(db: Session) -> list[str]:
    """Campaigns that tracebacks name, for the filter."""
    query = select(models.Traceback.campaign_id).where(models.Traceback.campaign_id.is_not(None))
    return sorted({c for c in db.scalars(query.distinct()) if c})


# --- The dashboard --------------------------------------------------------------------


@dataclass(frozen=True)
class OpenTraceback:
    id: str
    opened_at: datetime
    calling_number: str
    called_number: str
    hops: int
    waiting_on: str
    due_at: datetime
    campaign: str | None = None
    origin: str | None = None
    gateway: str | None = None


@dataclass(frozen=True)
class OverdueHop:
    traceback_id: str
    position: int
    provider_key: str
    provider_name: str
    due_at: datetime


@dataclass(frozen=True)
class NonResponsive:
    key: str
    name: str
    no_response: int
    refused: int


def open_tracebacks(db: Session) -> list[OpenTraceback]:
    """Open tracebacks, newest first, with the provider whose answer they wait for."""
    last = (
        select(models.Hop.traceback_id, func.max(models.Hop.position).label("position"))
        .group_by(models.Hop.traceback_id)
        .subquery()
    )
    rows = db.execute(
        select(models.Traceback, models.Hop, models.Provider.key)
        .join(last, last.c.traceback_id == models.Traceback.id)
        .join(
            models.Hop,
            (models.Hop.traceback_id == models.Traceback.id)
            & (models.Hop.position == last.c.position),
        )
        .join(models.Provider, models.Provider.id == models.Hop.provider_id)
        .where(models.Traceback.status == Status.OPEN)
        .order_by(models.Traceback.opened_at.desc(), models.Traceback.id.desc())
        .limit(LIMIT)
    ).all()
    found = {t.row.id: t for t in with_findings(db, [(tb, key, 0) for tb, _, key in rows])}
    return [
        OpenTraceback(
            id=tb.id,
            opened_at=tb.opened_at,
            calling_number=tb.calling_number,
            called_number=tb.called_number,
            hops=hop.position + 1,
            waiting_on=key,
            due_at=hop.due_at,
            campaign=tb.campaign_id,
            origin=found[tb.id].origin,
            gateway=found[tb.id].gateway,
        )
        for tb, hop, key in rows
    ]


def overdue_hops(db: Session, now: datetime) -> list[OverdueHop]:
    """Open hops past their due time, the longest overdue first."""
    rows = db.execute(
        select(models.Hop, models.Provider)
        .join(models.Traceback, models.Traceback.id == models.Hop.traceback_id)
        .join(models.Provider, models.Provider.id == models.Hop.provider_id)
        .where(
            models.Traceback.status == Status.OPEN,
            models.Hop.answer.is_(None),
            models.Hop.due_at < now,
        )
        .order_by(models.Hop.due_at, models.Hop.id)
        .limit(LIMIT)
    ).all()
    return [
        OverdueHop(hop.traceback_id, hop.position, p.key, p.business_name, hop.due_at)
        for hop, p in rows
    ]


def non_responsive_providers(db: Session) -> list[NonResponsive]:
    """Providers that stayed silent or refused, with how often; the worst first (withdrawn
    tracebacks count for nothing)."""
    silent = func.sum(_count_if(Answer.NO_RESPONSE))
    refused = func.sum(_count_if(Answer.REFUSED))
    counted = or_(models.Traceback.outcome.is_(None), models.Traceback.outcome != Outcome.WITHDRAWN)
    rows = db.execute(
        select(models.Provider.key, models.Provider.business_name, silent, refused)
        .join(models.Hop, models.Hop.provider_id == models.Provider.id)
        .join(models.Traceback, models.Traceback.id == models.Hop.traceback_id)
        .where(models.Hop.answer.in_([Answer.NO_RESPONSE, Answer.REFUSED]), counted)
        .group_by(models.Provider.key, models.Provider.business_name)
        .order_by((silent + refused).desc(), models.Provider.key)
        .limit(LIMIT)
    ).all()
    return [NonResponsive(key, name, int(s), int(r)) for key, name, s, r in rows]


def _count_if(answer: Answer) -> ColumnElement[int]:
    return case((models.Hop.answer == answer, 1), else_=0)


def recent_outcomes(db: Session, limit: int = 15) -> list[ListedTraceback]:
    """The last closed tracebacks with their terminating provider, origin and gateway."""
    terminating = aliased(models.Provider)
    rows = db.execute(
        select(models.Traceback, terminating.key)
        .join(terminating, terminating.id == models.Traceback.terminating_provider_id)
        .where(models.Traceback.status == Status.CLOSED)
        .order_by(models.Traceback.closed_at.desc(), models.Traceback.id.desc())
        .limit(limit)
    ).all()
    return with_findings(db, [(tb, key, 0) for tb, key in rows])


# --- For opening a traceback, and the /metrics gauges ---------------------------------------

#: Calls the form to open a traceback offers.
CALLS_SHOWN = 50


def untraced_calls(db: Session) -> list[tuple[models.Call, str]]:
    """Recent evidence calls with a known terminating provider and no traceback yet."""
    traced = exists().where(models.Traceback.call_id == models.Call.id)
    rows = db.execute(
        select(models.Call, models.Provider.key)
        .join(models.Provider, models.Provider.id == models.Call.terminating_provider_id)
        .where(~traced)
        .order_by(models.Call.call_time.desc(), models.Call.id.desc())
        .limit(CALLS_SHOWN)
    ).all()
    return [(call, key) for call, key in rows]


def open_traceback_count(session: Session) -> int:
    """Tracebacks not closed yet."""
    query = select(func.count()).select_from(models.Traceback)
    return session.scalar(query.where(models.Traceback.status == Status.OPEN)) or 0


def overdue_hop_count(session: Session, now: datetime) -> int:
    """Hop requests past their due time without an answer (a withdrawn traceback's request
    is cancelled, so not counted)."""
    query = (
        select(func.count())
        .select_from(models.Hop)
        .join(models.Traceback)
        .where(models.Hop.answer.is_(None), models.Hop.due_at < now)
        .where(not_withdrawn())
    )
    return session.scalar(query) or 0
