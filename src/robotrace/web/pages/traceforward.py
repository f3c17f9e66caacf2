"""Trace Forward in the portal (robotrace.traceforward; docs/portal.md, "Trace Forward").

- staff ask on the campaign page (``POST /campaigns/{id}/trace-forward``), which shows each
  call-back number's carrier and the answers (:func:`campaign_section`);
- the carrier's users answer at ``/inbox/trace-forward/{id}`` (their inbox lists the open
  ones: :func:`inbox_section`);
- admins keep the number-block table at ``/admin/number-blocks`` (import a report, look a
  number up).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from robotrace import numbers
from robotrace.clock import Clock
from robotrace.numbering.blocks import NumberingFormatError, read_number_blocks
from robotrace.numbering.store import block_count, holder_of, import_blocks
from robotrace.providers.store import zone_of
from robotrace.rows import BadRowsError
from robotrace.settings import Settings
from robotrace.store import models
from robotrace.store.models import UserRole
from robotrace.traceforward import requests as traceforward
from robotrace.web import access
from robotrace.web.api.schemas import RowId
from robotrace.web.deps import REQUEST_DB, get_clock, get_settings, require_roles, writer
from robotrace.web.evidence_uploads import (
    BadFileName,
    save_stream,
    upload_folder,
    upload_name,
    upload_path,
)
from robotrace.web.pages.common import PROVIDER, STAFF, in_savepoint
from robotrace.web.principal import Principal
from robotrace.web.templating import render

router = APIRouter(include_in_schema=False)
ADMIN = (UserRole.ADMIN,)
ANSWER_WORDS = {
    "assigned": "assigned to a customer",
    "not_ours": "not served by this carrier",
    "not_assigned": "assigned to no customer",
    "refused": "refused",
}


# --- The campaign page's section -----------------------------------------------------------


def campaign_section(db: Session, principal: Principal, campaign: models.Campaign) -> dict:
    """What the campaign page shows of Trace Forward: each call-back number with its
    carrier, whether it is being asked, and every answer (staff only)."""
    if principal.role not in access.READ_ALL:
        return {}
    rows = access.trace_forward_requests(db, principal, "all", campaign.id)
    open_numbers = {r.number for r, _, _ in rows if r.answer is None}
    numbers_ = [
        {"number": n, "holder": holder_of(db, n), "open": n in open_numbers}
        for n in campaign.callback_numbers
    ]
    return {"trace_forward": {"numbers": numbers_, "requests": rows, "words": ANSWER_WORDS}}


@router.post("/campaigns/{campaign_id}/trace-forward")
def ask_trace_forward(
    request: Request,
    campaign_id: str,
    number: str = Form("", max_length=64),
    principal: Principal = Depends(writer(*STAFF)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
    settings: Settings = Depends(get_settings),
) -> Response:
    from robotrace.web.pages.campaigns import campaign_response  # it shows this module's part

    access.campaign_row(db, principal, campaign_id)
    try:
        asked = in_savepoint(
            db, lambda: traceforward.ask(db, campaign_id, number, principal.actor, clock, settings)
        )
    except traceforward.TraceForwardError as exc:
        return campaign_response(request, principal, db, campaign_id, 422, tf_error=str(exc))
    where = f"/campaigns/{quote(campaign_id, safe='')}?tf_asked={asked.id}#trace-forward"
    return RedirectResponse(where, 303)


# --- The carrier's inbox ---------------------------------------------------------------------


def inbox_section(db: Session, principal: Principal) -> dict[str, Any]:
    """The open Trace Forward requests to the principal's provider, for its inbox."""
    if principal.role is not UserRole.PROVIDER:
        return {}
    return {"trace_forward_open": access.trace_forward_requests(db, principal, "open")}


def _request_page(
    request: Request,
    principal: Principal,
    db: Session,
    request_id: int,
    error: str = "",
    form: dict[str, str] | None = None,
    recorded: bool = False,
) -> Response:
    asked, carrier, campaign = access.trace_forward_request(db, principal, request_id)
    return render(
        request,
        "trace_forward_request.html",
        principal,
        422 if error else 200,
        asked=asked,
        campaign_name=campaign.name,
        heard=(campaign.first_seen_at, campaign.last_seen_at),
        spellings=numbers.spellings(asked.number),
        zone=zone_of(carrier, request.app.state.settings.business_zone).zone,
        words=ANSWER_WORDS,
        form=form or {},
        form_error=error,
        recorded=recorded,
    )


@router.get("/inbox/trace-forward/{forward_id}")
def trace_forward_request(
    request: Request,
    forward_id: RowId,
    recorded: str = "",
    principal: Principal = Depends(require_roles(*PROVIDER)),
    db: Session = REQUEST_DB,
) -> Response:
    return _request_page(request, principal, db, forward_id, recorded=recorded == "1")


@router.post("/inbox/trace-forward/{forward_id}")
def answer_trace_forward(
    request: Request,
    forward_id: RowId,
    answer: str = Form("", max_length=16),
    customer: str = Form("", max_length=200),
    customer_contact: str = Form("", max_length=2000),
    now_served_by: str = Form("", max_length=200),
    note: str = Form("", max_length=2000),
    principal: Principal = Depends(writer(*PROVIDER)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    asked, _, _ = access.trace_forward_request(db, principal, forward_id)
    form = {
        "answer": answer,
        "customer": customer,
        "customer_contact": customer_contact,
        "now_served_by": now_served_by,
        "note": note,
    }
    reply = traceforward.Reply(**form)
    try:
        in_savepoint(db, lambda: traceforward.answer(db, asked, reply, principal.actor, clock))
    except traceforward.TraceForwardError as exc:
        return _request_page(request, principal, db, forward_id, f"Not answered: {exc}.", form)
    return RedirectResponse(f"/inbox/trace-forward/{forward_id}?recorded=1", 303)


# --- The number-block table (admins) ---------------------------------------------------------


def _blocks_page(
    request: Request, principal: Principal, db: Session, status_code: int = 200, **said: Any
) -> Response:
    return render(
        request, "number_blocks.html", principal, status_code, counts=block_count(db), **said
    )


@router.get("/admin/number-blocks")
def number_blocks(
    request: Request,
    number: str = "",
    principal: Principal = Depends(require_roles(*ADMIN)),
    db: Session = REQUEST_DB,
) -> Response:
    number = number.strip()[:64]
    found = holder_of(db, number) if number else None
    return _blocks_page(request, principal, db, looked_up=number, holder=found)


@router.post("/admin/number-blocks")
def import_number_blocks(
    request: Request,
    report: UploadFile = File(...),
    principal: Principal = Depends(writer(*ADMIN)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    """Import an uploaded report as ``robotrace numbering import`` does."""
    try:
        shown = upload_name(report.filename, None)[:200]
    except BadFileName as exc:
        return _blocks_page(request, principal, db, 422, import_error=f"Not imported: {exc}.")
    with upload_folder() as folder:
        path = upload_path(folder, shown)
        save_stream(report.file, path)
        try:
            found = read_number_blocks(path, shown=shown)
        except (BadRowsError, NumberingFormatError) as exc:
            return _blocks_page(request, principal, db, 422, import_error=str(exc))
    done = in_savepoint(db, lambda: import_blocks(db, found, clock.now()))
    return _blocks_page(request, principal, db, imported=done, imported_name=shown)
