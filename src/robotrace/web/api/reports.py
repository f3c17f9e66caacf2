"""Consumer reports over the API: ``POST /api/v1/reports`` for apps and partners (no sign-in,
the same checks and abuse rules as the page), and the export of their public columns for
the traceback group's readers."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.orm import Session

from robotrace.clock import Clock
from robotrace.evidence.subjects import FTC_SUBJECTS
from robotrace.reports.checks import ReportInvalid, check_api_body
from robotrace.reports.choices import STATES
from robotrace.reports.export import public_rows, write_csv
from robotrace.reports.filing import DuplicateReport, RateLimited, Refused
from robotrace.settings import Settings
from robotrace.web import access
from robotrace.web.api.errors import responses
from robotrace.web.api.schemas import Problem
from robotrace.web.deps import REQUEST_DB, get_clock, get_settings, require_roles
from robotrace.web.principal import Principal
from robotrace.web.report_requests import BodyTooLarge, file_as_evidence, read_body

router = APIRouter(prefix="/reports", tags=["reports"])


class ReportIn(BaseModel):
    """A consumer's report of an unwanted call."""

    model_config = ConfigDict(extra="forbid")

    calling_number: str = Field(
        max_length=64, description="the number that called, as shown", examples=["202-555-0143"]
    )
    called_at: str = Field(
        max_length=64,
        description="when the call came: ISO 8601 with its UTC offset (or Z)",
        examples=["2026-04-30T14:15:00-04:00"],
    )
    called_number: str = Field(
        max_length=64, description="the consumer's own US number", examples=["312-555-0199"]
    )
    recorded_message: bool = Field(description="a recording or a robot voice")
    subject: str = Field(
        max_length=200,
        description="what the call was about: one of the FTC's subjects",
        json_schema_extra={"enum": list(FTC_SUBJECTS)},
    )
    transcript: str = Field(
        default="",
        description="what the caller said (at most report_max_text_chars characters)",
    )
    name: str = Field(default="", max_length=200, description="optional; never shown to providers")
    email: str = Field(default="", max_length=254, description="optional; never exported")
    state: str = Field(
        default="",
        max_length=64,
        description="optional; the consumer's state, by its full name",
        json_schema_extra={"enum": ["", *STATES]},
    )

    def fields(self) -> dict[str, str]:
        """As the checks read it: text, the answer ``yes`` or ``no``."""
        values = self.model_dump()
        values["recorded_message"] = "yes" if self.recorded_message else "no"
        return values


class ReportOut(BaseModel):
    reference: str = Field(description="the report's reference, RT-XXXX-XXXX")
    received_at: datetime


class DuplicateOut(BaseModel):
    detail: str
    reference: str = Field(description="the earlier report of the same call")


_SEND_RESPONSES: dict[int | str, dict[str, Any]] = {
    409: {"model": DuplicateOut, "description": "the same call was reported already"},
    413: {"model": Problem, "description": "the body is too long"},
    415: {"model": Problem, "description": "the body is not JSON"},
    422: {"model": Problem, "description": "a field is missing or wrong; `loc` names it"},
    429: {"model": Problem, "description": "too many reports from this address; see Retry-After"},
}
_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": ReportIn.model_json_schema()}},
    }
}


@router.post(
    "",
    status_code=201,
    response_model=ReportOut,
    responses=_SEND_RESPONSES,
    openapi_extra=_BODY,
)
async def send_report(
    request: Request,
    background: BackgroundTasks,
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
    settings: Settings = Depends(get_settings),
) -> Any:
    """Report an unwanted call; no sign-in. Checked like the public form, field by field
    (422 lists every problem, each with its field in ``loc``), under the same rate limits
    per client address (429 with Retry-After) and duplicate rule (409 with the earlier
    reference). The reporter's name and e-mail are kept apart and never exported."""
    try:
        body = await read_body(request)
    except BodyTooLarge as too_large:
        raise HTTPException(413, str(too_large)) from None
    if not request.headers.get("content-type", "").startswith("application/json"):
        raise HTTPException(415, "Send the report as JSON, with Content-Type: application/json.")
    try:
        typed = ReportIn.model_validate_json(body)
        report = check_api_body(typed.fields(), clock.now(), settings.report_max_text_chars)
    except ValidationError as invalid:
        raise RequestValidationError(_in_body(invalid)) from None
    except ReportInvalid as invalid:
        raise RequestValidationError(_said(invalid)) from None
    try:
        row = await run_in_threadpool(file_as_evidence, request, db, report, "api", background)
    except Refused as refused:
        return _refusal(refused, clock)
    return ReportOut(reference=row.reference, received_at=row.received_at)


def _in_body(invalid: ValidationError) -> list[dict[str, Any]]:
    """Pydantic's errors, located in the body. A body that is not JSON comes back as its
    ``input`` in bytes, maybe not UTF-8: it is echoed as text, so the 422 can be written."""
    errors = invalid.errors(include_url=False)
    return [{**e, "loc": ("body", *e["loc"]), **_input_as_text(e)} for e in errors]


def _input_as_text(error: Any) -> dict[str, Any]:
    said = error.get("input")
    return {"input": said.decode("utf-8", errors="replace")} if isinstance(said, bytes) else {}


def _said(invalid: ReportInvalid) -> list[dict[str, Any]]:
    return [
        {"loc": ("body", field), "msg": said, "type": "value_error"}
        for field, said in invalid.errors.items()
    ]


def _refusal(refused: Refused, clock: Clock) -> JSONResponse:
    if isinstance(refused, DuplicateReport):
        return JSONResponse({"detail": str(refused), "reference": refused.reference}, 409)
    headers = {}
    if isinstance(refused, RateLimited):
        wait = (refused.retry_at - clock.now()).total_seconds()
        headers["Retry-After"] = str(max(int(wait) + 1, 1))
    return JSONResponse({"detail": str(refused)}, refused.status, headers=headers)


@router.get(
    "/export",
    response_class=Response,
    responses={
        **responses(403),
        200: {"content": {"text/csv": {}}, "description": "the FTC's eight columns"},
    },
)
def export_reports(
    start: date | None = Query(None, alias="from", description="first day (UTC) received"),
    end: date | None = Query(None, alias="to", description="day (UTC) after the last"),
    principal: Principal = Depends(require_roles(*access.READ_ALL)),
    db: Session = REQUEST_DB,
) -> Response:
    """The reports received in ``[from, to)`` as an FTC Do Not Call CSV: the FTC's eight
    public columns only — never the reporter's name, e-mail or number, what the caller
    said, or the reference (as ``robotrace reports export``)."""
    out = io.StringIO()
    write_csv(public_rows(db, start, end), out)
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="reports.csv"'},
    )
