"""Enforcement: evidence and candidates, warning letters, mitigation reports, decisions and
block authorizations. Regulators write; coordinators and admins read; a provider reads its
own letters and authorizations and files its mitigation reports (docs/enforcement.md)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from robotrace.clock import Clock
from robotrace.enforcement import service
from robotrace.enforcement.authorizations import Scope
from robotrace.enforcement.errors import EnforcementError, InvalidRequest
from robotrace.enforcement.evidence import EvidenceRow
from robotrace.settings import Settings
from robotrace.store import models
from robotrace.store.models import EnforcementKind, UserRole
from robotrace.web import access
from robotrace.web.api.errors import Responses, responses
from robotrace.web.api.schemas import (
    PROVIDER_FIELD,
    DecisionIn,
    EvidenceRowOut,
    LetterIn,
    RowId,
)
from robotrace.web.deps import (
    REQUEST_DB,
    current_principal,
    get_clock,
    get_settings,
    require_roles,
    writer,
)
from robotrace.web.principal import Principal

router = APIRouter(tags=["enforcement"])
REGULATOR = UserRole.REGULATOR
PROVIDER = UserRole.PROVIDER


@contextmanager
def refusals() -> Iterator[None]:
    """A bad request is 422, a step the state does not allow 409, an unknown id 404."""
    try:
        yield
    except InvalidRequest as exc:
        raise HTTPException(422, str(exc)) from None
    except EnforcementError as exc:
        raise HTTPException(409, str(exc)) from None
    except LookupError:
        raise HTTPException(404, access.NOT_FOUND) from None


# --- Schemas ---------------------------------------------------------------------------


class ProviderEvidenceOut(BaseModel):
    key: str
    name: str
    since: datetime
    until: datetime
    tracebacks: int
    rows: list[EvidenceRowOut]


class CandidateOut(BaseModel):
    key: str
    name: str
    tracebacks: int
    by_role: dict[str, int]
    by_campaign: dict[str, int]


class MitigationReportIn(BaseModel):
    text: str = Field(min_length=1, max_length=20_000)


class MitigationReportOut(BaseModel):
    id: int
    letter_id: int
    text: str
    filed_at: datetime
    late: bool = Field(description="filed after the letter's report_by")


class LetterOut(BaseModel):
    id: int
    reference: str
    provider_key: str
    provider_name: str
    status: Literal["issued", "complied", "noncompliant"]
    issued_at: datetime
    mitigate_by: datetime
    report_by: datetime
    named_campaigns: list[str]
    named_originators: list[str]
    named_findings: list[str]
    evidence: list[EvidenceRowOut]
    proposal: str | None = Field(description="the worker's proposal, for a regulator to decide")
    proposal_text: str | None
    proposed_at: datetime | None
    decided_at: datetime | None
    decision: str | None
    after_deadline: list[EvidenceRowOut] = Field(description="the proposal's evidence")
    reasons: dict[str, str] = Field(
        description="per traceback id: identified traffic, substantially similar (and why), "
        "or a refusal or silence again"
    )
    mitigation_reports: list[MitigationReportOut]
    pdf: str = Field(description="where the letter's PDF is")


class AuthorizationIn(BaseModel):
    provider: str = PROVIDER_FIELD
    scope: Scope = Scope.PROVIDER
    numbers: list[str] = Field(default_factory=list, description="scope numbers: E.164 numbers")
    effective_at: datetime | None = Field(default=None, description="default: now")
    reason: str = Field(default="", max_length=2000)


class AuthorizationOut(BaseModel):
    id: int
    reference: str
    provider_key: str
    provider_name: str
    status: Literal["active", "lifted"]
    scope: Scope
    numbers: list[str]
    issued_at: datetime
    effective_at: datetime
    reason: str
    letter_id: int | None
    lifted_at: datetime | None
    lifted_by: str | None
    notice: str = Field(description="where the public notice (PDF) is")


# --- Views -----------------------------------------------------------------------------


def _provider(db: Session, provider_id: int) -> models.Provider:
    row = db.get(models.Provider, provider_id)
    assert row is not None
    return row


def _report_out(report: models.MitigationReport) -> MitigationReportOut:
    return MitigationReportOut(
        id=report.id,
        letter_id=report.action_id,
        text=report.text,
        filed_at=report.filed_at,
        late=report.late,
    )


def letter_out(db: Session, letter: models.EnforcementAction) -> LetterOut:
    provider = _provider(db, letter.provider_id)
    after = [EvidenceRow.from_json(r) for r in letter.evidence.get("after_deadline", [])]
    return LetterOut(
        id=letter.id,
        reference=service.reference_of(letter),
        provider_key=provider.key,
        provider_name=provider.business_name,
        status=letter.status,
        issued_at=letter.issued_at,
        mitigate_by=letter.mitigate_by,
        report_by=letter.report_by,
        named_campaigns=letter.named_campaigns,
        named_originators=letter.named_originators,
        named_findings=letter.named_findings,
        evidence=[EvidenceRowOut.of(r) for r in service.letter_rows(letter)],
        proposal=letter.proposal,
        proposal_text=letter.proposal_text,
        proposed_at=letter.proposed_at,
        decided_at=letter.decided_at,
        decision=letter.decision,
        after_deadline=[EvidenceRowOut.of(r) for r in after],
        reasons=letter.evidence.get("reasons", {}),
        mitigation_reports=[_report_out(r) for r in service.mitigation_reports(db, letter.id)],
        pdf=f"/api/v1/letters/{letter.id}.pdf",
    )


def authorization_out(db: Session, auth: models.EnforcementAction) -> AuthorizationOut:
    provider = _provider(db, auth.provider_id)
    return AuthorizationOut(
        id=auth.id,
        reference=service.reference_of(auth),
        provider_key=provider.key,
        provider_name=provider.business_name,
        status=auth.status,
        scope=Scope(auth.scope or Scope.PROVIDER),
        numbers=auth.numbers,
        issued_at=auth.issued_at,
        effective_at=auth.effective_at or auth.issued_at,
        reason=auth.reason,
        letter_id=auth.letter_id,
        lifted_at=auth.lifted_at,
        lifted_by=auth.lifted_by,
        notice=f"/api/v1/blocklist/notices/{auth.id}.pdf",
    )


def pdf_response(content: bytes, filename: str) -> Response:
    disposition = f'inline; filename="{filename}"'
    return Response(
        content, media_type="application/pdf", headers={"Content-Disposition": disposition}
    )


PDF: Responses = {200: {"content": {"application/pdf": {}}, "description": "the PDF"}}

# --- Evidence --------------------------------------------------------------------------

WINDOW = Query(None, gt=0, le=3660, description="days back from now (default: the setting)")


def _days(window_days: float | None, settings: Settings) -> float:
    """The request's window, else the ``evidence_window_days`` setting."""
    return settings.evidence_window_days if window_days is None else window_days


