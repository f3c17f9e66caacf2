"""Federated bulk tracebacks, for coordinators (``/api/v1/bulk-tracebacks``): submit calls,
follow the progress, fetch the results — ``paths.parquet`` and ``flows.json`` as
``robotrace paths`` writes them (docs/paths.md, "Federated bulk tracing")."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.orm import Session

from robotrace.bulk.progress import batch_statuses, call_ends
from robotrace.bulk.rules import ENDS, duration_seconds
from robotrace.bulk.submit import MAX_CALLS, Options, calls_of_file, calls_of_rows, campaign_calls
from robotrace.bulk.submit import submit as submit_calls
from robotrace.clock import Clock
from robotrace.paths.outputs import FLOWS_FILE, PATHS_FILE
from robotrace.rows import BadRowsError
from robotrace.settings import Settings
from robotrace.store import models
from robotrace.store.models import UserRole
from robotrace.web import access
from robotrace.web.api.errors import responses
from robotrace.web.api.schemas import RowId
from robotrace.web.bulk_results import publish_results
from robotrace.web.deps import REQUEST_DB, get_clock, get_settings, require_roles, writer
from robotrace.web.evidence_uploads import BadFileName, upload_folder, upload_name, upload_path
from robotrace.web.principal import Principal

router = APIRouter(prefix="/bulk-tracebacks", tags=["bulk tracebacks"])
STAFF = (UserRole.COORDINATOR, UserRole.ADMIN)
READERS = (UserRole.ADMIN, UserRole.COORDINATOR, UserRole.REGULATOR)
PARQUET_MAGIC = b"PAR1"
ANSWER_WITHIN = "how long each provider has to answer a batch: 90s, 15m, 2h, 1d or seconds "
"(default: the bulk_answer_seconds setting)"


class BulkTracebackIn(BaseModel):
    """A submission as JSON: the calls (objects with a calls file's columns: ``call_id``,
    ``called_number``, ``calling_number``, ``call_time``, ``terminating_provider``,
    optionally ``campaign``), or none and a ``campaign_id``: that campaign's stored calls."""

    calls: list[dict[str, str | int | float | None]] | None = Field(
        None, max_length=MAX_CALLS, description="the calls; leave out to trace a campaign's"
    )
    campaign_id: str | None = Field(None, min_length=1, max_length=64)
    answer_within: str | int | None = Field(None, description=ANSWER_WITHIN)
    tolerance: float | None = Field(
        None, ge=0, le=3600, description="seconds (default: the cdr_skew_seconds setting)"
    )
    max_hops: int | None = Field(None, ge=1, le=64, description="default 16")


class BulkTracebackOut(BaseModel):
    id: int
    status: str = Field(description="running, or done: every call has ended")
    campaign_id: str | None
    calls: int
    ended: int
    ends: dict[str, int] = Field(description="calls ended, by how (the statuses of paths)")
    batches: dict[str, int] = Field(description="batch requests sent, by status")
    answer_within_s: int
    tolerance_ms: int
    max_hops: int
    created_at: datetime
    finished_at: datetime | None
    paths: str | None = Field(description="where paths.parquet is, once done")
    flows: str | None = Field(description="where flows.json is, once done")


def _out(db: Session, row: models.BulkTraceback) -> BulkTracebackOut:
    ends, sent = call_ends(db, row.id), batch_statuses(db, row.id)
    base = f"/api/v1/bulk-tracebacks/{row.id}"
    done = row.status == "done"
    return BulkTracebackOut(
        id=row.id,
        status=row.status,
        campaign_id=row.campaign_id,
        calls=row.calls,
        ended=sum(ends.values()),
        ends={end: int(ends.get(end, 0)) for end in ENDS},
        batches={s: int(sent.get(s, 0)) for s in ("open", "answered", "expired")},
        answer_within_s=row.answer_within_s,
        tolerance_ms=row.tolerance_ms,
        max_hops=row.max_hops,
        created_at=row.created_at,
        finished_at=row.finished_at,
        paths=f"{base}/{PATHS_FILE}" if done else None,
        flows=f"{base}/{FLOWS_FILE}" if done else None,
    )


_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": BulkTracebackIn.model_json_schema()},
            "text/csv": {"schema": {"type": "string", "format": "binary"}},
            "application/vnd.apache.parquet": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


