"""Warning letters in the portal: the list (a provider's own, or all for readers of all), one
letter with its evidence, deadlines, the worker's proposal with the provider's mitigation
reports beside it, and the decision; the provider's mitigation report form and the
regulator's decision form (the proposal, or another status with a reason).

Letters are reached only through :mod:`robotrace.web.access`: another provider's letter
answers 404 exactly like a missing id. Rule errors show the letter again with the reason
(422 for a wrong request, 409 for a step the letter's state does not allow); nothing of a
refused write stays (:func:`in_savepoint`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from robotrace.clock import Clock
from robotrace.enforcement import service
from robotrace.enforcement.errors import EnforcementError, InvalidRequest
from robotrace.enforcement.evidence import EvidenceRow
from robotrace.store import models
from robotrace.store.models import EnforcementKind, UserRole
from robotrace.web import access
from robotrace.web.api.schemas import RowId
from robotrace.web.deps import REQUEST_DB, current_principal, get_clock, get_settings, writer
from robotrace.web.pages import steps
from robotrace.web.pages.common import PROVIDER, READERS, form_text, in_savepoint
from robotrace.web.principal import Principal
from robotrace.web.templating import render

router = APIRouter(include_in_schema=False)  # pages; the OpenAPI describes /api/v1
REGULATOR = (UserRole.REGULATOR,)
REPORT_LIMIT = 20_000  # as the API's MitigationReportIn
REASON_LIMIT = 5000  # as the API's DecisionIn


def refusal_status(exc: Exception) -> int:
    """409 for a step the state does not allow; 422 for a wrong request or a bad field."""
    if isinstance(exc, EnforcementError) and not isinstance(exc, InvalidRequest):
        return 409
    return 422


def refused(what: str, exc: Exception) -> str:
    """``Not decided: the deadline … has not passed yet.`` — the rule's reason, one sentence."""
    return f"{what}: {str(exc).rstrip('.')}."


def providers_of(
    db: Session, actions: Iterable[models.EnforcementAction | models.EnforcementDraft]
) -> dict[int, models.Provider]:
    """The providers of actions already read through :mod:`access` (so the principal's)."""
    ids = {action.provider_id for action in actions}
    found = {pid: db.get(models.Provider, pid) for pid in ids}
    return {pid: provider for pid, provider in found.items() if provider is not None}


def after_deadline(letter: models.EnforcementAction) -> list[EvidenceRow]:
    return [EvidenceRow.from_json(r) for r in letter.evidence.get("after_deadline", [])]


def reasons_of(action: models.EnforcementAction) -> dict[str, str]:
    """Why each after-deadline traceback counts (identified, substantially similar, a
    refusal or silence again), by traceback id, as the worker's proposal gives them."""
    return dict(action.evidence.get("reasons", {}))


def decision_context(
    action: models.EnforcementAction, now: datetime, may_decide: bool
) -> dict[str, Any]:
    """What the decision form needs: the statuses a person may choose, whether the form is
    shown, and the step's clock."""
    return {
        "statuses": service.DECIDABLE.get(action.kind, ()),
        "can_decide": may_decide and steps.past_deadline(action, now),
        "clock": steps.clock_of(action, now),
        "reasons": reasons_of(action),
    }


def follow_ups(
    db: Session, principal: Principal, letter: models.EnforcementAction
) -> list[models.EnforcementAction]:
    """The block authorizations that followed this letter (the principal may read them all)."""
    kind = EnforcementKind.BLOCK_AUTHORIZATION
    return [a for a in access.enforcement_actions(db, principal, kind) if a.letter_id == letter.id]


def letter_page(
    request: Request,
    principal: Principal,
    db: Session,
    clock: Clock,
    letter: models.EnforcementAction,
    status_code: int = 200,
    **context: Any,
) -> Response:
    """The letter page (also shown again, with ``error``, after a refused write)."""
    provider = db.get(models.Provider, letter.provider_id)
    assert letter.mitigate_by is not None
    regulator = principal.role is UserRole.REGULATOR
    context = {**decision_context(letter, clock.now(), regulator), **context}
    return render(
        request,
        "letter.html",
        principal,
        status_code,
        letter=letter,
        reference=service.reference_of(letter),
        reference_of=service.reference_of,
        provider=provider,
        rows=service.letter_rows(letter),
        after=after_deadline(letter),
        reports=service.mitigation_reports(db, letter.id),
        authorizations=follow_ups(db, principal, letter),
        reader=principal.role in READERS,
        can_report=principal.role is UserRole.PROVIDER,
        can_authorize=regulator and letter.status == "noncompliant",
        **context,
    )


@router.get("/letters")
def letter_list(
    request: Request,
    principal: Principal = Depends(current_principal),
    db: Session = REQUEST_DB,
) -> Response:
    """A provider's own letters; every letter for readers of all."""
    letters = access.enforcement_actions(db, principal, EnforcementKind.WARNING_LETTER)
    return render(
        request,
        "letters.html",
        principal,
        letters=letters,
        providers=providers_of(db, letters),
        reference=service.letter_reference,
    )


@router.get("/letters/{letter_id}")
def letter_detail(
    request: Request,
    letter_id: RowId,
    principal: Principal = Depends(current_principal),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    return letter_page(request, principal, db, clock, access.letter_row(db, principal, letter_id))


@router.post("/letters/{letter_id}/mitigation-report")
def file_report(
    request: Request,
    letter_id: RowId,
    text: str = Form(""),
    principal: Principal = Depends(writer(*PROVIDER)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    letter = access.letter_row(db, principal, letter_id)
    try:
        body = form_text(text, REPORT_LIMIT)
        in_savepoint(
            db,
            lambda: service.file_mitigation_report(
                db, letter, body, principal.actor, clock, principal.user_id
            ),
        )
    except (EnforcementError, ValueError) as exc:
        status = refusal_status(exc)
        error = refused("Report not filed", exc)
        return letter_page(request, principal, db, clock, letter, status, error=error, text=text)
    return RedirectResponse(f"/letters/{letter.id}", 303)


@router.post("/letters/{letter_id}/decide")
def decide(
    request: Request,
    letter_id: RowId,
    status: str = Form(""),
    reason: str = Form(""),
    principal: Principal = Depends(writer(*REGULATOR)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    """Decide the letter: ``status`` empty is the worker's proposal (made now if there is
    none); another status needs a ``reason``."""
    letter = access.letter_row(db, principal, letter_id)
    zone = get_settings(request).display_zone
    try:
        why = form_text(reason, REASON_LIMIT)
        in_savepoint(
            db,
            lambda: service.decide_letter(
                db, letter.id, principal.actor, clock, zone, status.strip() or None, why
            ),
        )
    except (EnforcementError, ValueError) as exc:
        code, error = refusal_status(exc), refused("Not decided", exc)
        typed = {"chosen_status": status, "typed_reason": reason}
        return letter_page(request, principal, db, clock, letter, code, decide_error=error, **typed)
    return RedirectResponse(f"/letters/{letter.id}", 303)
