"""Hop requests, for provider users: the inbox and the answer (``/api/v1/hop-requests``).

A provider sees only the requests addressed to its own provider (``access.hop_requests``),
never the traceback id; another provider's request id answers 404 exactly like a made-up one.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from sqlalchemy.orm import Session

from robotrace.calendar import in_zone
from robotrace.clock import Clock
from robotrace.providers.registry import Provider
from robotrace.settings import Settings
from robotrace.store.asked import asked_of
from robotrace.store.models import UserRole
from robotrace.traceback import service
from robotrace.traceback.model import Answer, OriginAction
from robotrace.traceback.store import lock_traceback
from robotrace.traceback.workflow import (
    NotYourHop,
    Policy,
    Reply,
    TracebackClosed,
    WorkflowError,
)
from robotrace.web import access
from robotrace.web.api.errors import responses
from robotrace.web.api.schemas import LARGEST_ID, AnswerIn, AskedOut, HopRequestOut, RowId
from robotrace.web.deps import (
    REQUEST_DB,
    get_clock,
    get_policy,
    get_settings,
    require_roles,
    writer,
)
from robotrace.web.principal import Principal

router = APIRouter(prefix="/hop-requests", tags=["hop requests (providers)"])
PROVIDER = UserRole.PROVIDER
# A provider is told why without traceback ids or outcomes (docs/tenancy.md).
CLOSED = "This request is closed; it takes no more answers."
ANSWERED = "This request has been answered already."
PAGE_SIZE, MAX_PAGE_SIZE = 100, 1000


def _out(request: access.HopRequest, db: Session) -> HopRequestOut:
    return _outs([request], db)[0]


def _outs(requests: list[access.HopRequest], db: Session) -> list[HopRequestOut]:
    """The requests with what each asks beyond the call (robotrace.store.asked)."""
    asked = asked_of(db, [r.id for r in requests])
    return [
        HopRequestOut(
            **asdict(r),
            due_at_local=in_zone(r.due_at, r.time_zone).isoformat(),
            asked=AskedOut.of(asked[r.id]) if r.id in asked else None,
        )
        for r in requests
    ]


PAGE_HEADERS = {
    "X-Total-Count": {
        "description": "how many requests have this status, over all pages",
        "schema": {"type": "integer"},
    },
    "Link": {
        "description": 'the next page as `<URL>; rel="next"`, when there is one',
        "schema": {"type": "string"},
    },
}


def page_headers(
    request: Request, total: int, limit: int, offset: int, shown: int
) -> dict[str, str]:
    """``X-Total-Count``, and a ``Link`` to the next page while there is more."""
    headers = {"X-Total-Count": str(total)}
    if offset + shown < total:
        following = request.url.include_query_params(limit=limit, offset=offset + limit)
        headers["Link"] = f'<{following}>; rel="next"'
    return headers


@router.get(
    "",
    response_model=list[HopRequestOut],
    responses={**responses(403), 200: {"headers": PAGE_HEADERS}},
)
def list_hop_requests(
    request: Request,
    response: Response,
    status: Literal["open", "answered", "all"] = Query("open"),
    limit: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="requests per page"),
    offset: int = Query(0, ge=0, le=LARGEST_ID, description="requests to skip"),
    principal: Principal = Depends(require_roles(PROVIDER)),
    db: Session = REQUEST_DB,
    settings: Settings = Depends(get_settings),
) -> list[HopRequestOut]:
    """Your provider's hop requests, earliest due first: ``open`` (default), ``answered``
    (no longer open: answered, or closed), or ``all``; a page of ``limit`` (default 100,
    at most 1000) from ``offset``. ``X-Total-Count`` says how many there are in all, and
    ``Link: <…>; rel="next"`` names the next page while there is one."""
    total = access.hop_request_count(db, principal, status)
    found = access.hop_requests(db, principal, settings.business_zone, status, limit, offset)
    response.headers.update(page_headers(request, total, limit, offset, len(found)))
    return _outs(found, db)


@router.get("/{hop_id}", response_model=HopRequestOut, responses=responses(403, 404))
def get_hop_request(
    hop_id: RowId,
    principal: Principal = Depends(require_roles(PROVIDER)),
    db: Session = REQUEST_DB,
    settings: Settings = Depends(get_settings),
) -> HopRequestOut:
    """One of your provider's hop requests."""
    request, _ = access.hop_request(db, principal, settings.business_zone, hop_id)
    return _out(request, db)


def reply_of(body: AnswerIn) -> Reply:
    return Reply(
        Answer(body.answer),
        upstream=body.upstream if body.answer == "upstream" else None,
        customer=(body.customer or "").strip() or None if body.answer == "origin" else None,
        note=body.note,
        received_attest=body.received_attest,
        received_signer=body.received_signer,
        origin_action=OriginAction(body.origin_action) if body.origin_action else None,
    )


def named_of(body: AnswerIn) -> Provider | None:
    """The new upstream the body names (checked when the body was read)."""
    if body.answer != "upstream" or body.new_provider is None:
        return None
    return body.new_provider.provider()


@router.post(
    "/{hop_id}/answer", response_model=HopRequestOut, responses=responses(403, 404, 409, 422)
)
def answer_hop_request(
    hop_id: RowId,
    body: AnswerIn,
    principal: Principal = Depends(writer(PROVIDER)),
    db: Session = REQUEST_DB,
    settings: Settings = Depends(get_settings),
    clock: Clock = Depends(get_clock),
    policy: Policy = Depends(get_policy),
) -> HopRequestOut:
    """Answer one hop request, once. An unknown upstream is named with ``new_provider`` and
    registered. A late answer after ``no_response`` is recorded; it reopens the traceback only
    when it names an upstream not in the chain yet (docs/concepts.md). Naming your own
    provider as the upstream is 422."""
    request, traceback_id = access.hop_request(db, principal, settings.business_zone, hop_id)
    if request.answer not in (None, Answer.NO_RESPONSE.value):
        raise HTTPException(409, ANSWERED)
    lock_traceback(db, traceback_id)
    assert principal.provider_key is not None
    try:
        service.answer_hop(
            db,
            traceback_id,
            principal.provider_key,
            reply_of(body),
            principal.actor,
            clock,
            policy,
            named=named_of(body),
        )
    except TracebackClosed:
        raise HTTPException(409, CLOSED) from None
    except NotYourHop:
        raise HTTPException(409, ANSWERED) from None
    except WorkflowError as exc:  # the reply does not fit the registry (an unknown upstream)
        raise HTTPException(422, str(exc)) from None
    updated, _ = access.hop_request(db, principal, settings.business_zone, hop_id)
    return _out(updated, db)