@router.post(
    "",
    status_code=201,
    response_model=BulkTracebackOut,
    responses=responses(403, 404, 422),
    openapi_extra=_BODY,
)
async def create_bulk_traceback(
    request: Request,
    campaign_id: str | None = Query(None, min_length=1, max_length=64),
    answer_within: str | None = Query(None, max_length=20, description=ANSWER_WITHIN),
    tolerance: float | None = Query(None, ge=0, le=3600, description="seconds"),
    max_hops: int | None = Query(None, ge=1, le=64),
    filename: str | None = Query(None, description="the calls file's name in error messages"),
    principal: Principal = Depends(writer(*STAFF)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
    settings: Settings = Depends(get_settings),
) -> Any:
    """Trace every call at once through the providers' agents. Send the calls as JSON
    (``BulkTracebackIn``), or a calls file as ``robotrace paths`` reads it (CSV or Parquet)
    as the raw body, with the options as query values. Nothing is stored when any call is
    bad: 422 lists every bad row (``calls:3: …``, from 1, for JSON). Each terminating
    provider gets one batch request at once; see ``GET /bulk-tracebacks/{id}``."""
    if request.headers.get("content-type", "").startswith("application/json"):
        given = _json_body(await request.body())
        calls_from = given.calls
        campaign_id = given.campaign_id
        answer_within, tolerance, max_hops = (
            str(given.answer_within) if given.answer_within is not None else None,
            given.tolerance,
            given.max_hops,
        )
        if calls_from is None and campaign_id is None:
            raise HTTPException(422, "send calls, or a campaign_id to trace its calls")
    else:
        calls_from = None
    options = _options(settings, answer_within, tolerance, max_hops, campaign_id)
    try:
        if calls_from is not None:
            calls = await run_in_threadpool(calls_of_rows, calls_from)
        elif request.headers.get("content-type", "").startswith("application/json"):
            assert campaign_id is not None
            access.campaign_row(db, principal, campaign_id)  # 404 for a campaign not there
            calls = await run_in_threadpool(campaign_calls, db, campaign_id)
        else:
            calls = await _file_calls(request, filename)
    except BadRowsError as exc:
        raise HTTPException(422, [str(e) for e in exc.errors]) from None
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    who = (principal.user_id, principal.actor)
    row = await run_in_threadpool(submit_calls, db, calls, options, who, clock)
    return JSONResponse(_out(db, row).model_dump(mode="json"), status_code=201)


def _json_body(raw: bytes) -> BulkTracebackIn:
    try:
        return BulkTracebackIn.model_validate_json(raw)
    except ValidationError as exc:
        problems = json.loads(exc.json(include_url=False, include_input=False))
        raise HTTPException(422, problems) from None


def _options(
    settings: Settings,
    answer_within: str | None,
    tolerance: float | None,
    max_hops: int | None,
    campaign: str | None,
) -> Options:
    try:
        window = None if answer_within is None else duration_seconds(answer_within)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    return Options.defaults(
        settings,
        answer_within_s=window,
        tolerance_s=tolerance,
        max_hops=max_hops,
        campaign_id=campaign,
    )


async def _file_calls(request: Request, filename: str | None) -> Any:
    try:
        shown = upload_name(filename, None)
    except BadFileName as exc:
        raise HTTPException(422, str(exc)) from None
    with upload_folder() as folder:
        path = upload_path(folder, "calls")
        with path.open("wb") as target:
            async for chunk in request.stream():
                target.write(chunk)
        with path.open("rb") as source:
            parquet = source.read(4) == PARQUET_MAGIC
        typed = path.rename(path.with_suffix(".parquet" if parquet else ".csv"))
        return await run_in_threadpool(calls_of_file, typed, shown)


@router.get("/{bulk_id}", response_model=BulkTracebackOut, responses=responses(403, 404))
def get_bulk_traceback(
    bulk_id: RowId,
    principal: Principal = Depends(require_roles(*READERS)),
    db: Session = REQUEST_DB,
) -> BulkTracebackOut:
    """A submission's progress: calls ended, by how; batch requests, by status."""
    return _out(db, access.bulk_row(db, principal, bulk_id))


def _result(request: Request, db: Session, principal: Principal, bulk_id: int, name: str) -> Path:
    row = access.bulk_row(db, principal, bulk_id)
    if row.status != "done":
        raise HTTPException(409, "still running: the results come when every call has ended")
    folder = publish_results(request.app.state, row.id, db)
    if folder is None:
        raise HTTPException(503, "the results could not be written; try again")
    return folder / name


@router.get(
    "/{bulk_id}/paths.parquet",
    response_class=FileResponse,
    responses={
        **responses(403, 404, 409),
        200: {"content": {"application/vnd.apache.parquet": {}}, "description": "the paths"},
    },
)
def get_bulk_paths(
    request: Request,
    bulk_id: RowId,
    principal: Principal = Depends(require_roles(*READERS)),
    db: Session = REQUEST_DB,
) -> FileResponse:
    """The paths, one row per call, in ``robotrace paths``'s ``paths.parquet`` schema (409
    while running)."""
    path = _result(request, db, principal, bulk_id, PATHS_FILE)
    return FileResponse(path, media_type="application/vnd.apache.parquet", filename=PATHS_FILE)


@router.get(
    "/{bulk_id}/flows.json",
    responses={**responses(403, 404, 409), 200: {"description": "the flows, per campaign"}},
)
def get_bulk_flows(
    request: Request,
    bulk_id: RowId,
    principal: Principal = Depends(require_roles(*READERS)),
    db: Session = REQUEST_DB,
) -> Any:
    """Each campaign's flow, as ``robotrace paths``'s ``flows.json`` (409 while running)."""
    path = _result(request, db, principal, bulk_id, FLOWS_FILE)
    return json.loads(path.read_text(encoding="utf-8"))
