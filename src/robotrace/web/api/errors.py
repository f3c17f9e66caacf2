"""How the API says no: documented error responses and workflow errors as 409."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import HTTPException

from robotrace.traceback.workflow import WorkflowError
from robotrace.web.api.schemas import Problem

#: What FastAPI takes as a route's ``responses``: status code → its OpenAPI entry.
Responses = dict[int | str, dict[str, Any]]


def responses(*codes: int) -> Responses:
    """OpenAPI entries for the error codes a route may answer with."""
    said = {
        400: "a query value is not valid (such as a day not written YYYY-MM-DD)",
        401: "no credentials, or an invalid or revoked token",
        403: "your role, or a read-only token, may not do this",
        404: "no such object for you (the same answer whether it exists or not)",
        409: "the traceback's state does not allow this (answered, closed, not your turn)",
        422: "the body or file is not valid",
        503: "the database is unavailable for now: send it again after Retry-After seconds",
    }
    every = (401, *codes, 503)  # any route may meet a database outage (docs/api.md#errors)
    return {code: {"model": Problem, "description": said[code]} for code in every}


@contextmanager
def conflicts(status: int = 409) -> Iterator[None]:
    """Turn a refused workflow transition into ``status`` with its message."""
    try:
        yield
    except WorkflowError as exc:
        raise HTTPException(status, str(exc)) from None
