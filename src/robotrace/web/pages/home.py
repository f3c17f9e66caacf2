"""The dashboard: what needs chasing now, for the people who read every traceback.

Providers have no dashboard; ``/`` sends them to their inbox, and shows people not signed
in the public front page (welcome.html). The queries here read across
all tenants, so only readers of all reach them (the route's role check).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from robotrace.clock import Clock
from robotrace.store import models
from robotrace.traceback.model import Answer, Outcome, Status
from robotrace.web.deps import REQUEST_DB, get_clock, optional_principal
from robotrace.web.pages.common import READERS
from robotrace.web.pages.traceback_list import ListedTraceback, with_findings
from robotrace.web.principal import Principal
from robotrace.web.templating import render

router = APIRouter(include_in_schema=False)  # pages; the OpenAPI describes /api/v1
LIMIT = 50


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


@router.get("/")
def dashboard(
    request: Request,
    principal: Principal | None = Depends(optional_principal),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    if principal is None:  # the public front page: what this is, who runs it, where to go
        return render(request, "welcome.html", None)
    if principal.role not in READERS:
        return RedirectResponse("/inbox", 303)
    return render(
        request,
        "dashboard.html",
        principal,
        open_tracebacks=open_tracebacks(db),
        overdue=overdue_hops(db, clock.now()),
        non_responsive=non_responsive_providers(db),
        outcomes=recent_outcomes(db),
    )
