"""The mandatory ladder of 47 CFR 64.1200(n) — notifications, initial and final determination
orders — and blocking under a permissive (K4) authorization with its notice to the FCC.

Regulators issue and decide; a notified provider responds to its own notifications and
orders; a downstream provider records that it blocks under an authorization (docs/enforcement.md).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from robotrace.clock import Clock
from robotrace.enforcement import blocked_calls, k4, mandatory, records, service
from robotrace.enforcement.evidence import EvidenceRow
from robotrace.enforcement.letters import html_to_pdf
from robotrace.settings import Settings
from robotrace.store import models
from robotrace.store.models import UserRole
from robotrace.web import access
from robotrace.web.api.enforcement import PDF, pdf_response, refusals
from robotrace.web.api.errors import responses
from robotrace.web.api.schemas import DecisionIn, EvidenceRowOut, LetterIn, RowId
from robotrace.web.deps import REQUEST_DB, current_principal, get_clock, get_settings, writer
from robotrace.web.principal import Principal

router = APIRouter(tags=["enforcement"])
REGULATOR = UserRole.REGULATOR
PROVIDER = UserRole.PROVIDER

OrderKind = Literal["notification", "initial_determination", "final_determination"]


class ResponseIn(BaseModel):
    response: Literal["blocked", "not_carrier", "order_response"] = Field(
        description="to a notification: blocked or not_carrier; to an initial order: order_response"
    )
    text: str = Field(default="", max_length=20_000)
    upstreams: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="not_carrier: the provider(s) the traffic came from (key, OCN, RMD, FRN)",
    )


class ResponseOut(BaseModel):
    id: int
    order_id: int
    kind: str
    text: str
    upstreams: list[str]
    filed_at: datetime
    late: bool


class InitialOrderIn(BaseModel):
    respond_days: float | None = Field(
        default=None, ge=14, le=365, description="default: the setting (at least 14)"
    )


class FinalOrderIn(BaseModel):
    reason: str = Field(default="", max_length=5000)
    block_days: float | None = Field(
        default=None, ge=0, le=365, description="days until blocking is required (default 30)"
    )


class WithdrawIn(BaseModel):
    reason: str = Field(min_length=1, max_length=5000)


class OrderOut(BaseModel):
    id: int
    reference: str
    kind: OrderKind
    provider_key: str
    provider_name: str
    status: str = Field(
        description="issued, responded, referred, complied, noncompliant, no_response, "
        "final, withdrawn (notifications and initial orders); in_force, lifted (final orders)"
    )
    follows: str | None = Field(description="the step this one follows")
    issued_at: datetime
    respond_by: datetime | None
    effective_at: datetime | None = Field(description="final order: blocking required from")
    downstream: list[str] = Field(description="final order: the providers that must block")
    named_campaigns: list[str]
    named_originators: list[str]
    named_findings: list[str]
    evidence: list[EvidenceRowOut]
    proposal: str | None
    proposal_text: str | None
    decided_at: datetime | None
    decision: str | None
    after_deadline: list[EvidenceRowOut]
    reasons: dict[str, str]
    responses: list[ResponseOut]
    next_steps: list[str] = Field(description="the references of the steps that followed")
    pdf: str


class BlockingIn(BaseModel):
    since: datetime = Field(description="when blocking began (or begins)")
    basis: str = Field(
        default="", max_length=5000, description="default: the Commission's notice and decision"
    )
    calls_blocked: int = Field(default=0, ge=0, le=k4.MAX_CALLS_REPORTED)


class BlockingOut(BaseModel):
    id: int
    authorization: str
    blocking_provider: str
    since: datetime
    declared_at: datetime
    late_notice: bool = Field(description="declared after blocking began")
    calls_blocked: int = Field(description="calls declared blocked by hand (added up)")
    calls_reported: int = Field(
        description="calls its blockers reported blocked under the authorization "
        "(POST /api/v1/blocking-counts)"
    )
    basis: str
    notice: str = Field(description="where the notice to the FCC (PDF) is")


def _response_out(report: models.MitigationReport) -> ResponseOut:
    return ResponseOut(
        id=report.id,
        order_id=report.action_id,
        kind=report.kind,
        text=report.text,
        upstreams=list(report.upstreams),
        filed_at=report.filed_at,
        late=report.late,
    )


def order_out(db: Session, order: models.EnforcementAction) -> OrderOut:
    provider = db.get(models.Provider, order.provider_id)
    assert provider is not None
    follows = db.get(models.EnforcementAction, order.follows_id) if order.follows_id else None
    after = [EvidenceRow.from_json(r) for r in order.evidence.get("after_deadline", [])]
    following = mandatory.chain_of(db, order)[1:]
    return OrderOut(
        id=order.id,
        reference=service.reference_of(order),
        kind=order.kind.value,
        provider_key=provider.key,
        provider_name=provider.business_name,
        status=order.status,
        follows=service.reference_of(follows) if follows else None,
        issued_at=order.issued_at,
        respond_by=order.respond_by,
        effective_at=order.effective_at if order.kind == records.FINAL_ORDER_KIND else None,
        downstream=list(order.downstream),
        named_campaigns=list(order.named_campaigns),
        named_originators=list(order.named_originators),
        named_findings=list(order.named_findings),
        evidence=[EvidenceRowOut.of(r) for r in service.letter_rows(order)],
        proposal=order.proposal,
        proposal_text=order.proposal_text,
        decided_at=order.decided_at,
        decision=order.decision,
        after_deadline=[EvidenceRowOut.of(r) for r in after],
        reasons=order.evidence.get("reasons", {}),
        responses=[_response_out(r) for r in service.mitigation_reports(db, order.id)],
        next_steps=[service.reference_of(a) for a in following if a.follows_id == order.id],
        pdf=f"/api/v1/orders/{order.id}.pdf",
    )


def blocking_out(db: Session, notice: models.BlockingNotice) -> BlockingOut:
    auth = db.get(models.EnforcementAction, notice.authorization_id)
    blocker = db.get(models.Provider, notice.provider_id)
    assert auth is not None and blocker is not None
    return BlockingOut(
        id=notice.id,
        authorization=service.reference_of(auth),
        blocking_provider=blocker.key,
        since=notice.since,
        declared_at=notice.declared_at,
        late_notice=k4.late(notice),
        calls_blocked=notice.calls_blocked,
        calls_reported=blocked_calls.calls_under(db, notice.authorization_id, notice.provider_id),
        basis=notice.basis,
        notice=f"/api/v1/blocking-notices/{notice.id}.pdf",
    )


# --- Notifications and orders -------------------------------------------------------------


@router.post(
    "/notifications", status_code=201, response_model=OrderOut, responses=responses(403, 422)
)
def issue_notification(
    body: LetterIn,
    response: Response,
    principal: Principal = Depends(writer(REGULATOR)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
    settings: Settings = Depends(get_settings),
) -> OrderOut:
    """Issue a Notification of Suspected Illegal Traffic naming campaigns, originators and/or
    findings; the provider must respond by ``respond_by``."""
    with refusals():
        order = mandatory.issue_notification(
            db,
            body.provider,
            body.campaigns,
            body.originators,
            principal.actor,
            clock,
            settings,
            principal.user_id,
            findings=body.findings,
        )
    response.headers["Location"] = f"/api/v1/orders/{order.id}"
    return order_out(db, order)


@router.get("/orders", response_model=list[OrderOut], responses=responses())
def list_orders(
    principal: Principal = Depends(current_principal),
    db: Session = REQUEST_DB,
) -> list[OrderOut]:
    """Notifications and determination orders, newest first: all for readers of all, a
    provider's own for it."""
    rows = access.enforcement_actions(db, principal, access.ORDER_KINDS)
    return [order_out(db, row) for row in rows]


