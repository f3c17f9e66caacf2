"""A provider's own pages: the inbox of open hop requests (and of direct requests to it as a
call's STIR/SHAKEN signer, and its open notifications and initial orders under 47 CFR
64.1200(n) with their respond-by clocks), one request with the answer form, and the history
of its answers.

Everything is read through :mod:`robotrace.web.access`, which shows a provider only what its
requests need (docs/tenancy.md). Rule errors are put in words that name no traceback.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from robotrace.clock import Clock
from robotrace.traceback import service
from robotrace.traceback.workflow import NotYourHop, Reply, TracebackClosed, WorkflowError
from robotrace.web import access
from robotrace.web.access import HopRequest, SignerRequest
from robotrace.web.api.schemas import LARGEST_ID, RowId
from robotrace.web.deps import REQUEST_DB, get_clock, require_roles, writer
from robotrace.web.pages import steps
from robotrace.web.pages.answers import AnswerForm, answer_form, named_of, reply_of
from robotrace.web.pages.common import PROVIDER, in_savepoint
from robotrace.web.principal import Principal
from robotrace.web.templating import render

router = APIRouter(include_in_schema=False)  # pages; the OpenAPI describes /api/v1
CLOSED = "This request is closed; it takes no more answers."
ANSWERED = "This request has been answered already."
PAGE_SIZE = 100  # requests per inbox page


def answerable(request: HopRequest) -> bool:
    """Open, or marked ``no_response`` (a late answer is still taken; see docs/concepts.md)."""
    return request.open or request.answer == "no_response"


@dataclass(frozen=True)
class Page:
    """Which slice of a list a page shows: ``offset`` of ``total``, ``size`` at most."""

    offset: int
    size: int
    total: int

    @property
    def previous(self) -> int | None:
        return max(self.offset - self.size, 0) if self.offset > 0 else None

    @property
    def next(self) -> int | None:
        return self.offset + self.size if self.offset + self.size < self.total else None


@router.get("/inbox")
def inbox(
    request: Request,
    offset: int = Query(0, ge=0, le=LARGEST_ID),
    principal: Principal = Depends(require_roles(*PROVIDER)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    page = Page(offset, PAGE_SIZE, access.hop_request_count(db, principal, "open"))
    return render(
        request,
        "inbox.html",
        principal,
        requests=access.hop_requests(db, principal, "open", PAGE_SIZE, offset),
        page=page,
        missed=access.hop_requests(db, principal, "no_response", PAGE_SIZE),
        missed_total=access.hop_request_count(db, principal, "no_response"),
        signer_requests=access.signer_requests(db, principal, "open"),
        zone=access.own_time_zone(db, principal),
        **open_steps(db, principal, clock),
    )


def open_steps(db: Session, principal: Principal, clock: Clock) -> dict[str, object]:
    """The provider's notifications and initial orders still open, earliest respond-by
    first, and what the inbox shows them with."""
    found = access.enforcement_actions(db, principal, access.ORDER_KINDS)
    waiting = [o for o in found if o.status in steps.WAITING]
    return {"orders": steps.by_urgency(waiting, clock.now()), **steps.template_helpers()}


@router.get("/history")
def history(
    request: Request,
    principal: Principal = Depends(require_roles(*PROVIDER)),
    db: Session = REQUEST_DB,
) -> Response:
    answered = [r for r in access.hop_requests(db, principal, "answered") if r.answer is not None]
    answered.sort(key=lambda r: (r.answered_at or r.due_at, r.id), reverse=True)
    return render(request, "history.html", principal, requests=answered)


def _request_page(
    request: Request,
    principal: Principal,
    hop: HopRequest,
    form: AnswerForm | None = None,
    error: str | None = None,
    status_code: int = 400,
) -> Response:
    return render(
        request,
        "hop_request.html",
        principal,
        status_code if error else 200,
        hop=hop,
        answerable=answerable(hop),
        form=form or AnswerForm(),
        error=error,
    )


@router.get("/inbox/{hop_id}")
def hop_request(
    request: Request,
    hop_id: RowId,
    principal: Principal = Depends(require_roles(*PROVIDER)),
    db: Session = REQUEST_DB,
) -> Response:
    hop, _traceback_id = access.hop_request(db, principal, hop_id)
    return _request_page(request, principal, hop)


@router.post("/inbox/{hop_id}")
def answer(
    request: Request,
    hop_id: RowId,
    form: AnswerForm = Depends(answer_form),
    principal: Principal = Depends(writer(*PROVIDER)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    hop, traceback_id = access.hop_request(db, principal, hop_id)
    if not answerable(hop):
        return _request_page(request, principal, hop, form, ANSWERED)
    key = principal.provider_key or ""
    try:
        reply, named = reply_of(form), named_of(form)
        in_savepoint(
            db,
            lambda: service.answer_hop(
                db, traceback_id, key, reply, principal.actor, clock, named=named
            ),
        )
    except TracebackClosed:
        return _request_page(request, principal, hop, form, CLOSED)
    except NotYourHop:
        return _request_page(request, principal, hop, form, ANSWERED)
    except (ValueError, WorkflowError) as exc:  # the answer itself is wrong, as the API's 422
        return _request_page(request, principal, hop, form, f"Not answered: {exc}.", 422)
    return RedirectResponse(f"/inbox/{hop_id}", 303)


# --- Direct requests to the provider as the call's signer (docs/shaken.md) ---

#: The answers a signer gives (the hop form's shapes): its customer, the provider it received
#: the call from (one in the directory), no record, or a refusal.
SIGNER_KINDS = ("origin", "upstream", "not_found", "refused")


def _signer_page(
    request: Request,
    principal: Principal,
    asked: SignerRequest,
    form: AnswerForm | None = None,
    error: str | None = None,
    status_code: int = 400,
) -> Response:
    return render(
        request,
        "signer_request.html",
        principal,
        status_code if error else 200,
        asked=asked,
        form=form or AnswerForm(),
        error=error,
    )


@router.get("/inbox/signer/{request_id}")
def signer_request(
    request: Request,
    request_id: RowId,
    principal: Principal = Depends(require_roles(*PROVIDER)),
    db: Session = REQUEST_DB,
) -> Response:
    asked, _traceback_id = access.signer_request(db, principal, request_id)
    return _signer_page(request, principal, asked)


def signer_reply_of(form: AnswerForm) -> Reply:
    """The signer's :class:`Reply`: origin, upstream, not_found or refused, as on the hop
    form."""
    if form.kind not in SIGNER_KINDS:
        raise ValueError("choose one of the answers")
    return reply_of(form)


@router.post("/inbox/signer/{request_id}")
def answer_signer_request(
    request: Request,
    request_id: RowId,
    form: AnswerForm = Depends(answer_form),
    principal: Principal = Depends(writer(*PROVIDER)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    """Answer a direct request with the provider's own OCN (never one from the form)."""
    asked, traceback_id = access.signer_request(db, principal, request_id)
    if asked.answer is not None:
        return _signer_page(request, principal, asked, form, ANSWERED)
    if not asked.open:
        return _signer_page(request, principal, asked, form, CLOSED)
    key = principal.provider_key or ""
    try:
        reply = signer_reply_of(form)
        in_savepoint(
            db,
            lambda: service.answer_signer(db, traceback_id, key, reply, principal.actor, clock),
        )
    except (NotYourHop, TracebackClosed):
        return _signer_page(request, principal, asked, form, CLOSED)
    except (ValueError, WorkflowError) as exc:
        return _signer_page(request, principal, asked, form, f"Not answered: {exc}.", 422)
    return RedirectResponse(f"/inbox/signer/{request_id}", 303)
