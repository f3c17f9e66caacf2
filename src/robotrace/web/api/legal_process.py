"""The legal process log over the API (robotrace.legalprocess; docs/api.md).

Readers of all (admins, coordinators, regulators) list and read the subpoenas and civil
investigative demands issued to providers; regulators and admins record, correct and
withdraw them. Provider users get 403: the log names providers under investigation.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from robotrace.clock import Clock
from robotrace.legalprocess import log
from robotrace.store.models import LegalProcess, UserRole
from robotrace.web.api.errors import responses
from robotrace.web.api.schemas import RowId
from robotrace.web.deps import REQUEST_DB, get_clock, require_roles, writer
from robotrace.web.principal import Principal

router = APIRouter(tags=["legal process"])
READERS = (UserRole.ADMIN, UserRole.COORDINATOR, UserRole.REGULATOR)
WRITERS = (UserRole.ADMIN, UserRole.REGULATOR)
Kind = Literal["subpoena", "cid", "other"]
Id = Field(max_length=64)


class LegalProcessIn(BaseModel):
    issued_on: str = Field(
        pattern=r"^\d{4}-\d{2}-\d{2}$", description="the day it was issued, YYYY-MM-DD"
    )
    agency: str = Field(min_length=1, max_length=200, description="who issued it (FCC EB, FTC …)")
    kind: Kind = Field(description="subpoena, cid (civil investigative demand) or other")
    provider: str = Field(
        min_length=1, max_length=200, description="to whom: its key, OCN, RMD number or FRN"
    )
    reference: str = Field("", max_length=200, description="the agency's own reference")
    note: str = Field("", max_length=2000)
    tracebacks: list[str] = Field([], max_length=50, description="traceback ids it concerns")
    campaigns: list[str] = Field([], max_length=50, description="campaign ids it concerns")


class WithdrawIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000, description="why the entry is withdrawn")


class ProviderRef(BaseModel):
    key: str
    name: str


class LegalProcessOut(BaseModel):
    """One entry of the log; ``status`` ``withdrawn`` entries count nowhere."""

    id: int
    issued_on: str
    agency: str
    kind: Kind
    provider: ProviderRef
    reference: str
    note: str
    tracebacks: list[str]
    campaigns: list[str]
    status: Literal["issued", "withdrawn"]
    withdrawn_reason: str | None
    recorded_by: str
    recorded_at: str
    updated_at: str


def _entry(body: LegalProcessIn) -> log.Entry:
    return log.Entry(
        issued_on=body.issued_on,
        agency=body.agency,
        kind=body.kind,
        provider=body.provider,
        reference=body.reference,
        note=body.note,
        tracebacks=",".join(body.tracebacks),
        campaigns=",".join(body.campaigns),
    )


def _row(db: Session, entry_id: int) -> LegalProcess:
    try:
        return log.entry_row(db, entry_id)
    except LookupError:
        raise HTTPException(404, "not found") from None


def _out(db: Session, entry_id: int) -> LegalProcessOut:
    return LegalProcessOut.model_validate(log.as_json(*log.with_provider(db, _row(db, entry_id))))


@router.get("/legal-process", response_model=list[LegalProcessOut], responses=responses(403))
def list_legal_process(
    principal: Principal = Depends(require_roles(*READERS)),
    db: Session = REQUEST_DB,
) -> list[LegalProcessOut]:
    """Every entry, withdrawn ones included: the latest issued first."""
    return [LegalProcessOut.model_validate(log.as_json(*pair)) for pair in log.entries(db)]


@router.post(
    "/legal-process",
    status_code=201,
    response_model=LegalProcessOut,
    responses=responses(403, 422),
)
def record_legal_process(
    body: LegalProcessIn,
    principal: Principal = Depends(writer(*WRITERS)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> LegalProcessOut:
    """Record a subpoena, civil investigative demand or other process issued to a provider
    (422 for an unknown provider, traceback or campaign, or a day after today)."""
    try:
        row = log.record(db, _entry(body), principal.actor, clock.now())
    except log.LegalProcessError as exc:
        raise HTTPException(422, str(exc)) from None
    return _out(db, row.id)


@router.get(
    "/legal-process/{entry_id}", response_model=LegalProcessOut, responses=responses(403, 404)
)
def get_legal_process(
    entry_id: RowId,
    principal: Principal = Depends(require_roles(*READERS)),
    db: Session = REQUEST_DB,
) -> LegalProcessOut:
    """One entry."""
    return _out(db, entry_id)


@router.post(
    "/legal-process/{entry_id}",
    response_model=LegalProcessOut,
    responses=responses(403, 404, 409, 422),
)
def edit_legal_process(
    entry_id: RowId,
    body: LegalProcessIn,
    principal: Principal = Depends(writer(*WRITERS)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> LegalProcessOut:
    """Correct an entry: the body replaces every field (the audit log keeps what changed).
    409 once it is withdrawn."""
    row = _row(db, entry_id)
    if row.status == log.WITHDRAWN:
        raise HTTPException(409, "this entry was withdrawn; record a new one")
    try:
        log.edit(db, row, _entry(body), principal.actor, clock.now())
    except log.LegalProcessError as exc:
        raise HTTPException(422, str(exc)) from None
    return _out(db, entry_id)


@router.post(
    "/legal-process/{entry_id}/withdraw",
    response_model=LegalProcessOut,
    responses=responses(403, 404, 409, 422),
)
def withdraw_legal_process(
    entry_id: RowId,
    body: WithdrawIn,
    principal: Principal = Depends(writer(*WRITERS)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> LegalProcessOut:
    """Withdraw an entry (recorded by mistake, or the agency withdrew it), saying why: it
    stays in the log and counts nowhere. 409 when it was withdrawn already."""
    row = _row(db, entry_id)
    if row.status == log.WITHDRAWN:
        raise HTTPException(409, "this entry was withdrawn already")
    try:
        log.withdraw(db, row, body.reason, principal.actor, clock.now())
    except log.LegalProcessError as exc:
        raise HTTPException(422, str(exc)) from None
    return _out(db, entry_id)
