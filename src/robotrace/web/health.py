"""The portal without its database: ``GET /healthz``, and 503 instead of 500 while it is gone.

When PostgreSQL stops (or SQLite's file stays locked or cannot be opened) a request's
SQLAlchemy error is an outage, not a bug (:func:`robotrace.store.db.is_unavailable`): the API
answers ``503 {"detail": "database unavailable, try again"}`` and pages a short 503 page,
both with ``Retry-After``; the process keeps serving, and the engine's pre-ping replaces the
dead connections once the database is back, so the next request succeeds without a restart.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text

from robotrace.store.db import is_unavailable
from robotrace.web.templating import render

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

UNAVAILABLE = "database unavailable, try again"
RETRY_AFTER_SECONDS = 5
RETRY_AFTER = {"Retry-After": str(RETRY_AFTER_SECONDS)}


@router.get("/healthz")
def healthz(request: Request) -> JSONResponse:
    """200 when the database answers ``SELECT 1``, 503 when it does not; no sign-in (it
    says nothing but that), for load balancers and orchestrators."""
    try:
        with request.app.state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:
        if not is_unavailable(error):
            raise
        return JSONResponse(
            {"status": "unavailable", "database": "unreachable"}, 503, headers=RETRY_AFTER
        )
    return JSONResponse({"status": "ok", "database": "reachable"})


async def database_unavailable(request: Request, error: Exception) -> Response:
    """The app's handler for SQLAlchemy errors: 503 for an outage; anything else is a bug
    and stays one (raised again, a 500)."""
    if not is_unavailable(error):
        raise error
    cause = str(getattr(error, "orig", None) or error).splitlines()[0]
    log.warning("%s %s: database unavailable (%s)", request.method, request.url.path, cause)
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": UNAVAILABLE}, 503, headers=RETRY_AFTER)
    page = render(request, "database_unavailable.html", None, 503, retry_after=RETRY_AFTER_SECONDS)
    page.headers.update(RETRY_AFTER)
    return page
