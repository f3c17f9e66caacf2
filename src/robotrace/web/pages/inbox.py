"""A provider's own pages: the inbox of open hop requests (and of direct requests to it as a
call's STIR/SHAKEN signer, and its open notifications and initial orders under 47 CFR
64.1200(n) with their respond-by clocks), one request with the answer form, and the history
of its answers.

The request page helps the provider find the call in its own records (both numbers in the
spellings call records use, the call time on its own zone's clock and in UTC); after an
answer it says what was recorded and links the next open request.

Everything is read through :mod:`robotrace.web.access`, which shows a provider only what its
requests need (docs/tenancy.md). Rule errors are put in words that name no traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from robotrace.calendar import for_people
from robotrace.clock import Clock
from robotrace.numbers import spellings
from robotrace.store.asked import asked_of
from robotrace.traceback import service
from robotrace.traceback.workflow import (
    NotYourHop,
    Policy,
    Reply,
    TracebackClosed,
    WorkflowError,
)
from robotrace.web import access
from robotrace.web.access import HopRequest, SignerRequest
from robotrace.web.api.schemas import LARGEST_ID, RowId
from robotrace.web.deps import REQUEST_DB, get_clock, get_policy, require_roles, writer
from robotrace.web.pages import steps
from robotrace.web.pages.answers import (
    AnswerForm,
    UnclearUpstream,
    answer_form,
    chosen_upstream,
    hop_reply_of,
    named_of,
    reply_of,
)
from robotrace.web.pages.common import PROVIDER, in_savepoint
from robotrace.web.pages.traceforward import inbox_section
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
    zone = business_zone(request)
    return render(
        request,
        "inbox.html",
        principal,
        requests=access.hop_requests(db, principal, zone, "open", PAGE_SIZE, offset),
        page=page,
        missed=access.hop_requests(db, principal, zone, "no_response", PAGE_SIZE),
        missed_total=access.hop_request_count(db, principal, "no_response"),
        signer_requests=access.signer_requests(db, principal, zone, "open"),
        **inbox_section(db, principal),
        zone=access.own_time_zone(db, principal, zone),
        **open_steps(db, principal, clock),
    )


def open_steps(db: Session, principal: Principal, clock: Clock) -> dict[str, Any]:
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
    found = access.hop_requests(db, principal, business_zone(request), "answered")
    answered = [r for r in found if r.answer is not None]
    answered.sort(key=lambda r: (r.answered_at or r.due_at, r.id), reverse=True)
    return render(request, "history.html", principal, requests=answered)


def business_zone(request: Request) -> str:
    """The zone of a provider whose own zone is not known (the portal's ``business_zone``)."""
    return str(request.app.state.settings.business_zone)


def next_open(request: Request, db: Session, principal: Principal, after: int) -> HopRequest | None:
    """The open request the provider should answer next: the earliest due but ``after``."""
    found = access.hop_requests(db, principal, business_zone(request), "open", 2)
    return next((r for r in found if r.id != after), None)


def provider_named(db: Session, key: str | None) -> str:
    """``key`` with the provider's name from the directory (what any provider may search)."""
    if not key:
        return ""
    found = [e for e in access.search_directory(db, key, 1) if e.key == key]
    return f"{key} {found[0].name}" if found else key


def placed_error(error: str | None, form_shown: bool) -> dict[str, str | None]:
    """Where a page says what was wrong: beside the answer form when it is shown again (the
    page above it is long), else at the top of the page."""
    return {"form_error": error, "error": None} if form_shown else {"error": error}


def call_lookup(zone: str) -> dict[str, object]:
    """What a request page shows to find the call in the provider's own records."""
    return {"spellings": spellings, "for_people": for_people, "zone": zone}


def _request_page(
    request: Request,
    principal: Principal,
    db: Session,
    hop: HopRequest,
    form: AnswerForm | None = None,
    error: str | None = None,
    status_code: int = 400,
    **context: object,
) -> Response:
    return render(
        request,
        "hop_request.html",
        principal,
        status_code if error else 200,
        hop=hop,
        answerable=answerable(hop),
        form=form or AnswerForm(),
        **placed_error(error, answerable(hop)),
        upstream_named=provider_named(db, hop.upstream),
        next_request=next_open(request, db, principal, hop.id),
        asked=asked_of(db, [hop.id]).get(hop.id),
        **call_lookup(hop.time_zone),
        **context,
    )


@router.get("/inbox/{hop_id}")
def hop_request(
    request: Request,
    hop_id: RowId,
    recorded: str = "",
    principal: Principal = Depends(require_roles(*PROVIDER)),
    db: Session = REQUEST_DB,
) -> Response:
    """One request; ``recorded=1``: just answered, so the page confirms what was recorded."""
    hop, _traceback_id = access.hop_request(db, principal, business_zone(request), hop_id)
    just_answered = recorded == "1" and hop.answer not in (None, "no_response")
    return _request_page(request, principal, db, hop, recorded=just_answered)


@router.post("/inbox/{hop_id}")
def answer(
    request: Request,
    hop_id: RowId,
    form: AnswerForm = Depends(answer_form),
    principal: Principal = Depends(writer(*PROVIDER)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
    policy: Policy = Depends(get_policy),
) -> Response:
    hop, traceback_id = access.hop_request(db, principal, business_zone(request), hop_id)
    if not answerable(hop):
        return _request_page(request, principal, db, hop, form, ANSWERED)
    key = principal.provider_key or ""
    try:
        upstream = chosen_upstream(db, form.upstream_key) if form.kind == "upstream" else None
        reply, named = hop_reply_of(form, upstream), named_of(form)
        in_savepoint(
            db,
            lambda: service.answer_hop(
                db, traceback_id, key, reply, principal.actor, clock, policy, named=named
            ),
        )
    except TracebackClosed:
        return _request_page(request, principal, db, hop, form, CLOSED)
    except NotYourHop:
        return _request_page(request, principal, db, hop, form, ANSWERED)
    except UnclearUpstream as exc:
        said = f"Not answered: {exc}."
        return _request_page(request, principal, db, hop, form, said, 422, choices=exc.choices)
    except (ValueError, WorkflowError) as exc:  # the answer itself is wrong, as the API's 422
        return _request_page(request, principal, db, hop, form, f"Not answered: {exc}.", 422)
    return RedirectResponse(f"/inbox/{hop_id}?recorded=1", 303)


# --- Direct requests to the provider as the call's signer (docs/shaken.md) ---

#: The answers a signer gives (the hop form's shapes): its customer, the provider it received
#: the call from (one in the directory), no record, or a refusal.
SIGNER_KINDS = ("origin", "upstream", "not_found", "refused")


def _signer_page(
    request: Request,
    principal: Principal,
    db: Session,
    asked: SignerRequest,
    form: AnswerForm | None = None,
    error: str | None = None,
    status_code: int = 400,
    **context: object,
) -> Response:
    return render(
        request,
        "signer_request.html",
        principal,
        status_code if error else 200,
        asked=asked,
        form=form or AnswerForm(),
        **placed_error(error, asked.open and asked.answer is None),
        upstream_named=provider_named(db, asked.upstream),
        next_request=next_open(request, db, principal, 0),
        **call_lookup(asked.time_zone),
        **context,
    )


@router.get("/inbox/signer/{request_id}")
def signer_request(
    request: Request,
    request_id: RowId,
    recorded: str = "",
    principal: Principal = Depends(require_roles(*PROVIDER)),
    db: Session = REQUEST_DB,
) -> Response:
    asked, _traceback_id = access.signer_request(db, principal, business_zone(request), request_id)
    just_answered = recorded == "1" and asked.answer is not None
    return _signer_page(request, principal, db, asked, recorded=just_answered)


def signer_reply_of(form: AnswerForm, upstream: str | None = None) -> Reply:
    """The signer's :class:`Reply`: origin, upstream, not_found or refused, as on the hop
    form."""
    if form.kind not in SIGNER_KINDS:
        raise ValueError("choose one of the answers")
    return reply_of(form, upstream)


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
    asked, traceback_id = access.signer_request(db, principal, business_zone(request), request_id)
    if asked.answer is not None:
        return _signer_page(request, principal, db, asked, form, ANSWERED)
    if not asked.open:
        return _signer_page(request, principal, db, asked, form, CLOSED)
    key = principal.provider_key or ""
    try:
        upstream = chosen_upstream(db, form.upstream_key) if form.kind == "upstream" else None
        reply = signer_reply_of(form, upstream)
        in_savepoint(
            db,
            lambda: service.answer_signer(db, traceback_id, key, reply, principal.actor, clock),
        )
    except (NotYourHop, TracebackClosed):
        return _signer_page(request, principal, db, asked, form, CLOSED)
    except UnclearUpstream as exc:
        said = f"Not answered: {exc}."
        return _signer_page(request, principal, db, asked, form, said, 422, choices=exc.choices)
    except (ValueError, WorkflowError) as exc:
        return _signer_page(request, principal, db, asked, form, f"Not answered: {exc}.", 422)
    return RedirectResponse(f"/inbox/signer/{request_id}?recorded=1", 303)
