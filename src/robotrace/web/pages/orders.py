"""The mandatory ladder of 47 CFR 64.1200(n) in the portal: Notifications of Suspected Illegal
Traffic and Initial and Final Determination Orders. The list (a provider's own; every step for
readers of all) and one step: its document, clock, evidence, the provider's responses beside
the worker's proposal, the decision, the chain of steps, and the forms its state allows —

- the notified provider: *we block it* (with its report), or *we are not the originating or
  gateway provider*, naming its upstream(s), who are notified in turn; its response to an
  initial order;
- a regulator: decide a notification past ``respond_by`` (the proposal, or another status
  with a reason), issue the initial order on one decided noncompliant or no_response, the
  final order once the initial order's window has passed, withdraw, lift a final order.

Steps are reached only through :func:`robotrace.web.access.order_row`: another provider's
answers 404 like a missing id, and a provider sees only its own steps of a chain. A refused
step shows the page again with the reason next to its form (422 a wrong request, 409 a step
the state does not allow); nothing of it stays (:func:`in_savepoint`). The rules are
:mod:`robotrace.enforcement.mandatory`'s.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from robotrace.clock import Clock
from robotrace.enforcement import mandatory, records, service
from robotrace.enforcement.errors import EnforcementError
from robotrace.store import models
from robotrace.store.models import UserRole
from robotrace.web import access
from robotrace.web.api.schemas import RowId
from robotrace.web.deps import REQUEST_DB, current_principal, get_clock, get_settings, writer
from robotrace.web.pages import steps
from robotrace.web.pages.common import PROVIDER, READERS, form_text, in_savepoint
from robotrace.web.pages.letters import (
    REASON_LIMIT,
    REGULATOR,
    REPORT_LIMIT,
    after_deadline,
    decision_context,
    providers_of,
    refusal_status,
    refused,
)
from robotrace.web.principal import Principal
from robotrace.web.templating import render

router = APIRouter(include_in_schema=False)  # pages; the OpenAPI describes /api/v1
T = TypeVar("T")
#: Most upstreams one response may name (as the API's ResponseIn).
UPSTREAM_LIMIT = 20
#: A notification or initial order no longer open to a step.
CLOSED = (mandatory.WITHDRAWN, mandatory.FINAL, mandatory.REFERRED)
WITHDRAWABLE = (records.NOTIFICATION, records.INITIAL_ORDER)


@dataclass(frozen=True)
class Refusal:
    """Why a form's step was refused, shown next to that form (``form``: its name)."""

    form: str
    text: str


# --- What a person may do with a step ------------------------------------------------------


@dataclass(frozen=True)
class Forms:
    """Which forms the step's page shows; the ``*_waits`` ones say when the step becomes
    possible instead of offering a button that would be refused."""

    respond: bool = False
    name_upstreams: bool = False
    answer_order: bool = False
    decide: bool = False
    decide_waits: bool = False
    initial: bool = False
    final: bool = False
    final_waits: bool = False
    withdraw: bool = False
    lift: bool = False


def forms_for(
    order: models.EnforcementAction,
    role: UserRole,
    now: datetime,
    followed: steps.Followed,
) -> Forms:
    """The forms ``role`` may use on ``order`` at ``now`` (the service checks again)."""
    kind, status = order.kind, order.status
    if role is UserRole.PROVIDER:
        notified = kind == records.NOTIFICATION and not order.decided_at
        return Forms(
            respond=notified and status in steps.WAITING,
            name_upstreams=notified and status == steps.ISSUED,
            answer_order=kind == records.INITIAL_ORDER and status in steps.WAITING,
        )
    if role is not UserRole.REGULATOR:
        return Forms()
    moved_on = (order.id, records.INITIAL_ORDER) in followed
    decidable = kind == records.NOTIFICATION and status not in CLOSED and not moved_on
    past = steps.past_deadline(order, now)
    open_order = kind == records.INITIAL_ORDER and status in steps.WAITING
    return Forms(
        decide=decidable and past,
        decide_waits=decidable and not past,
        initial=steps.needs_initial_order(order, followed),
        final=open_order and past,
        final_waits=open_order and not past,
        withdraw=kind in WITHDRAWABLE and status not in CLOSED and not moved_on,
        lift=kind == records.FINAL_ORDER_KIND and status == records.IN_FORCE,
    )


# --- The chain of steps ---------------------------------------------------------------------


def first_step(db: Session, order: models.EnforcementAction) -> models.EnforcementAction:
    """The notification the step's chain began with (following ``follows_id`` up)."""
    seen = {order.id}
    while order.follows_id is not None and order.follows_id not in seen:
        earlier = db.get(models.EnforcementAction, order.follows_id)
        if earlier is None:
            break
        seen.add(earlier.id)
        order = earlier
    return order


