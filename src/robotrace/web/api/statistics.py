"""Statistics (``/api/v1/statistics``): the public complaint figures, and for readers of all the
enforcement effects and the provider scorecards. The shapes are those of ``robotrace stats
complaints --json``, ``effects --json`` and ``scorecards --json`` (docs/statistics.md)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session

from robotrace.clock import day_start
from robotrace.stats.complaints import DEFAULT_TOP
from robotrace.stats.scorecards import provider_scorecards
from robotrace.web import access
from robotrace.web.api.errors import responses
from robotrace.web.deps import REQUEST_DB, require_roles
from robotrace.web.principal import Principal
from robotrace.web.statistics_views import (
    FISCAL_YEAR,
    FROM,
    TO,
    asked_period,
    effects,
    fiscal_year_period,
    parse_day,
    period_report_of,
    report_period,
    statistics,
)

router = APIRouter(tags=["statistics"])
READERS = access.READ_ALL


@router.get("/statistics", responses=responses(400))
def complaint_statistics(
    request: Request,
    start: str = FROM,
    end: str = TO,
    top: int = Query(DEFAULT_TOP, ge=1, le=100, description="How many values each ranking has."),
    fiscal_year: str = FISCAL_YEAR,
    db: Session = REQUEST_DB,
) -> dict[str, Any]:
    """Complaint statistics of ``[from, to)`` or of a fiscal year (October to September);
    without any, the latest ``statistics_days`` days with complaints. Public: no sign-in
    needed."""
    period = fiscal_year_period(request, start, end, fiscal_year)
    return statistics(request, db, period, top).as_dict()


@router.get("/statistics/effects", responses=responses(400, 401, 403))
def enforcement_effects(
    request: Request,
    start: str = FROM,
    end: str = TO,
    principal: Principal = Depends(require_roles(*READERS)),
    db: Session = REQUEST_DB,
) -> list[dict[str, Any]]:
    """Each warning letter and block authorization taken in ``[from, to)`` (all without a
    period): its named campaigns' complaints, calls and traced calls in equal windows
    before and after it."""
    period = asked_period(request, start, end) if start or end else None
    return [effect.as_dict() for effect in effects(request, db, period)]


@router.get("/scorecards", responses=responses(400, 401, 403))
def scorecards(
    start: str = FROM,
    end: str = TO,
    principal: Principal = Depends(require_roles(*READERS)),
    db: Session = REQUEST_DB,
) -> list[dict[str, Any]]:
    """Provider scorecards for the tracebacks of calls made in ``[from, to)``."""
    first, last = parse_day(start, "from"), parse_day(end, "to")
    cards = provider_scorecards(db, day_start(first), day_start(last))
    return [card.as_dict() for card in cards]


@router.get("/period-report", responses=responses(400, 403))
def period_report(
    request: Request,
    start: str = FROM,
    end: str = TO,
    principal: Principal = Depends(require_roles(*READERS)),
    db: Session = REQUEST_DB,
) -> dict[str, Any]:
    """The period report's figures for tracebacks opened in ``[from, to)`` (default: the year
    so far): as ``robotrace period-report --json`` prints them."""
    return period_report_of(request, db, report_period(request, start, end)).as_dict()