@router.get("/enforcement/candidates", response_model=list[CandidateOut], responses=responses(403))
def list_candidates(
    window_days: float | None = WINDOW,
    principal: Principal = Depends(require_roles(*access.READ_ALL)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
    settings: Settings = Depends(get_settings),
) -> list[CandidateOut]:
    """Providers ranked for a warning letter: most tracebacks in the window first."""
    found = service.letter_candidates(db, clock, _days(window_days, settings))
    return [CandidateOut.model_validate(c, from_attributes=True) for c in found]


@router.get(
    "/enforcement/evidence/{key}",
    response_model=ProviderEvidenceOut,
    responses=responses(403, 404),
)
def provider_evidence(
    key: str,
    window_days: float | None = WINDOW,
    principal: Principal = Depends(require_roles(*access.READ_ALL)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
    settings: Settings = Depends(get_settings),
) -> ProviderEvidenceOut:
    """The tracebacks in the window in which the provider originated or let in a call, or
    would not say where it came from."""
    provider = access.provider_row(db, principal, key)
    days = _days(window_days, settings)
    rows = service.evidence_for_provider(db, provider.key, clock, days)
    now = clock.now()
    return ProviderEvidenceOut(
        key=provider.key,
        name=provider.business_name,
        since=service.window_start(now, days),
        until=now,
        tracebacks=len(rows),
        rows=[EvidenceRowOut.of(r) for r in rows],
    )


# --- Letters ---------------------------------------------------------------------------


@router.post("/letters", status_code=201, response_model=LetterOut, responses=responses(403, 422))
def issue_letter(
    body: LetterIn,
    response: Response,
    principal: Principal = Depends(writer(REGULATOR)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
    settings: Settings = Depends(get_settings),
) -> LetterOut:
    """Issue a warning letter naming campaigns and/or originators; it is e-mailed to the
    provider and must be obeyed by ``mitigate_by`` (48 hours by default)."""
    with refusals():
        letter = service.issue_letter(
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
    response.headers["Location"] = f"/api/v1/letters/{letter.id}"
    return letter_out(db, letter)


class LetterPreviewOut(BaseModel):
    reference: str = Field(
        description="the reference it would get if sent now (the next in the WL- sequence)"
    )
    document: str = Field(description="the letter exactly as it would be sent now, HTML")


@router.post(
    "/letters/preview", response_model=LetterPreviewOut, responses=responses(403, 409, 422)
)
def preview_letter(
    body: LetterIn,
    principal: Principal = Depends(writer(REGULATOR)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
    settings: Settings = Depends(get_settings),
) -> LetterPreviewOut:
    """The warning letter ``POST /letters`` would issue with this body, as it would be sent
    now; nothing is stored, numbered or e-mailed. Drafts are a portal feature: an API client
    keeps its own until it sends."""
    with refusals():
        shown = service.preview(
            db,
            lambda: service.issue_letter(
                db,
                body.provider,
                body.campaigns,
                body.originators,
                principal.actor,
                clock,
                settings,
                principal.user_id,
                findings=body.findings,
            ),
        )
    return LetterPreviewOut(reference=shown.reference, document=shown.document)


@router.get("/letters", response_model=list[LetterOut], responses=responses())
def list_letters(
    principal: Principal = Depends(current_principal),
    db: Session = REQUEST_DB,
) -> list[LetterOut]:
    """Warning letters, newest first: all for readers of all, a provider's own for it."""
    rows = access.enforcement_actions(db, principal, EnforcementKind.WARNING_LETTER)
    return [letter_out(db, row) for row in rows]


# Before /letters/{letter_id}, which would otherwise take "7.pdf" for an id.
@router.get(
    "/letters/{letter_id}.pdf", response_class=Response, responses={**PDF, **responses(404)}
)
def letter_pdf(
    letter_id: RowId,
    principal: Principal = Depends(current_principal),
    db: Session = REQUEST_DB,
) -> Response:
    """The letter as issued, as a PDF."""
    letter = access.letter_row(db, principal, letter_id)
    return pdf_response(service.letter_pdf(letter), f"{service.reference_of(letter)}.pdf")


@router.get("/letters/{letter_id}", response_model=LetterOut, responses=responses(404))
def get_letter(
    letter_id: RowId,
    principal: Principal = Depends(current_principal),
    db: Session = REQUEST_DB,
) -> LetterOut:
    """One letter with its evidence, decision and mitigation reports."""
    return letter_out(db, access.letter_row(db, principal, letter_id))


@router.post(
    "/letters/{letter_id}/mitigation-report",
    status_code=201,
    response_model=MitigationReportOut,
    responses=responses(403, 404, 422),
)
def file_mitigation_report(
    letter_id: RowId,
    body: MitigationReportIn,
    principal: Principal = Depends(writer(PROVIDER)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> MitigationReportOut:
    """The provider reports what it did about its letter (more than once if it wants)."""
    letter = access.letter_row(db, principal, letter_id)
    with refusals():
        report = service.file_mitigation_report(
            db, letter, body.text, principal.actor, clock, principal.user_id
        )
    db.flush()
    return _report_out(report)


@router.post(
    "/letters/{letter_id}/decide",
    response_model=LetterOut,
    responses=responses(403, 404, 409, 422),
)
def decide_letter(
    letter_id: RowId,
    body: DecisionIn | None = None,
    principal: Principal = Depends(writer(REGULATOR)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
    settings: Settings = Depends(get_settings),
) -> LetterOut:
    """Decide the letter (once ``mitigate_by`` has passed): the worker's proposal is made
    again from the tracebacks stored now, and the decision is ``status`` (default: the
    proposal; another needs a ``reason``). 409 before the deadline."""
    letter = access.letter_row(db, principal, letter_id)
    body = body or DecisionIn()
    with refusals():
        letter = service.decide_letter(
            db, letter.id, principal.actor, clock, settings.display_zone, body.status, body.reason
        )
    return letter_out(db, letter)


# --- Block authorizations --------------------------------------------------------------


@router.post(
    "/authorizations",
    status_code=201,
    response_model=AuthorizationOut,
    responses=responses(403, 409, 422),
)
def issue_authorization(
    body: AuthorizationIn,
    response: Response,
    principal: Principal = Depends(writer(REGULATOR)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
    settings: Settings = Depends(get_settings),
) -> AuthorizationOut:
    """Authorize downstream providers to block (scope ``provider`` or ``numbers`` after a
    noncompliant letter; ``no_direct_traffic`` for a provider absent from the RMD)."""
    request = service.AuthorizationRequest(
        body.provider, body.scope, body.numbers, body.effective_at, body.reason
    )
    with refusals():
        auth = service.issue_authorization(
            db, request, principal.actor, clock, settings, principal.user_id
        )
    response.headers["Location"] = f"/api/v1/authorizations/{auth.id}"
    return authorization_out(db, auth)


@router.get("/authorizations", response_model=list[AuthorizationOut], responses=responses())
def list_authorizations(
    principal: Principal = Depends(current_principal),
    db: Session = REQUEST_DB,
) -> list[AuthorizationOut]:
    """Block authorizations, newest first: all for readers of all, a provider's own for it."""
    rows = access.enforcement_actions(db, principal, EnforcementKind.BLOCK_AUTHORIZATION)
    return [authorization_out(db, row) for row in rows]


@router.post(
    "/authorizations/{authorization_id}/lift",
    response_model=AuthorizationOut,
    responses=responses(403, 404, 409),
)
def lift_authorization(
    authorization_id: RowId,
    principal: Principal = Depends(writer(REGULATOR)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
    settings: Settings = Depends(get_settings),
) -> AuthorizationOut:
    """Lift an active authorization; the block list drops its entries (a new version)."""
    auth = access.authorization_row(db, principal, authorization_id)
    with refusals():
        auth = service.lift_authorization(db, auth.id, principal.actor, clock, settings)
    return authorization_out(db, auth)
