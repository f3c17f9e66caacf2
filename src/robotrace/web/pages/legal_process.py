"""The legal process log in the portal (robotrace.legalprocess; docs/portal.md, "Legal
process log").

``/legal-process`` lists the subpoenas, civil investigative demands and other process
agencies issued to providers, for readers of all; regulators and admins record one there,
and correct or withdraw it at ``/legal-process/{id}``. Provider users get 403.
"""

from __future__ import annotations

from dataclasses import asdict
from functools import partial
from typing import Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from robotrace.calendar import for_people
from robotrace.clock import Clock
from robotrace.legalprocess import log
from robotrace.store import models
from robotrace.store.models import UserRole
from robotrace.web import access
from robotrace.web.api.schemas import RowId
from robotrace.web.deps import REQUEST_DB, get_clock, require_roles, writer
from robotrace.web.pages.common import READERS, in_savepoint
from robotrace.web.principal import Principal
from robotrace.web.templating import render

router = APIRouter(include_in_schema=False)
WRITERS = (UserRole.ADMIN, UserRole.REGULATOR)


def _context(request: Request, db: Session, principal: Principal) -> dict[str, Any]:
    """What every page of the log shows: the kinds, times in the display zone, and for
    writers the form's suggestions (the agencies named so far, the registry's providers)."""
    writes = principal.role in WRITERS
    return {
        "kinds": log.KINDS,
        "when": partial(for_people, zone=request.app.state.settings.display_zone),
        "writes": writes,
        "agencies": log.agencies(db) if writes else [],
        "directory": access.provider_rows(db, principal) if writes else [],
    }


def _list_page(
    request: Request,
    principal: Principal,
    db: Session,
    status_code: int = 200,
    **said: Any,
) -> Response:
    return render(
        request,
        "legal_process.html",
        principal,
        status_code,
        entries=log.entries(db),
        **_context(request, db, principal),
        **said,
    )


def _entry_page(
    request: Request,
    principal: Principal,
    db: Session,
    entry_id: int,
    status_code: int = 200,
    **said: Any,
) -> Response:
    row, provider = log.with_provider(db, _row(db, entry_id))
    return render(
        request,
        "legal_process_entry.html",
        principal,
        status_code,
        entry=row,
        provider=provider,
        form=said.pop("form", None) or _form_of(row, provider),
        **_context(request, db, principal),
        **said,
    )


def _row(db: Session, entry_id: int) -> models.LegalProcess:
    try:
        return log.entry_row(db, entry_id)
    except LookupError:
        raise HTTPException(404, "not found") from None


def _form_of(row: models.LegalProcess, provider: models.Provider) -> dict[str, str]:
    return {
        "issued_on": row.issued_on.isoformat(),
        "agency": row.agency,
        "kind": row.kind,
        "provider": provider.key,
        "reference": row.reference,
        "note": row.note,
        "tracebacks": ", ".join(row.traceback_ids),
        "campaigns": ", ".join(row.campaign_ids),
    }


def entry_form(
    issued_on: str = Form("", max_length=20),
    agency: str = Form("", max_length=400),
    kind: str = Form("", max_length=20),
    provider: str = Form("", max_length=200),
    reference: str = Form("", max_length=400),
    note: str = Form("", max_length=4000),
    tracebacks: str = Form("", max_length=4000),
    campaigns: str = Form("", max_length=4000),
) -> log.Entry:
    """The entry as the form gives it: recording and editing read the same fields."""
    return log.Entry(issued_on, agency, kind, provider, reference, note, tracebacks, campaigns)


@router.get("/legal-process")
def legal_process(
    request: Request,
    recorded: int = 0,
    principal: Principal = Depends(require_roles(*READERS)),
    db: Session = REQUEST_DB,
) -> Response:
    said = f"Recorded entry {recorded}." if recorded else ""
    return _list_page(request, principal, db, message=said, form={})


@router.post("/legal-process")
def record_legal_process(
    request: Request,
    entry: log.Entry = Depends(entry_form),
    principal: Principal = Depends(writer(*WRITERS)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    form = asdict(entry)
    try:
        row = in_savepoint(db, lambda: log.record(db, entry, principal.actor, clock.now()))
    except log.LegalProcessError as exc:
        return _list_page(
            request, principal, db, 422, form=form, form_error=f"Not recorded: {exc}."
        )
    return RedirectResponse(f"/legal-process?recorded={row.id}#entry-{row.id}", 303)


@router.get("/legal-process/{entry_id}")
def legal_process_entry(
    request: Request,
    entry_id: RowId,
    saved: str = "",
    principal: Principal = Depends(require_roles(*READERS)),
    db: Session = REQUEST_DB,
) -> Response:
    said = {"edited": "Saved.", "withdrawn": "Withdrawn."}.get(saved, "")
    return _entry_page(request, principal, db, entry_id, message=said)


@router.post("/legal-process/{entry_id}")
def edit_legal_process(
    request: Request,
    entry_id: RowId,
    entry: log.Entry = Depends(entry_form),
    principal: Principal = Depends(writer(*WRITERS)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    row = _row(db, entry_id)
    form = asdict(entry)
    try:
        in_savepoint(db, lambda: log.edit(db, row, entry, principal.actor, clock.now()))
    except log.LegalProcessError as exc:
        return _entry_page(
            request, principal, db, entry_id, 422, form=form, form_error=f"Not saved: {exc}."
        )
    return RedirectResponse(f"/legal-process/{entry_id}?saved=edited", 303)


@router.post("/legal-process/{entry_id}/withdraw")
def withdraw_legal_process(
    request: Request,
    entry_id: RowId,
    reason: str = Form("", max_length=4000),
    principal: Principal = Depends(writer(*WRITERS)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    row = _row(db, entry_id)
    try:
        in_savepoint(db, lambda: log.withdraw(db, row, reason, principal.actor, clock.now()))
    except log.LegalProcessError as exc:
        return _entry_page(
            request, principal, db, entry_id, 422, withdraw_error=f"Not withdrawn: {exc}."
        )
    return RedirectResponse(f"/legal-process/{entry_id}?saved=withdrawn", 303)
