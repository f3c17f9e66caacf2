"""Tracebacks, for staff (coordinators and admins write; regulators read too)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from robotrace.calendar import in_zone
from robotrace.clock import Clock, as_utc
from robotrace.settings import Settings
from robotrace.store import models
from robotrace.store.models import UserRole
from robotrace.traceback import service
from robotrace.traceback.findings import summary_of
from robotrace.traceback.model import CallUnderTrace, Traceback
from robotrace.traceback.store import load_traceback, lock_traceback, provider_directory
from robotrace.traceback.workflow import REASON_LENGTH, Policy, TracebackClosed, WorkflowError
from robotrace.web import access
from robotrace.web.api.errors import conflicts, responses
from robotrace.web.api.schemas import LARGEST_ID, HopOut, OpenTracebackIn, TracebackOut
from robotrace.web.deps import (
    REQUEST_DB,
    get_clock,
    get_policy,
    get_settings,
    require_roles,
    writer,
)
from robotrace.web.principal import Principal

router = APIRouter(prefix="/tracebacks", tags=["tracebacks (staff)"])
READERS = access.READ_ALL
STAFF = (UserRole.COORDINATOR, UserRole.ADMIN)


def traceback_out(db: Session, tb: Traceback, clock: Clock, business_zone: str) -> TracebackOut:
    """The ``robotrace trace`` summary of ``tb`` with its status, times and hop rows (a hop's
    due time also on its provider's clock: ``business_zone`` where the provider has no zone
    of its own)."""
    directory = provider_directory(db, business_zone)
    summary: dict[str, Any] = summary_of(tb, directory)
    row = db.get(models.Traceback, tb.id)
    assert row is not None
    hop_ids = {hop.position: hop.id for hop in row.hops}
    now = clock.now()
    hops = [
        HopOut.model_validate(
            {
                **asdict(hop),
                **described,
                "id": hop_ids[hop.position],
                "due_at_local": in_zone(hop.due_at, directory[hop.provider].time_zone).isoformat(),
                "time_zone": directory[hop.provider].time_zone,
                "overdue": tb.status == "open" and hop.overdue(now),
            }
        )
        for hop, described in zip(tb.hops, summary.pop("hops"), strict=True)
    ]
    return TracebackOut(
        **summary,
        hops=hops,
        status=tb.status.value,
        campaign=tb.campaign,
        opened_at=tb.opened_at,
        closed_at=tb.closed_at,
    )


@router.get("", response_model=list[TracebackOut], responses=responses(403))
def list_tracebacks(
    status: Literal["open", "closed", "all"] = Query("all"),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=LARGEST_ID),
    principal: Principal = Depends(require_roles(*READERS)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
    settings: Settings = Depends(get_settings),
) -> list[TracebackOut]:
    """Tracebacks, newest first, a page at a time."""
    wanted = None if status == "all" else status
    ids = access.traceback_ids(db, principal, wanted, limit, offset)
    return [traceback_out(db, load_traceback(db, i), clock, settings.business_zone) for i in ids]


@router.get("/{traceback_id}", response_model=TracebackOut, responses=responses(403, 404))
def get_traceback(
    traceback_id: str,
    principal: Principal = Depends(require_roles(*READERS)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
    settings: Settings = Depends(get_settings),
) -> TracebackOut:
    """One traceback: its chain with each provider's roles, and what it found."""
    row = access.traceback_row(db, principal, traceback_id)
    return traceback_out(db, load_traceback(db, row.id), clock, settings.business_zone)


@router.post("", status_code=201, response_model=TracebackOut, responses=responses(403, 422))
def open_traceback(
    body: OpenTracebackIn,
    response: Response,
    principal: Principal = Depends(writer(*STAFF)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
    settings: Settings = Depends(get_settings),
    policy: Policy = Depends(get_policy),
) -> TracebackOut:
    """Open a traceback for a stored call (``call_id``) or for a call's details, and send
    the first hop request to its terminating provider."""
    with conflicts(422):
        if body.call_id is not None:
            tb = service.open_traceback_for_call(
                db, body.call_id, principal.actor, clock, policy, again=True
            )
        else:
            assert body.called_number and body.call_time and body.terminating_provider
            call = CallUnderTrace(
                body.calling_number or "", body.called_number, as_utc(body.call_time)
            )
            tb = service.open_traceback(
                db, call, body.terminating_provider, principal.actor, clock, policy
            )
    response.headers["Location"] = f"/api/v1/tracebacks/{tb.id}"
    return traceback_out(db, tb, clock, settings.business_zone)


@router.post(
    "/{traceback_id}/no-response",
    response_model=TracebackOut,
    responses=responses(403, 404, 409),
)
def mark_no_response(
    traceback_id: str,
    principal: Principal = Depends(writer(*STAFF)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
    settings: Settings = Depends(get_settings),
) -> TracebackOut:
    """Mark the open hop ``no_response`` once it is overdue; the traceback closes
    ``non_responsive`` (``foreign_origin`` at a foreign provider)."""
    row = access.traceback_row(db, principal, traceback_id)
    lock_traceback(db, row.id)
    with conflicts():
        tb = service.mark_no_response(db, row.id, principal.actor, clock)
    return traceback_out(db, tb, clock, settings.business_zone)


class WithdrawIn(BaseModel):
    """Why the traceback is withdrawn (kept in the audit log)."""

    reason: str = Field(min_length=1, max_length=REASON_LENGTH)


@router.post(
    "/{traceback_id}/withdraw",
    response_model=TracebackOut,
    responses=responses(403, 404, 409, 422),
)
def withdraw_traceback(
    traceback_id: str,
    body: WithdrawIn,
    principal: Principal = Depends(writer(*STAFF)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
    settings: Settings = Depends(get_settings),
) -> TracebackOut:
    """Withdraw an open traceback opened by mistake: it closes ``withdrawn``, its open hop
    request (and any direct request to the signer) is cancelled and leaves the provider's
    inbox, and nothing in it counts as a finding, evidence or a statistic. 409 when the
    traceback is closed already; 422 without a reason."""
    row = access.traceback_row(db, principal, traceback_id)
    lock_traceback(db, row.id)
    try:
        tb = service.withdraw_traceback(db, row.id, body.reason, principal.actor, clock)
    except TracebackClosed as exc:
        raise HTTPException(409, str(exc)) from None
    except WorkflowError as exc:
        raise HTTPException(422, str(exc)) from None
    return traceback_out(db, tb, clock, settings.business_zone)
