"""Uploading evidence (coordinators and admins): a complaint CSV, a honeypot file or a SIP
capture; the page shows what was added, or every bad row with its line and reason."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from robotrace.clock import Clock, parse_utc
from robotrace.evidence.imports import ImportOptions, ImportSummary
from robotrace.evidence.registry import evidence_formats
from robotrace.web.deps import REQUEST_DB, get_clock, require_roles, writer
from robotrace.web.evidence_uploads import (
    BadFileName,
    analytics_dir,
    import_upload,
    save_stream,
    upload_folder,
    upload_name,
    upload_path,
)
from robotrace.web.pages.common import STAFF
from robotrace.web.principal import Principal
from robotrace.web.templating import render

router = APIRouter(include_in_schema=False)  # pages; the OpenAPI describes /api/v1


def _page(
    request: Request,
    principal: Principal,
    status_code: int = 200,
    summary: ImportSummary | None = None,
    error: str | None = None,
) -> Response:
    formats = {name: f.title for name, f in evidence_formats().items()}
    return render(
        request, "evidence.html", principal, status_code, formats=formats, summary=summary,
        error=error,
    )  # fmt: skip


@router.get("/evidence")
def evidence_form(
    request: Request, principal: Principal = Depends(require_roles(*STAFF))
) -> Response:
    return _page(request, principal)


@router.post("/evidence")
def upload_evidence(
    request: Request,
    file: UploadFile = File(...),
    format: str = Form(""),
    skip_bad_rows: bool = Form(False),
    default_time: str = Form(""),
    terminating_provider: str = Form(""),
    principal: Principal = Depends(writer(*STAFF)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    if format and format not in evidence_formats():
        return _page(request, principal, 400, error=f"Unknown format {format!r}.")
    try:
        when = parse_utc(default_time) if default_time.strip() else None
    except ValueError as exc:
        return _page(request, principal, 400, error=f"Default time: {exc}.")
    options = ImportOptions(skip_bad_rows, when, terminating_provider.strip() or None)
    try:
        shown = upload_name(file.filename, format)
    except BadFileName as exc:
        return _page(request, principal, 400, error=f"Not imported: {exc}.")
    with upload_folder() as folder:
        path = upload_path(folder, shown)
        save_stream(file.file, path)
        summary = import_upload(
            db, path, shown, format or None, options, analytics_dir(request), clock
        )
    return _page(request, principal, 400 if summary.rejected else 200, summary=summary)