def visible_chain(
    db: Session, principal: Principal, order: models.EnforcementAction
) -> list[models.EnforcementAction]:
    """Every step of the order's chain for readers of all; a provider's own steps only (an
    upstream's notification, and what became of it, is the upstream's)."""
    chain = mandatory.chain_of(db, first_step(db, order))
    if principal.role in READERS:
        return chain
    return [step for step in chain if step.provider_id == principal.provider_id]


# --- Pages ------------------------------------------------------------------------------------


def order_page(
    request: Request,
    principal: Principal,
    db: Session,
    clock: Clock,
    order: models.EnforcementAction,
    status_code: int = 200,
    refusal: Refusal | None = None,
    **typed: Any,
) -> Response:
    """One step's page (also shown again, with ``refusal`` next to its form, after a refused
    write)."""
    now = clock.now()
    chain = visible_chain(db, principal, order)
    visible = {step.id for step in chain}
    follows = db.get(models.EnforcementAction, order.follows_id) if order.follows_id else None
    regulator = principal.role is UserRole.REGULATOR
    return render(
        request,
        "order.html",
        principal,
        status_code,
        order=order,
        reference=service.reference_of(order),
        title=mandatory.title_of(order),
        provider=db.get(models.Provider, order.provider_id),
        rows=service.letter_rows(order),
        after=after_deadline(order),
        responses=service.mitigation_reports(db, order.id),
        chain=chain,
        providers=providers_of(db, chain),
        follows=follows,
        follows_visible=follows is not None and follows.id in visible,
        forms=forms_for(order, principal.role, now, steps.followed_by(chain)),
        reader=principal.role in READERS,
        refusal=refusal,
        typed=typed,
        **{**decision_context(order, now, regulator), **steps.template_helpers()},
    )


