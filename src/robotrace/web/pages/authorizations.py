"""Block authorizations in the portal: the regulator authorizes blocking from a letter decided
noncompliant (scope: the whole provider, or named originator numbers), one authorization's
page with its public notice, and lifting it.

A refused authorization shows the letter again with the reason and the fields as typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from robotrace.clock import Clock, parse_utc
from robotrace.enforcement import service
from robotrace.enforcement.authorizations import ACTIVE, Scope
from robotrace.enforcement.errors import EnforcementError
from robotrace.store import models
from robotrace.store.models import UserRole
from robotrace.web import access
from robotrace.web.deps import REQUEST_DB, current_principal, get_clock, writer
from robotrace.web.pages.common import form_text, in_savepoint
from robotrace.web.pages.letters import REGULATOR, letter_page, refusal_status, refused
from robotrace.web.principal import Principal
from robotrace.web.templating import render

router = APIRouter(include_in_schema=False)  # pages; the OpenAPI describes /api/v1
LETTER_SCOPES = (Scope.PROVIDER, Scope.NUMBERS)  # what a noncompliant letter leads to


@dataclass(frozen=True)
class AuthorizationForm:
    """The fields as typed, kept to fill the form again after an error."""

    scope: str = Scope.PROVIDER.value
    numbers: str = ""
    effective_at: str = ""
    reason: str = ""


def request_of(form: AuthorizationForm, key: str) -> service.AuthorizationRequest:
    """The service's request from the form, or ValueError with what is wrong."""
    try:
        scope = Scope(form.scope)
    except ValueError:
        raise ValueError("choose a scope: the whole provider or named numbers") from None
    if scope not in LETTER_SCOPES:
        raise ValueError(f"scope {scope.value} does not follow a letter")
    return service.AuthorizationRequest(
        key=key,
        scope=scope,
        numbers=[n.strip() for n in re.split(r"[\n,;]+", form.numbers) if n.strip()],
        effective_at=parse_utc(form.effective_at) if form.effective_at.strip() else None,
        reason=form_text(form.reason, 2000),
    )


@router.post("/letters/{letter_id}/authorize")
def authorize(
    request: Request,
    letter_id: int,
    scope: str = Form(Scope.PROVIDER.value),
    numbers: str = Form(""),
    effective_at: str = Form(""),
    reason: str = Form(""),
    principal: Principal = Depends(writer(*REGULATOR)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    letter = access.letter_row(db, principal, letter_id)
    typed = AuthorizationForm(scope, numbers, effective_at, reason)
    provider = db.get(models.Provider, letter.provider_id)
    assert provider is not None
    try:
        wanted = request_of(typed, provider.key)
        auth = in_savepoint(
            db,
            lambda: service.issue_authorization(
                db, wanted, principal.actor, clock, principal.user_id
            ),
        )
    except (EnforcementError, ValueError) as exc:
        status, error = refusal_status(exc), refused("Blocking not authorized", exc)
        return letter_page(request, principal, db, clock, letter, status, error=error, auth=typed)
    return RedirectResponse(f"/authorizations/{auth.id}", 303)


def _page(
    request: Request,
    principal: Principal,
    db: Session,
    auth: models.EnforcementAction,
    status_code: int = 200,
    error: str | None = None,
) -> Response:
    return render(
        request,
        "authorization.html",
        principal,
        status_code,
        auth=auth,
        reference=service.notice_reference(auth.id),
        letter_reference=service.letter_reference(auth.letter_id) if auth.letter_id else None,
        provider=db.get(models.Provider, auth.provider_id),
        can_lift=principal.role is UserRole.REGULATOR and auth.status == ACTIVE,
        error=error,
    )


@router.get("/authorizations/{authorization_id}")
def authorization_detail(
    request: Request,
    authorization_id: int,
    principal: Principal = Depends(current_principal),
    db: Session = REQUEST_DB,
) -> Response:
    return _page(request, principal, db, access.authorization_row(db, principal, authorization_id))


@router.post("/authorizations/{authorization_id}/lift")
def lift(
    request: Request,
    authorization_id: int,
    principal: Principal = Depends(writer(*REGULATOR)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    auth = access.authorization_row(db, principal, authorization_id)
    try:
        in_savepoint(db, lambda: service.lift_authorization(db, auth.id, principal.actor, clock))
    except EnforcementError as exc:
        return _page(request, principal, db, auth, refusal_status(exc), refused("Not lifted", exc))
    return RedirectResponse(f"/authorizations/{auth.id}", 303)