# Before /orders/{order_id}, which would otherwise take "7.pdf" for an id.
@router.get("/orders/{order_id}.pdf", response_class=Response, responses={**PDF, **responses(404)})
def order_pdf(
    order_id: RowId,
    principal: Principal = Depends(current_principal),
    db: Session = REQUEST_DB,
) -> Response:
    """The notification or order as issued, as a PDF."""
    order = access.order_row(db, principal, order_id)
    return pdf_response(html_to_pdf(order.document or ""), f"{service.reference_of(order)}.pdf")


@router.get("/orders/{order_id}", response_model=OrderOut, responses=responses(404))
def get_order(
    order_id: RowId,
    principal: Principal = Depends(current_principal),
    db: Session = REQUEST_DB,
) -> OrderOut:
    """One notification or order with its evidence, responses, proposal and decision."""
    return order_out(db, access.order_row(db, principal, order_id))


@router.post(
    "/orders/{order_id}/response",
    status_code=201,
    response_model=ResponseOut,
    responses=responses(403, 404, 409, 422),
)
def respond(
    order_id: RowId,
    body: ResponseIn,
    principal: Principal = Depends(writer(PROVIDER)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
    settings: Settings = Depends(get_settings),
) -> ResponseOut:
    """The notified provider responds: to a notification ``blocked`` (with its report) or
    ``not_carrier`` (naming its upstreams, who are notified in turn); to an initial order
    ``order_response``."""
    order = access.order_row(db, principal, order_id)
    with refusals():
        if order.kind == records.NOTIFICATION and body.response != "order_response":
            report = mandatory.respond_to_notification(
                db,
                order.id,
                body.response,
                body.text,
                body.upstreams,
                principal.actor,
                clock,
                settings,
                principal.user_id,
            )
        elif order.kind == records.INITIAL_ORDER and body.response == "order_response":
            report = mandatory.respond_to_order(
                db, order.id, body.text, principal.actor, clock, principal.user_id
            )
        else:
            raise HTTPException(422, f"a {order.kind.value} takes no {body.response} response")
    db.flush()
    return _response_out(report)


@router.post(
    "/orders/{order_id}/decide", response_model=OrderOut, responses=responses(403, 404, 409, 422)
)
def decide(
    order_id: RowId,
    body: DecisionIn | None = None,
    principal: Principal = Depends(writer(REGULATOR)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
    settings: Settings = Depends(get_settings),
) -> OrderOut:
    """Decide a notification past ``respond_by``: complied, noncompliant or no_response
    (default: the worker's proposal, made again now; another needs a reason)."""
    order = access.order_row(db, principal, order_id)
    body = body or DecisionIn()
    with refusals():
        if order.kind != records.NOTIFICATION:
            raise LookupError(order_id)
        zone = settings.display_zone
        order = service.decide(db, order.id, principal.actor, clock, zone, body.status, body.reason)
    return order_out(db, order)


@router.post(
    "/orders/{order_id}/initial-order",
    status_code=201,
    response_model=OrderOut,
    responses=responses(403, 404, 409, 422),
)
def issue_initial_order(
    order_id: RowId,
    body: InitialOrderIn | None = None,
    principal: Principal = Depends(writer(REGULATOR)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
    settings: Settings = Depends(get_settings),
) -> OrderOut:
    """An Initial Determination Order on a notification decided noncompliant or no_response."""
    order = access.order_row(db, principal, order_id)
    body = body or InitialOrderIn()
    with refusals():
        initial = mandatory.issue_initial_order(
            db, order.id, principal.actor, clock, settings, principal.user_id, body.respond_days
        )
    return order_out(db, initial)


@router.post(
    "/orders/{order_id}/final-order",
    status_code=201,
    response_model=OrderOut,
    responses=responses(403, 404, 409, 422),
)
def issue_final_order(
    order_id: RowId,
    body: FinalOrderIn | None = None,
    principal: Principal = Depends(writer(REGULATOR)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
    settings: Settings = Depends(get_settings),
) -> OrderOut:
    """A Final Determination Order on an initial order whose response window has passed; the
    block list gets a mandatory entry from ``effective_at``."""
    order = access.order_row(db, principal, order_id)
    body = body or FinalOrderIn()
    with refusals():
        final = mandatory.issue_final_order(
            db,
            order.id,
            principal.actor,
            clock,
            settings,
            principal.user_id,
            body.reason,
            body.block_days,
        )
    return order_out(db, final)


@router.post(
    "/orders/{order_id}/withdraw", response_model=OrderOut, responses=responses(403, 404, 409, 422)
)
def withdraw(
    order_id: RowId,
    body: WithdrawIn,
    principal: Principal = Depends(writer(REGULATOR)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> OrderOut:
    """Close a notification or initial order without going further."""
    order = access.order_row(db, principal, order_id)
    with refusals():
        order = mandatory.withdraw(db, order.id, body.reason, principal.actor, clock)
    return order_out(db, order)


@router.post("/orders/{order_id}/lift", response_model=OrderOut, responses=responses(403, 404, 409))
def lift(
    order_id: RowId,
    principal: Principal = Depends(writer(REGULATOR)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
    settings: Settings = Depends(get_settings),
) -> OrderOut:
    """Lift a final order in force; the block list drops its entry (a new version)."""
    order = access.order_row(db, principal, order_id)
    with refusals():
        if order.kind != records.FINAL_ORDER_KIND:
            raise LookupError(order_id)
        order = service.lift_authorization(db, order.id, principal.actor, clock, settings)
    return order_out(db, order)


# --- Blocking under a K4 authorization ----------------------------------------------------


@router.post(
    "/authorizations/{authorization_id}/blocking",
    status_code=201,
    response_model=BlockingOut,
    responses=responses(403, 404, 409, 422),
)
def declare_blocking(
    authorization_id: RowId,
    body: BlockingIn,
    principal: Principal = Depends(writer(PROVIDER)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
    settings: Settings = Depends(get_settings),
) -> BlockingOut:
    """Your provider blocks under this authorization since ``since`` (again: the calls are
    added); robotrace writes the notice to the FCC that 47 CFR 64.1200(k)(4) asks for."""
    blocker = db.get(models.Provider, access.own_provider_id(principal))
    assert blocker is not None
    with refusals():
        notice = k4.declare_blocking(
            db,
            authorization_id,
            blocker.key,
            body.since,
            principal.actor,
            clock,
            settings.display_zone,
            principal.user_id,
            body.basis,
            body.calls_blocked,
        )
    return blocking_out(db, notice)


@router.get(
    "/authorizations/{authorization_id}/blocking",
    response_model=list[BlockingOut],
    responses=responses(404),
)
def list_blocking(
    authorization_id: RowId,
    principal: Principal = Depends(current_principal),
    db: Session = REQUEST_DB,
) -> list[BlockingOut]:
    """Who blocks under the authorization: every provider for readers of all, a provider
    user its own declaration only."""
    access.blockable_authorization_row(db, principal, authorization_id)
    own = None if principal.role in access.READ_ALL else access.own_provider_id(principal)
    found = k4.notices(db, authorization_id=authorization_id, provider_id=own)
    return [blocking_out(db, n) for n in found]


@router.get(
    "/blocking-notices/{notice_id}.pdf",
    response_class=Response,
    responses={**PDF, **responses(404)},
)
def blocking_notice_pdf(
    notice_id: RowId,
    principal: Principal = Depends(current_principal),
    db: Session = REQUEST_DB,
) -> Response:
    """A blocking provider's notice to the FCC, as a PDF (its own provider or readers of all)."""
    notice = db.get(models.BlockingNotice, notice_id)
    own = None if principal.role in access.READ_ALL else access.own_provider_id(principal)
    if notice is None or (own is not None and notice.provider_id != own):
        raise HTTPException(404, access.NOT_FOUND)
    return pdf_response(html_to_pdf(notice.document), f"blocking-notice-{notice.id}.pdf")
