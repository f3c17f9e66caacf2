"""Evidence import over the API: the file is the raw request body (coordinators and admins,
read-write token)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from robotrace.clock import Clock
from robotrace.evidence.imports import ImportOptions
from robotrace.evidence.registry import evidence_formats
from robotrace.store.models import UserRole
from robotrace.web.api.errors import responses
from robotrace.web.api.schemas import Problem
from robotrace.web.deps import REQUEST_DB, get_clock, writer
from robotrace.web.evidence_uploads import (
    BadFileName,
    analytics_dir,
    import_upload,
    upload_folder,
    upload_name,
    upload_path,
)
from robotrace.web.principal import Principal

router = APIRouter(prefix="/evidence", tags=["evidence"])
STAFF = (UserRole.COORDINATOR, UserRole.ADMIN)


class RowErrorOut(BaseModel):
    file: str
    line: int = Field(description="physical line (1 = header); 0 counts rows not listed")
    reason: str


class FileImportOut(BaseModel):
    file: str
    format: str | None
    target: str | None = Field(description="complaints (analytics store) or calls (SQL)")
    rows: int
    added: int
    skipped: int = Field(description="stored already, or repeated in the import")
    bad_rows: int
    rejected: bool = Field(description="the file as a whole was refused")
    errors: list[RowErrorOut]


class EvidenceImportOut(BaseModel):
    written: bool = Field(description="false: bad rows, and nothing was written")
    added: int
    skipped: int
    bad_rows: int
    files: list[FileImportOut]


async def _save_body(request: Request, path: Any) -> None:
    with path.open("wb") as target:
        async for chunk in request.stream():
            target.write(chunk)


@router.post(
    "/{format}",
    response_model=EvidenceImportOut,
    responses={
        **responses(403, 404),
        422: {
            "model": EvidenceImportOut | Problem,
            "description": "bad rows, nothing written (the summary); or a query value is not "
            "valid, such as a `filename` that cannot be a file's name (a Problem)",
        },
    },
)
async def import_evidence_file(
    request: Request,
    format: str,
    skip_bad_rows: bool = Query(False, description="import the good rows, list the bad"),
    filename: str | None = Query(None, description="the file's name in error messages"),
    default_time: datetime | None = Query(None, description="SIP INVITEs without Date"),
    terminating_provider: str | None = Query(None, description="provider that delivered SIP"),
    principal: Principal = Depends(writer(*STAFF)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Any:
    """Import one evidence file sent as the raw request body (``ftc``, ``fcc``, ``honeypot``
    or ``sip``). Rows already stored are skipped. A file with bad rows writes nothing and
    answers 422 with the same summary, every bad row with its line and reason — unless
    ``skip_bad_rows``."""
    if format not in evidence_formats():
        raise HTTPException(404, f"unknown evidence format {format!r}")
    if request.headers.get("content-type", "").startswith("multipart/"):
        raise HTTPException(415, "send the file as the raw request body, not as a form")
    try:
        shown = upload_name(filename, format)
    except BadFileName as exc:
        raise HTTPException(422, str(exc)) from None
    options = ImportOptions(skip_bad_rows, default_time, terminating_provider)
    with upload_folder() as folder:
        path = upload_path(folder, shown)
        await _save_body(request, path)
        summary = await run_in_threadpool(
            import_upload, db, path, shown, format, options, analytics_dir(request), clock
        )
    if summary.rejected:
        return JSONResponse(summary.as_dict(), status_code=422)
    return summary.as_dict()
