"""Calls blocked, reported by the blocking providers' blockers (docs/blocking.md#reporting).

A provider's blocker POSTs each period of its counts with a read-write token of the provider;
the same period sent again is answered 200 and changes nothing. Readers of all see every
provider's totals, a provider user its own.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from robotrace.clock import Clock
from robotrace.enforcement import blocked_calls
from robotrace.settings import Settings
from robotrace.store import models
from robotrace.store.models import UserRole
from robotrace.web import access
from robotrace.web.api.enforcement import refusals
from robotrace.web.api.errors import responses
from robotrace.web.api.schemas import LARGEST_ID
from robotrace.web.deps import REQUEST_DB, current_principal, get_clock, get_settings, writer
from robotrace.web.principal import Principal

router = APIRouter(tags=["blocking"])


class CountRowIn(BaseModel):
    reason: str = Field(max_length=40, description="provider_blocked, no_direct_traffic, …")
    authorization_id: int | None = Field(
        None, ge=1, le=LARGEST_ID, description="the K4 authorization, if one"
    )
    order_id: int | None = Field(
        None, ge=1, le=LARGEST_ID, description="the final determination order, if one"
    )
    calls: int = Field(ge=0, le=blocked_calls.MAX_CALLS, description="calls blocked")


class PeriodReportIn(BaseModel):
    blocker: str = Field(min_length=1, max_length=100, description="the blocker's name")
    period_start: datetime
    period_end: datetime
    rows: list[CountRowIn] = Field(max_length=blocked_calls.MAX_ROWS)


class PeriodReportOut(BaseModel):
    id: int
    blocker: str
    period_start: datetime
    period_end: datetime
    received_at: datetime
    calls: int = Field(description="calls blocked in the period, all rows")
    created: bool = Field(description="false: this period was already stored (not counted again)")


class BlockedTotalOut(BaseModel):
    provider: str = Field(description="the blocking provider's key")
    reason: str
    authorization_id: int | None
    order_id: int | None
    calls: int
    first: datetime = Field(description="start of the earliest period reported")
    last: datetime = Field(description="end of the latest period reported")


@router.post(
    "/blocking-counts",
    status_code=201,
    response_model=PeriodReportOut,
    responses=responses(403, 409, 422),
)
def report_counts(
    body: PeriodReportIn,
    response: Response,
    principal: Principal = Depends(writer(UserRole.PROVIDER)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
    settings: Settings = Depends(get_settings),
) -> PeriodReportOut:
    """One period of your blocker's blocked calls (201); the same period again: 200, not
    counted twice; a period overlapping another of the same blocker: 409."""
    rows = [
        blocked_calls.CountIn(r.reason, r.authorization_id, r.order_id, r.calls) for r in body.rows
    ]
    period = blocked_calls.PeriodIn(body.blocker, body.period_start, body.period_end, rows)
    with refusals():
        report, created = blocked_calls.record_period(
            db,
            access.own_provider_id(principal),
            period,
            principal.actor,
            clock,
            settings.display_zone,
            principal.user_id,
        )
    if not created:
        response.status_code = 200
    return _report_out(db, report, created)


def _report_out(db: Session, report: models.BlockingReport, created: bool) -> PeriodReportOut:
    return PeriodReportOut(
        id=report.id,
        blocker=report.blocker,
        period_start=report.period_start,
        period_end=report.period_end,
        received_at=report.received_at,
        calls=blocked_calls.calls_in(db, report),
        created=created,
    )


@router.get("/blocking-counts", response_model=list[BlockedTotalOut], responses=responses(403))
def blocked_totals(
    authorization: int | None = Query(
        None, ge=1, le=LARGEST_ID, description="only under this authorization"
    ),
    principal: Principal = Depends(current_principal),
    db: Session = REQUEST_DB,
) -> list[BlockedTotalOut]:
    """Calls blocked per provider, reason and authorization or order, summed over every
    period reported: every provider's for readers of all, a provider user its own."""
    own = None if principal.role in access.READ_ALL else access.own_provider_id(principal)
    found = blocked_calls.totals(db, authorization, own)
    return [
        BlockedTotalOut(
            provider=t.provider_key,
            reason=t.reason,
            authorization_id=t.authorization_id,
            order_id=t.order_id,
            calls=t.calls,
            first=t.first,
            last=t.last,
        )
        for t in found
    ]
