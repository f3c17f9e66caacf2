"""Block authorizations in the portal: the regulator authorizes blocking from a letter decided
noncompliant (scope: the whole provider, or named originator numbers), one authorization's
page with its public notice and who blocks under it, and lifting it; the list of
authorizations in force; and a downstream provider's declaration that it blocks under one,
which writes its notice to the FCC (47 CFR 64.1200(k)(4)).

Every provider user may read an *active* authorization of another provider — its public
notice's content, as the block list publishes it — and declare blocking under it; it sees
only its own declarations (docs/portal.md). A refused authorization shows the letter again
with the reason and the fields as typed; a refused declaration, the authorization's page.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from robotrace.clock import Clock, as_utc, parse_utc
from robotrace.enforcement import blocked_calls, k4, service
from robotrace.enforcement.authorizations import ACTIVE, Scope
from robotrace.enforcement.errors import EnforcementError
from robotrace.store import models
from robotrace.store.models import UserRole
from robotrace.web import access
from robotrace.web.api.schemas import RowId
from robotrace.web.deps import REQUEST_DB, current_principal, get_clock, get_settings, writer
from robotrace.web.pages import steps
from robotrace.web.pages.common import PROVIDER, READERS, form_text, in_savepoint
from robotrace.web.pages.letters import (
    REGULATOR,
    letter_page,
    providers_of,
    refusal_status,
    refused,
)
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
    letter_id: RowId,
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
    settings = get_settings(request)
    try:
        wanted = request_of(typed, provider.key)
        auth = in_savepoint(
            db,
            lambda: service.issue_authorization(
                db, wanted, principal.actor, clock, settings, principal.user_id
            ),
        )
    except (EnforcementError, ValueError) as exc:
        status, error = refusal_status(exc), refused("Blocking not authorized", exc)
        return letter_page(request, principal, db, clock, letter, status, error=error, auth=typed)
    return RedirectResponse(f"/authorizations/{auth.id}", 303)


@dataclass(frozen=True)
class BlockingForm:
    """A declaration of blocking as typed, kept to fill the form again after an error."""

    since: str = ""
    calls_blocked: str = "0"
    basis: str = ""


def calls_of(text: str) -> int:
    """A count of calls typed in a form (empty: 0)."""
    text = text.strip()
    if not text:
        return 0
    if not (text.isascii() and text.isdigit()) or len(text) > 13:
        raise ValueError(f"calls blocked is a count of calls, not {text[:20]!r}")
    return int(text)


def notices_for(
    db: Session, principal: Principal, auth: models.EnforcementAction
) -> list[models.BlockingNotice]:
    """Who blocks under ``auth``: every provider for readers of all, the provider user's own
    declaration otherwise."""
    own = None if principal.role in READERS else access.own_provider_id(principal)
    return k4.notices(db, authorization_id=auth.id, provider_id=own)


def letter_reference_of(db: Session, auth: models.EnforcementAction) -> str | None:
    """The reference of the letter the authorization follows, if it follows one."""
    letter = db.get(models.EnforcementAction, auth.letter_id) if auth.letter_id else None
    return service.reference_of(letter) if letter is not None else None


def _page(
    request: Request,
    principal: Principal,
    db: Session,
    clock: Clock,
    auth: models.EnforcementAction,
    status_code: int = 200,
    error: str | None = None,
    **context: Any,
) -> Response:
    provider_user = principal.role is UserRole.PROVIDER
    own = auth.provider_id == principal.provider_id
    notices = notices_for(db, principal, auth)
    blockers = {n.provider_id: db.get(models.Provider, n.provider_id) for n in notices}
    own_only = None if principal.role in READERS else access.own_provider_id(principal)
    return render(
        request,
        "authorization.html",
        principal,
        status_code,
        auth=auth,
        reference=service.reference_of(auth),
        letter_reference=letter_reference_of(db, auth),
        provider=db.get(models.Provider, auth.provider_id),
        public_view=provider_user and not own,
        clock=steps.clock_of(auth, clock.now()),
        notices=notices,
        blockers=blockers,
        reported=blocked_calls.totals(db, auth.id, own_only),
        late=k4.late,
        can_lift=principal.role is UserRole.REGULATOR and auth.status == ACTIVE,
        can_declare=provider_user and not own and auth.status == ACTIVE,
        now_input=as_utc(clock.now()).strftime("%Y-%m-%dT%H:%M:%SZ"),
        error=error,
        **context,
    )


@router.get("/authorizations")
def authorization_list(
    request: Request,
    principal: Principal = Depends(current_principal),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    """The authorizations in force (public), a provider's own lifted ones, and for a
    provider user the final orders that make it block."""
    kind = models.EnforcementKind.BLOCK_AUTHORIZATION
    mine = access.enforcement_actions(db, principal, kind)
    in_force = access.authorizations_in_force(db)
    lifted = [a for a in mine if a.status != ACTIVE]
    provider_user = principal.role is UserRole.PROVIDER
    own_notices = k4.notices(db, provider_id=principal.provider_id) if provider_user else []
    binding = access.orders_binding(db, principal) if provider_user else []
    return render(
        request,
        "authorizations.html",
        principal,
        in_force=in_force,
        lifted=lifted,
        providers=providers_of(db, [*in_force, *lifted, *binding]),
        blocking=Counter(n.authorization_id for n in k4.notices(db)) if not provider_user else {},
        own_notices={n.authorization_id: n for n in own_notices},
        binding=binding,
        **steps.template_helpers(),
    )


@router.get("/authorizations/{authorization_id}")
def authorization_detail(
    request: Request,
    authorization_id: RowId,
    principal: Principal = Depends(current_principal),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    auth = access.blockable_authorization_row(db, principal, authorization_id)
    return _page(request, principal, db, clock, auth)


@router.post("/authorizations/{authorization_id}/blocking")
def declare_blocking(
    request: Request,
    authorization_id: RowId,
    since: str = Form(""),
    calls_blocked: str = Form("0"),
    basis: str = Form(""),
    principal: Principal = Depends(writer(*PROVIDER)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    """The provider user's provider blocks under the authorization since ``since`` (UTC);
    robotrace writes its notice to the FCC. Declaring again adds the calls."""
    auth = access.blockable_authorization_row(db, principal, authorization_id)
    typed = BlockingForm(since, calls_blocked, basis)
    key = principal.provider_key or ""
    zone = get_settings(request).display_zone
    try:
        when = parse_utc(since)
        calls, text = calls_of(calls_blocked), form_text(basis, 5000)
        in_savepoint(
            db,
            lambda: k4.declare_blocking(
                db, auth.id, key, when, principal.actor, clock, zone, principal.user_id, text, calls
            ),
        )
    except (EnforcementError, ValueError) as exc:
        error = refused("Blocking not recorded", exc)
        shown: dict[str, Any] = {"blocking": typed, "blocking_error": error}
        status = refusal_status(exc)
        return _page(request, principal, db, clock, auth, status, **shown)
    return RedirectResponse(f"/authorizations/{auth.id}", 303)


@router.post("/authorizations/{authorization_id}/lift")
def lift(
    request: Request,
    authorization_id: RowId,
    principal: Principal = Depends(writer(*REGULATOR)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    auth = access.authorization_row(db, principal, authorization_id)
    settings = get_settings(request)
    try:
        in_savepoint(
            db, lambda: service.lift_authorization(db, auth.id, principal.actor, clock, settings)
        )
    except EnforcementError as exc:
        status, error = refusal_status(exc), refused("Not lifted", exc)
        return _page(request, principal, db, clock, auth, status, error)
    return RedirectResponse(f"/authorizations/{auth.id}", 303)
