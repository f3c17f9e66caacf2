"""Tracebacks for the people who read them all: the list, one traceback's chain, timeline and
audit trail, and the coordinator's write: marking an overdue hop ``no_response``.

Opening a traceback is in :mod:`robotrace.web.pages.opening`; its routes are included first,
so that ``/tracebacks/new`` is not taken for a traceback id.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from robotrace.clock import Clock
from robotrace.settings import Settings
from robotrace.store import models
from robotrace.store.audit import list_audit
from robotrace.traceback import lists, service
from robotrace.traceback.findings import late_answer_held, loop_caused_by, roles_of, signer_on_path
from robotrace.traceback.model import (
    Answer,
    Hop,
    HopAnswer,
    HopRole,
    Outcome,
    ProviderCard,
    ProviderInfo,
    Status,
    Traceback,
    read_values,
)
from robotrace.traceback.store import load_traceback, provider_directory
from robotrace.traceback.workflow import Reply, WorkflowError, withdrawn_reason
from robotrace.web import access
from robotrace.web.deps import (
    REQUEST_DB,
    current_principal,
    get_clock,
    get_settings,
    require_roles,
    writer,
)
from robotrace.web.pages import opening, traceback_list
from robotrace.web.pages.common import READERS, STAFF, in_savepoint
from robotrace.web.principal import Principal
from robotrace.web.templating import render

router = APIRouter(include_in_schema=False)  # pages; the OpenAPI describes /api/v1
router.include_router(opening.router)


@dataclass(frozen=True, kw_only=True)
class ChainLink(HopAnswer, ProviderCard):
    """One provider in the drawn chain: who (:class:`~robotrace.traceback.model.ProviderCard`),
    in what roles, and what it answered (:class:`~robotrace.traceback.model.HopAnswer`;
    nothing for a provider not asked)."""

    position: int
    roles: tuple[str, ...]
    requested_at: datetime | None
    due_at: datetime | None
    asked: bool


def chain_of(tb: Traceback, directory: dict[str, ProviderInfo]) -> list[ChainLink]:
    """The chain as drawn: every provider asked, plus a foreign upstream named but not asked."""
    hops = {hop.position: hop for hop in tb.hops}
    return [_link(role, hops.get(role.position), directory) for role in roles_of(tb, directory)]


def _link(role: HopRole, hop: Hop | None, directory: dict[str, ProviderInfo]) -> ChainLink:
    info = directory.get(role.provider) or ProviderInfo(role.provider)
    return ChainLink(
        position=role.position,
        **read_values(ProviderCard, replace(info, key=role.provider)),
        roles=tuple(r.value for r in role.roles),
        requested_at=hop.requested_at if hop else None,
        due_at=hop.due_at if hop else None,
        asked=hop is not None,
        **(read_values(HopAnswer, hop) if hop else {}),
    )


def timeline_of(tb: Traceback, reason: str | None = None) -> list[tuple[datetime, str]]:
    """What happened when, in words, from the traceback itself (the audit log has who);
    ``reason``: why it was withdrawn, if it was."""
    entries = [(tb.opened_at, f"Opened at terminating provider {tb.terminating_provider}")]
    for hop in tb.hops:
        entries.append((hop.requested_at, f"Hop {hop.position}: asked {hop.provider}"))
        if hop.answer is Answer.NO_RESPONSE:
            entries.append((hop.due_at, f"Hop {hop.position}: {hop.provider} did not answer"))
        elif hop.answer is not None and hop.answered_at is not None:
            late = " (late)" if hop.late else ""
            entries.append((hop.answered_at, f"Hop {hop.position}: {_said(hop)}{late}"))
    entries += _signer_entries(tb)
    if tb.closed_at is not None and tb.outcome is Outcome.WITHDRAWN:
        entries.append((tb.closed_at, f"Withdrawn, open requests cancelled: {reason or ''}"))
    elif tb.closed_at is not None and tb.outcome is not None:
        entries.append((tb.closed_at, f"Closed: {tb.outcome.value}"))
    return sorted(entries, key=lambda entry: entry[0])


def _signer_entries(tb: Traceback) -> list[tuple[datetime, str]]:
    """The signer shortcut's request and answer, beside the hop chain."""
    signer = tb.signer
    if signer is None or signer.requested_at is None:
        return []
    entries = [(signer.requested_at, f"Signer {signer.provider} asked directly")]
    if signer.answer is not None and signer.answered_at is not None:
        said = f"its customer {signer.customer}" if signer.customer else signer.answer.value
        entries.append((signer.answered_at, f"Signer {signer.provider} answered: {said}"))
    return entries


