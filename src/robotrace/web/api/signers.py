"""Direct requests to a call's signer, for provider users (``/api/v1/signer-requests``).

The STIR/SHAKEN signer shortcut (docs/shaken.md): a provider whose verified A/B signature a
traced call carried is asked directly, with the call's origid. It sees only the direct
requests addressed to its own provider (``access.signer_requests``), never the traceback id;
another provider's request id answers 404 exactly like a made-up one.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from sqlalchemy.orm import Session

from robotrace.calendar import in_zone
from robotrace.clock import Clock
from robotrace.settings import Settings
from robotrace.store.models import UserRole
from robotrace.traceback import service
from robotrace.traceback.model import Answer
from robotrace.traceback.store import lock_traceback
from robotrace.traceback.workflow import NotYourHop, Reply, TracebackClosed, WorkflowError
from robotrace.web import access
from robotrace.web.api.errors import responses
from robotrace.web.api.hops import ANSWERED, CLOSED
from robotrace.web.api.schemas import RowId, SignerAnswerIn, SignerRequestOut
from robotrace.web.deps import REQUEST_DB, get_clock, get_settings, require_roles, writer
from robotrace.web.principal import Principal

router = APIRouter(prefix="/signer-requests", tags=["signer requests (providers)"])
PROVIDER = UserRole.PROVIDER


def _out(request: access.SignerRequest) -> SignerRequestOut:
    local = in_zone(request.due_at, request.time_zone).isoformat()
    return SignerRequestOut(**asdict(request), due_at_local=local)


@router.get("", response_model=list[SignerRequestOut], responses=responses(403))
def list_signer_requests(
    status: Literal["open", "answered", "all"] = Query("open"),
    principal: Principal = Depends(require_roles(PROVIDER)),
    db: Session = REQUEST_DB,
    settings: Settings = Depends(get_settings),
) -> list[SignerRequestOut]:
    """Direct requests to your provider as the signer of a traced call, earliest due first:
    ``open`` (default), ``answered`` (no longer open: answered, or closed), or ``all``."""
    return [_out(r) for r in access.signer_requests(db, principal, settings.business_zone, status)]


@router.get("/{request_id}", response_model=SignerRequestOut, responses=responses(403, 404))
def get_signer_request(
    request_id: RowId,
    principal: Principal = Depends(require_roles(PROVIDER)),
    db: Session = REQUEST_DB,
    settings: Settings = Depends(get_settings),
) -> SignerRequestOut:
    """One direct request to your provider."""
    request, _ = access.signer_request(db, principal, settings.business_zone, request_id)
    return _out(request)


def reply_of(body: SignerAnswerIn) -> Reply:
    customer = (body.customer or "").strip() or None if body.answer == "origin" else None
    upstream = body.upstream if body.answer == "upstream" else None
    return Reply(Answer(body.answer), upstream=upstream, customer=customer, note=body.note)


@router.post(
    "/{request_id}/answer",
    response_model=SignerRequestOut,
    responses=responses(403, 404, 409, 422),
)
def answer_signer_request(
    request_id: RowId,
    body: SignerAnswerIn,
    principal: Principal = Depends(writer(PROVIDER)),
    db: Session = REQUEST_DB,
    settings: Settings = Depends(get_settings),
    clock: Clock = Depends(get_clock),
) -> SignerRequestOut:
    """Answer a direct request, once, as your own provider: ``origin`` names your customer
    (and closes the traceback); ``upstream`` names the provider you received the call from;
    ``not_found`` or ``refused`` say why in ``note``."""
    zone = settings.business_zone
    _, traceback_id = access.signer_request(db, principal, zone, request_id)
    lock_traceback(db, traceback_id)
    request, _ = access.signer_request(db, principal, zone, request_id)  # as of the lock
    if request.answer is not None:
        raise HTTPException(409, ANSWERED)
    if not request.open:
        raise HTTPException(409, CLOSED)
    assert principal.provider_key is not None
    try:
        service.answer_signer(
            db, traceback_id, principal.provider_key, reply_of(body), principal.actor, clock
        )
    except (TracebackClosed, NotYourHop):
        raise HTTPException(409, ANSWERED) from None
    except WorkflowError as exc:
        raise HTTPException(422, str(exc)) from None
    updated, _ = access.signer_request(db, principal, zone, request_id)
    return _out(updated)
