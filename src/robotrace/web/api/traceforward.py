"""Trace Forward over the API (robotrace.traceforward; docs/api.md).

Staff ask the carrier of a campaign's call-back number
(``POST /api/v1/campaigns/{id}/trace-forward``) and read every request; a provider user reads
and answers the requests addressed to its own provider — another provider's request id
answers 404 exactly like a made-up one, and nothing it reads names a traceback, a campaign id
or another provider.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from robotrace import numbers
from robotrace.calendar import in_zone
from robotrace.clock import Clock
from robotrace.providers.store import zone_of
from robotrace.settings import Settings
from robotrace.store.models import UserRole
from robotrace.traceforward import requests as traceforward
from robotrace.web import access
from robotrace.web.api.errors import responses
from robotrace.web.api.schemas import RowId
from robotrace.web.deps import REQUEST_DB, get_clock, get_settings, require_roles, writer
from robotrace.web.principal import Principal

router = APIRouter(tags=["trace forward"])
STAFF = (UserRole.ADMIN, UserRole.COORDINATOR)
READERS = (UserRole.ADMIN, UserRole.COORDINATOR, UserRole.REGULATOR, UserRole.PROVIDER)
Answer = Literal["assigned", "not_ours", "not_assigned", "refused"]


class AskIn(BaseModel):
    number: str = Field(max_length=64, description="one of the campaign's call-back numbers")


class AnswerIn(BaseModel):
    answer: Answer
    customer: str = Field("", max_length=200, description="assigned: whose the number is")
    customer_contact: str = Field("", max_length=2000, description="assigned: how to reach them")
    now_served_by: str = Field("", max_length=200, description="not_ours: who serves it now")
    note: str = Field("", max_length=2000, description="required when refused")


class TraceForwardOut(BaseModel):
    """A Trace Forward request. ``campaign_id``, ``provider`` and ``asked_by`` are given to
    staff only; a provider sees the number, the campaign's name and its own answer."""

    id: int
    number: str
    spellings: list[str]
    block: str
    campaign_name: str
    requested_at: datetime
    due_at: datetime
    due_at_local: str
    time_zone: str
    answer: Answer | None
    customer: str
    customer_contact: str
    now_served_by: str
    note: str
    answered_at: datetime | None
    campaign_id: str | None = None
    provider: str | None = None
    provider_name: str | None = None
    ocn: str | None = None
    asked_by: str | None = None


def _out(found: Any, principal: Principal, settings: Settings) -> TraceForwardOut:
    request, carrier, campaign = found
    zone = zone_of(carrier, settings.business_zone).zone
    staff = principal.role in access.READ_ALL
    return TraceForwardOut(
        id=request.id,
        number=request.number,
        spellings=list(numbers.spellings(request.number)),
        block=request.block,
        campaign_name=campaign.name,
        requested_at=request.requested_at,
        due_at=request.due_at,
        due_at_local=in_zone(request.due_at, zone).isoformat(),
        time_zone=zone,
        answer=request.answer,
        customer=request.customer,
        customer_contact=request.customer_contact,
        now_served_by=request.now_served_by,
        note=request.note,
        answered_at=request.answered_at,
        campaign_id=campaign.id if staff else None,
        provider=carrier.key if staff else None,
        provider_name=carrier.business_name if staff else None,
        ocn=request.ocn if staff else None,
        asked_by=request.asked_by if staff else None,
    )


def _refusal(error: traceforward.TraceForwardError) -> HTTPException:
    """409 when the request's state refuses it, 422 when the input does."""
    return HTTPException(409 if isinstance(error, traceforward.AlreadyDone) else 422, str(error))


@router.post(
    "/campaigns/{campaign_id}/trace-forward",
    status_code=201,
    response_model=TraceForwardOut,
    responses=responses(403, 404, 409, 422),
)
def ask_trace_forward(
    campaign_id: str,
    body: AskIn,
    principal: Principal = Depends(writer(*STAFF)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
    settings: Settings = Depends(get_settings),
) -> TraceForwardOut:
    """Ask the carrier that one of the campaign's call-back numbers was assigned to (the
    number-block table: ``robotrace numbering import``) whose customer it is. 409 while a
    request for the number is open; 422 for a number that is not the campaign's or whose
    block is unknown."""
    access.campaign_row(db, principal, campaign_id)
    try:
        request = traceforward.ask(db, campaign_id, body.number, principal.actor, clock, settings)
    except traceforward.TraceForwardError as exc:
        raise _refusal(exc) from None
    return _out(access.trace_forward_request(db, principal, request.id), principal, settings)


@router.get(
    "/trace-forward-requests", response_model=list[TraceForwardOut], responses=responses(403)
)
def list_trace_forward_requests(
    status: Literal["open", "answered", "all"] = Query("open"),
    campaign: str | None = Query(None, max_length=64, description="staff: one campaign's"),
    principal: Principal = Depends(require_roles(*READERS)),
    db: Session = REQUEST_DB,
    settings: Settings = Depends(get_settings),
) -> list[TraceForwardOut]:
    """Trace Forward requests, earliest due first: every one for staff, your provider's own
    for a provider user."""
    wanted = campaign if principal.role in access.READ_ALL else None
    found = access.trace_forward_requests(db, principal, status, wanted)
    return [_out(row, principal, settings) for row in found]


@router.get(
    "/trace-forward-requests/{forward_id}",
    response_model=TraceForwardOut,
    responses=responses(403, 404),
)
def get_trace_forward_request(
    forward_id: RowId,
    principal: Principal = Depends(require_roles(*READERS)),
    db: Session = REQUEST_DB,
    settings: Settings = Depends(get_settings),
) -> TraceForwardOut:
    """One Trace Forward request."""
    return _out(access.trace_forward_request(db, principal, forward_id), principal, settings)


@router.post(
    "/trace-forward-requests/{forward_id}/answer",
    response_model=TraceForwardOut,
    responses=responses(403, 404, 409, 422),
)
def answer_trace_forward_request(
    forward_id: RowId,
    body: AnswerIn,
    principal: Principal = Depends(writer(UserRole.PROVIDER)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
    settings: Settings = Depends(get_settings),
) -> TraceForwardOut:
    """Answer a request to your provider, once: ``assigned`` names the customer (and how to
    reach them), ``not_ours`` may say who serves the number now, ``not_assigned`` says it is
    assigned to no customer, ``refused`` says why in ``note``."""
    request, _, _ = access.trace_forward_request(db, principal, forward_id)
    reply = traceforward.Reply(**body.model_dump())
    try:
        traceforward.answer(db, request, reply, principal.actor, clock)
    except traceforward.TraceForwardError as exc:
        raise _refusal(exc) from None
    return _out(access.trace_forward_request(db, principal, forward_id), principal, settings)
