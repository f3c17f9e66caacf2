"""Opening a traceback (coordinators and admins): from a stored evidence call, or from the
numbers and time typed in. Bad input shows the form again with the reason; nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from robotrace.clock import Clock, parse_utc
from robotrace.providers.store import directory_choices
from robotrace.traceback import service
from robotrace.traceback.lists import untraced_calls
from robotrace.traceback.model import CallUnderTrace
from robotrace.traceback.workflow import Policy, WorkflowError
from robotrace.web.api.schemas import LARGEST_ID
from robotrace.web.deps import REQUEST_DB, get_clock, get_policy, require_roles, writer
from robotrace.web.pages.common import STAFF, form_text, in_savepoint
from robotrace.web.principal import Principal
from robotrace.web.templating import render

router = APIRouter(include_in_schema=False)  # pages; the OpenAPI describes /api/v1
NUMBER_LENGTH = 64  # models.RAW_NUMBER


@dataclass(frozen=True)
class TypedCall:
    """The form's fields as typed, kept to fill the form again after an error."""

    calling_number: str = ""
    called_number: str = ""
    call_time: str = ""
    terminating_key: str = ""


class FieldError(ValueError):
    """What is wrong with one field of the typed call (``field``: its form name)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


#: Which field a rule's message is about, by how the message starts.
_FIELD_OF_MESSAGE = (
    ("calling number", "calling_number"),
    ("called number", "called_number"),
    ("no provider", "terminating_key"),
)


def field_of(exc: Exception) -> str:
    """The form field an error concerns ("": the form as a whole)."""
    if isinstance(exc, FieldError):
        return exc.field
    text = str(exc)
    return next((field for start, field in _FIELD_OF_MESSAGE if text.startswith(start)), "")


def _form(
    request: Request,
    principal: Principal,
    db: Session,
    typed: TypedCall | None = None,
    field_errors: dict[str, str] | None = None,
    call_error: str | None = None,
) -> Response:
    """The page; errors go next to what they concern: a typed field, the typed form as a
    whole (key ""), or the evidence calls (``call_error``)."""
    return render(
        request,
        "traceback_new.html",
        principal,
        400 if field_errors or call_error else 200,
        calls=untraced_calls(db),
        providers=directory_choices(db),
        typed=typed or TypedCall(),
        field_errors=field_errors or {},
        call_error=call_error,
    )


def call_from_form(typed: TypedCall, now: datetime) -> CallUnderTrace:
    """The typed call, or ValueError saying what is wrong with it."""
    try:
        called = form_text(typed.called_number, NUMBER_LENGTH)
    except ValueError as exc:
        raise FieldError("called_number", f"called number: {exc}") from None
    if not called:
        raise FieldError("called_number", "the called number is required")
    if not typed.terminating_key.strip():
        raise FieldError("terminating_key", "choose the terminating provider")
    try:
        when = parse_utc(typed.call_time)
    except ValueError as exc:
        raise FieldError("call_time", f"call time: {exc}") from None
    if when > now:
        raise FieldError("call_time", "the call time is in the future")
    try:
        calling = form_text(typed.calling_number, NUMBER_LENGTH)
    except ValueError as exc:
        raise FieldError("calling_number", f"calling number: {exc}") from None
    return CallUnderTrace(calling, called, when)


@router.get("/tracebacks/new")
def new_traceback_form(
    request: Request,
    principal: Principal = Depends(require_roles(*STAFF)),
    db: Session = REQUEST_DB,
) -> Response:
    return _form(request, principal, db)


@router.post("/tracebacks/new")
def open_typed(
    request: Request,
    calling_number: str = Form(""),
    called_number: str = Form(""),
    call_time: str = Form(""),
    terminating_key: str = Form(""),
    principal: Principal = Depends(writer(*STAFF)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
    policy: Policy = Depends(get_policy),
) -> Response:
    typed = TypedCall(calling_number, called_number, call_time, terminating_key)
    try:
        call = call_from_form(typed, clock.now())
        tb = in_savepoint(
            db,
            lambda: service.open_traceback(
                db, call, terminating_key, principal.actor, clock, policy
            ),
        )
    except (ValueError, WorkflowError) as exc:
        return _form(request, principal, db, typed, {field_of(exc): f"Not opened: {exc}."})
    return RedirectResponse(f"/tracebacks/{tb.id}", 303)


@router.post("/tracebacks/new/from-call")
def open_from_call(
    request: Request,
    call_id: int = Form(..., ge=0, le=LARGEST_ID),
    principal: Principal = Depends(writer(*STAFF)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
    policy: Policy = Depends(get_policy),
) -> Response:
    try:
        tb = in_savepoint(
            db, lambda: service.open_traceback_for_call(db, call_id, principal.actor, clock, policy)
        )
    except WorkflowError as exc:
        return _form(request, principal, db, call_error=f"Not opened: {exc}.")
    return RedirectResponse(f"/tracebacks/{tb.id}", 303)