def can_ask_signer(principal: Principal, tb: Traceback) -> bool:
    signer = tb.signer
    return (
        principal.is_staff
        and tb.status is Status.OPEN
        and signer is not None
        and signer.names_origin
        and signer.requested_at is None
    )


def _said(hop: Hop) -> str:
    if hop.answer is Answer.UPSTREAM:
        return f"{hop.provider} named upstream {hop.upstream}"
    if hop.answer is Answer.ORIGIN:
        return f"{hop.provider} named its customer {hop.customer}"
    return f"{hop.provider} answered {hop.answer}"


def shaken_line(call: models.Call | None) -> str | None:
    """The call's STIR/SHAKEN verification in one sentence for people (None: no header, or
    not verified yet)."""
    if call is None or not call.identity or call.verified_at is None:
        return None
    signer = f"signed by the provider with OCN {call.shaken_spc}" if call.shaken_spc else ""
    if call.shaken_valid:
        attest = f"attestation {call.shaken_attest}" if call.shaken_attest else "no attestation"
        return f"Caller ID signature: valid ({', '.join(p for p in (attest, signer) if p)})"
    why = call.shaken_reason or "no reason recorded"
    code = f" (code {call.shaken_code})" if call.shaken_code else ""
    return f"Caller ID signature: not valid{code}: {why}"


def can_mark_no_response(principal: Principal, tb: Traceback, now: datetime) -> bool:
    hop = tb.current_hop
    return principal.is_staff and tb.status is Status.OPEN and hop is not None and hop.overdue(now)


def can_record_signer_answer(principal: Principal, tb: Traceback) -> bool:
    signer = tb.signer
    return (
        principal.is_staff
        and signer is not None
        and signer.requested_at is not None
        and signer.answer is None
    )


SIGNER_ANSWERS = (Answer.ORIGIN, Answer.NOT_FOUND, Answer.REFUSED)


def _detail(
    request: Request,
    principal: Principal,
    db: Session,
    clock: Clock,
    traceback_id: str,
    status_code: int = 200,
    error: str | None = None,
    withdrawing: str | None = None,
    withdraw_error: str | None = None,
) -> Response:
    row = access.traceback_row(db, principal, traceback_id)
    tb = load_traceback(db, row.id)
    directory = provider_directory(db)
    audit = list_audit(db, tb.id)
    call = db.get(models.Call, row.call_id) if row.call_id is not None else None
    return render(
        request,
        "traceback.html",
        principal,
        status_code,
        tb=tb,
        call_id=row.call_id,
        call=call,
        shaken=shaken_line(call),
        campaign_known=tb.campaign is not None and db.get(models.Campaign, tb.campaign) is not None,
        signer_on_path=signer_on_path(tb),
        loop_caused_by=loop_caused_by(tb),
        late_answer_held=late_answer_held(tb),
        can_ask_signer=can_ask_signer(principal, tb),
        can_record_signer=can_record_signer_answer(principal, tb),
        chain=chain_of(tb, directory),
        timeline=timeline_of(tb, withdrawn_reason(audit)),
        audit=audit,
        can_mark=can_mark_no_response(principal, tb, clock.now()),
        can_withdraw=principal.is_staff and tb.status is Status.OPEN,
        withdrawing=withdrawing,
        withdrawn_reason=withdrawn_reason(audit),
        withdraw_error=withdraw_error,
        error=error,
    )


