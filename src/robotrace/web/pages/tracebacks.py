"""Tracebacks for the people who read them all: the list, one traceback's chain, timeline and
audit trail, and the coordinator's write: marking an overdue hop ``no_response``.

Opening a traceback is in :mod:`robotrace.web.pages.opening`; its routes are included first,
so that ``/tracebacks/new`` is not taken for a traceback id.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from robotrace.clock import Clock
from robotrace.store import models
from robotrace.store.audit import list_audit
from robotrace.store.providers import provider_directory
from robotrace.store.tracebacks import load_traceback
from robotrace.traceback import service
from robotrace.traceback.findings import late_answer_held, loop_caused_by, roles_of, signer_on_path
from robotrace.traceback.model import Answer, Hop, HopRole, ProviderInfo, Status, Traceback
from robotrace.traceback.workflow import Reply, WorkflowError
from robotrace.web import access
from robotrace.web.deps import REQUEST_DB, current_principal, get_clock, require_roles, writer
from robotrace.web.pages import opening
from robotrace.web.pages.common import READERS, STAFF, in_savepoint
from robotrace.web.principal import Principal
from robotrace.web.templating import render

router = APIRouter(include_in_schema=False)  # pages; the OpenAPI describes /api/v1
router.include_router(opening.router)
LIST_LIMIT = 200


@dataclass(frozen=True)
class ChainLink:
    """One provider in the drawn chain: who, in what roles, and what it answered."""

    position: int
    key: str
    name: str
    country: str
    foreign: bool
    roles: tuple[str, ...]
    answer: str | None
    answered_at: datetime | None
    requested_at: datetime | None
    due_at: datetime | None
    customer: str | None
    note: str
    late: bool
    asked: bool


def traceback_rows(db: Session, status: str) -> list[tuple[models.Traceback, str, int]]:
    """The newest tracebacks (all, or only ``open``/``closed``), terminating OCN, hop count."""
    terminating = aliased(models.Provider)
    hops = (
        select(func.count(models.Hop.id))
        .where(models.Hop.traceback_id == models.Traceback.id)
        .scalar_subquery()
    )
    query = select(models.Traceback, terminating.key, hops).join(
        terminating, terminating.id == models.Traceback.terminating_provider_id
    )
    if status in (Status.OPEN, Status.CLOSED):
        query = query.where(models.Traceback.status == Status(status))
    query = query.order_by(models.Traceback.opened_at.desc(), models.Traceback.id.desc())
    return [(tb, key, int(n)) for tb, key, n in db.execute(query.limit(LIST_LIMIT)).all()]


def chain_of(tb: Traceback, directory: dict[str, ProviderInfo]) -> list[ChainLink]:
    """The chain as drawn: every provider asked, plus a foreign upstream named but not asked."""
    hops = {hop.position: hop for hop in tb.hops}
    return [_link(role, hops.get(role.position), directory) for role in roles_of(tb, directory)]


def _link(role: HopRole, hop: Hop | None, directory: dict[str, ProviderInfo]) -> ChainLink:
    info = directory.get(role.provider) or ProviderInfo(role.provider)
    return ChainLink(
        position=role.position,
        key=role.provider,
        name=info.name,
        country=info.country,
        foreign=info.foreign,
        roles=tuple(r.value for r in role.roles),
        answer=hop.answer.value if hop and hop.answer else None,
        answered_at=hop.answered_at if hop else None,
        requested_at=hop.requested_at if hop else None,
        due_at=hop.due_at if hop else None,
        customer=hop.customer if hop else None,
        note=hop.note if hop else "",
        late=hop.late if hop else False,
        asked=hop is not None,
    )


def timeline_of(tb: Traceback) -> list[tuple[datetime, str]]:
    """What happened when, in words, from the traceback itself (the audit log has who)."""
    entries = [(tb.opened_at, f"Opened at terminating provider {tb.terminating_provider}")]
    for hop in tb.hops:
        entries.append((hop.requested_at, f"Hop {hop.position}: asked {hop.provider}"))
        if hop.answer is Answer.NO_RESPONSE:
            entries.append((hop.due_at, f"Hop {hop.position}: {hop.provider} did not answer"))
        elif hop.answer is not None and hop.answered_at is not None:
            late = " (late)" if hop.late else ""
            entries.append((hop.answered_at, f"Hop {hop.position}: {_said(hop)}{late}"))
    entries += _signer_entries(tb)
    if tb.closed_at is not None and tb.outcome is not None:
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
) -> Response:
    row = access.traceback_row(db, principal, traceback_id)
    tb = load_traceback(db, row.id)
    directory = provider_directory(db)
    return render(
        request,
        "traceback.html",
        principal,
        status_code,
        tb=tb,
        call_id=row.call_id,
        call=db.get(models.Call, row.call_id) if row.call_id is not None else None,
        signer_on_path=signer_on_path(tb),
        loop_caused_by=loop_caused_by(tb),
        late_answer_held=late_answer_held(tb),
        can_ask_signer=can_ask_signer(principal, tb),
        can_record_signer=can_record_signer_answer(principal, tb),
        chain=chain_of(tb, directory),
        timeline=timeline_of(tb),
        audit=list_audit(db, tb.id),
        can_mark=can_mark_no_response(principal, tb, clock.now()),
        error=error,
    )


@router.get("/tracebacks")
def traceback_list(
    request: Request,
    status: str = "",
    principal: Principal = Depends(require_roles(*READERS)),
    db: Session = REQUEST_DB,
) -> Response:
    return render(
        request,
        "tracebacks.html",
        principal,
        rows=traceback_rows(db, status),
        status=status,
        limit=LIST_LIMIT,
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
) -> Response:
    """The signer shortcut: a direct request, with the call's origid, to the A/B signer."""
    row = access.traceback_row(db, principal, traceback_id)
    step = partial(service.request_signer, db, row.id, principal.actor, clock)
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