@router.get("/orders")
def order_list(
    request: Request,
    principal: Principal = Depends(current_principal),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    """A provider's own notifications and orders; every one for readers of all."""
    orders = access.enforcement_actions(db, principal, access.ORDER_KINDS)
    return render(
        request,
        "orders.html",
        principal,
        orders=steps.by_urgency(orders, clock.now()),
        providers=providers_of(db, orders),
        followed=steps.followed_by(orders),
        **steps.template_helpers(),
    )


@router.get("/orders/{order_id}")
def order_detail(
    request: Request,
    order_id: RowId,
    principal: Principal = Depends(current_principal),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    return order_page(request, principal, db, clock, access.order_row(db, principal, order_id))


# --- Writes -----------------------------------------------------------------------------------


def _attempt(
    request: Request,
    principal: Principal,
    db: Session,
    clock: Clock,
    order: models.EnforcementAction,
    form: str,
    step: Callable[[], T],
    **typed: Any,
) -> T | Response:
    """Run ``step`` in a savepoint; on a refusal, the page again with the reason by ``form``."""
    try:
        return in_savepoint(db, step)
    except (EnforcementError, ValueError) as exc:
        text = refused(_REFUSED[form], exc)
        code = refusal_status(exc)
        return order_page(request, principal, db, clock, order, code, Refusal(form, text), **typed)


_REFUSED = {
    "respond": "Not sent",
    "decide": "Not decided",
    "initial": "No initial order issued",
    "final": "No final order issued",
    "withdraw": "Not withdrawn",
    "lift": "Not lifted",
}


def _of_kind(order: models.EnforcementAction, *kinds: models.EnforcementKind) -> None:
    """Refuse (409) a step the order's kind does not take."""
    if order.kind not in kinds:
        what = mandatory.title_of(order)
        raise EnforcementError(f"{service.reference_of(order)} is a {what}; it takes no such step")


def upstreams_of(text: str) -> list[str]:
    """The provider identifiers typed, separated by commas, semicolons or spaces."""
    found = [part for part in re.split(r"[\s,;]+", text) if part]
    if len(found) > UPSTREAM_LIMIT:
        raise ValueError(f"name at most {UPSTREAM_LIMIT} upstream providers")
    return found


def days_of(text: str, what: str) -> float | None:
    """A number of days typed in a form (empty: the setting's default)."""
    if not text.strip():
        return None
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{what} is a number of days, not {text.strip()[:20]!r}") from None


def _back(order: models.EnforcementAction) -> RedirectResponse:
    return RedirectResponse(f"/orders/{order.id}", 303)


@router.post("/orders/{order_id}/response")
def respond(
    request: Request,
    order_id: RowId,
    response: str = Form(""),
    text: str = Form(""),
    upstreams: str = Form(""),
    principal: Principal = Depends(writer(*PROVIDER)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    """The notified provider's response: to a notification ``blocked`` (with its report) or
    ``not_carrier`` (naming its upstreams); to an initial order ``order_response``."""
    order = access.order_row(db, principal, order_id)

    def step() -> models.MitigationReport:
        body = form_text(text, REPORT_LIMIT)
        if order.kind == records.INITIAL_ORDER:
            return mandatory.respond_to_order(
                db, order.id, body, principal.actor, clock, principal.user_id
            )
        _of_kind(order, records.NOTIFICATION)
        named = upstreams_of(upstreams) if response == mandatory.NOT_CARRIER else []
        settings = get_settings(request)
        return mandatory.respond_to_notification(
            db, order.id, response, body, named, principal.actor, clock, settings, principal.user_id
        )

    typed = {"response": response, "text": text, "upstreams": upstreams}
    done = _attempt(request, principal, db, clock, order, "respond", step, **typed)
    return done if isinstance(done, Response) else _back(order)


@router.post("/orders/{order_id}/decide")
def decide(
    request: Request,
    order_id: RowId,
    status: str = Form(""),
    reason: str = Form(""),
    principal: Principal = Depends(writer(*REGULATOR)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    """Decide a notification past ``respond_by``: ``status`` empty is the proposal; another
    needs a ``reason``."""
    order = access.order_row(db, principal, order_id)

    def step() -> models.EnforcementAction:
        _of_kind(order, records.NOTIFICATION)
        why = form_text(reason, REASON_LIMIT)
        zone = get_settings(request).display_zone
        return service.decide(
            db, order.id, principal.actor, clock, zone, status.strip() or None, why
        )

    typed = {"chosen_status": status, "typed_reason": reason}
    done = _attempt(request, principal, db, clock, order, "decide", step, **typed)
    return done if isinstance(done, Response) else _back(order)


@router.post("/orders/{order_id}/initial-order")
def issue_initial_order(
    request: Request,
    order_id: RowId,
    respond_days: str = Form(""),
    principal: Principal = Depends(writer(*REGULATOR)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    """An Initial Determination Order on a notification decided noncompliant or no_response;
    its page opens."""
    order = access.order_row(db, principal, order_id)

    def step() -> models.EnforcementAction:
        _of_kind(order, records.NOTIFICATION)
        days = days_of(respond_days, "the time to respond")
        settings = get_settings(request)
        return mandatory.issue_initial_order(
            db, order.id, principal.actor, clock, settings, principal.user_id, days
        )

    typed = {"respond_days": respond_days}
    done = _attempt(request, principal, db, clock, order, "initial", step, **typed)
    return done if isinstance(done, Response) else _back(done)


@router.post("/orders/{order_id}/final-order")
def issue_final_order(
    request: Request,
    order_id: RowId,
    reason: str = Form(""),
    block_days: str = Form(""),
    principal: Principal = Depends(writer(*REGULATOR)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    """A Final Determination Order once the initial order's window has passed; its page
    opens, and the block list gets the mandatory entry from its effective time."""
    order = access.order_row(db, principal, order_id)

    def step() -> models.EnforcementAction:
        _of_kind(order, records.INITIAL_ORDER)
        why = form_text(reason, REASON_LIMIT)
        days = days_of(block_days, "the time until blocking")
        settings = get_settings(request)
        return mandatory.issue_final_order(
            db, order.id, principal.actor, clock, settings, principal.user_id, why, days
        )

    typed = {"final_reason": reason, "block_days": block_days}
    done = _attempt(request, principal, db, clock, order, "final", step, **typed)
    return done if isinstance(done, Response) else _back(done)


@router.post("/orders/{order_id}/withdraw")
def withdraw(
    request: Request,
    order_id: RowId,
    reason: str = Form(""),
    principal: Principal = Depends(writer(*REGULATOR)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    """Close a notification or initial order without going further (a reason is required)."""
    order = access.order_row(db, principal, order_id)

    def step() -> models.EnforcementAction:
        _of_kind(order, *WITHDRAWABLE)
        why = form_text(reason, REASON_LIMIT)
        return mandatory.withdraw(db, order.id, why, principal.actor, clock)

    done = _attempt(request, principal, db, clock, order, "withdraw", step, withdraw_reason=reason)
    return done if isinstance(done, Response) else _back(order)


@router.post("/orders/{order_id}/lift")
def lift(
    request: Request,
    order_id: RowId,
    principal: Principal = Depends(writer(*REGULATOR)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    """Lift a final order in force; its entry leaves the block list (a new version)."""
    order = access.order_row(db, principal, order_id)

    def step() -> models.EnforcementAction:
        _of_kind(order, records.FINAL_ORDER_KIND)
        settings = get_settings(request)
        return service.lift_authorization(db, order.id, principal.actor, clock, settings)

    done = _attempt(request, principal, db, clock, order, "lift", step)
    return done if isinstance(done, Response) else _back(order)