@router.get("/tracebacks")
def traceback_list_page(
    request: Request,
    filters: lists.ListFilters = Depends(traceback_list.list_filters),
    principal: Principal = Depends(require_roles(*READERS)),
    db: Session = REQUEST_DB,
) -> Response:
    rows, total = lists.listed_tracebacks(db, filters)
    pages = max(1, -(-total // lists.PAGE_SIZE))
    return render(
        request,
        "tracebacks.html",
        principal,
        rows=rows,
        total=total,
        pages=pages,
        filters=filters,
        statuses=[s.value for s in Status],
        outcomes=[o.value for o in Outcome],
        campaigns=lists.campaign_choices(db),
    )


@router.get("/tracebacks/{traceback_id}")
def traceback_detail(
    request: Request,
    traceback_id: str,
    principal: Principal = Depends(current_principal),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    """Anyone signed in may ask; :func:`access.traceback_row` answers 404 to providers."""
    return _detail(request, principal, db, clock, traceback_id)


@router.post("/tracebacks/{traceback_id}/no-response")
def mark_no_response(
    request: Request,
    traceback_id: str,
    principal: Principal = Depends(writer(*STAFF)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    row = access.traceback_row(db, principal, traceback_id)
    step = partial(service.mark_no_response, db, row.id, principal.actor, clock)
    return _step(request, principal, db, clock, row.id, step, "Not marked")


@router.post("/tracebacks/{traceback_id}/ask-signer")
def ask_signer(
    request: Request,
    traceback_id: str,
    principal: Principal = Depends(writer(*STAFF)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
    settings: Settings = Depends(get_settings),
) -> Response:
    """The signer shortcut: a direct request, with the call's origid, to the A/B signer."""
    row = access.traceback_row(db, principal, traceback_id)
    step = partial(service.request_signer, db, row.id, principal.actor, clock, settings)
    return _step(request, principal, db, clock, row.id, step, "Not asked")


@router.post("/tracebacks/{traceback_id}/signer-answer")
def record_signer_answer(
    request: Request,
    traceback_id: str,
    answer: str = Form(""),
    customer: str = Form(""),
    note: str = Form(""),
    principal: Principal = Depends(writer(*STAFF)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    """The signer's answer to its direct request, as it reached the coordinator (e-mail,
    phone): ``origin`` with its customer closes the traceback."""
    row = access.traceback_row(db, principal, traceback_id)
    if answer not in {a.value for a in SIGNER_ANSWERS}:
        return _detail(request, principal, db, clock, row.id, 422, "Not recorded: no answer.")
    tb = load_traceback(db, row.id)
    signer = tb.signer.provider if tb.signer else ""
    reply = Reply(Answer(answer), customer=customer.strip() or None, note=note.strip())
    step = partial(service.answer_signer, db, row.id, signer, reply, principal.actor, clock)
    return _step(request, principal, db, clock, row.id, step, "Not recorded")


@router.post("/tracebacks/{traceback_id}/withdraw")
def withdraw(
    request: Request,
    traceback_id: str,
    reason: str = Form(""),
    confirmed: str = Form(""),
    principal: Principal = Depends(writer(*STAFF)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    """Withdraw a traceback opened by mistake, in two steps: the reason, then (``confirmed``)
    the confirmation that shows what it cancels; nothing changes before the second."""
    row = access.traceback_row(db, principal, traceback_id)
    if not reason.strip():
        error = "Not withdrawn: say why the traceback is withdrawn."
        return _detail(request, principal, db, clock, row.id, 422, withdraw_error=error)
    if confirmed != "yes":
        return _detail(request, principal, db, clock, row.id, withdrawing=reason.strip())
    step = partial(service.withdraw_traceback, db, row.id, reason, principal.actor, clock)
    return _step(request, principal, db, clock, row.id, step, "Not withdrawn")


def _step(
    request: Request,
    principal: Principal,
    db: Session,
    clock: Clock,
    traceback_id: str,
    step: Callable[[], object],
    refused: str,
) -> Response:
    """Run one workflow step in a savepoint: back to the traceback, or 409 saying why not."""
    try:
        in_savepoint(db, step)
    except WorkflowError as exc:
        return _detail(request, principal, db, clock, traceback_id, 409, f"{refused}: {exc}.")
    return RedirectResponse(f"/tracebacks/{traceback_id}", 303)
