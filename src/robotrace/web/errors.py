"""Errors on pages are pages: a person who follows a stale link or types a bad address gets an
HTML page with the navigation and a sentence, not the API's JSON. The API (``/api/…``), the
metrics and the health check keep their JSON answers."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from robotrace.web.deps import page_principal
from robotrace.web.templating import render

log = logging.getLogger(__name__)
#: Paths whose errors stay JSON (or plain text), as their clients expect.
MACHINE_PREFIXES = ("/api/", "/metrics", "/health")

TITLES = {
    400: "Bad request",
    401: "Sign in first",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed here",
    409: "Not now",
    413: "Too large",
    422: "That address or form is not right",
    429: "Too many requests",
}


def for_people(request: Request) -> bool:
    return not request.url.path.startswith(MACHINE_PREFIXES)


def error_page(
    request: Request, status: int, message: str, problems: list[str] | None = None
) -> Response:
    principal = page_principal(request)
    back, back_text = ("/", "Back to the start") if principal else ("/login", "Sign in")
    return render(
        request,
        "error.html",
        principal,
        status,
        title=TITLES.get(status, "Something went wrong"),
        message=message,
        problems=problems or [],
        back=back,
        back_text=back_text,
    )


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if not for_people(request) or exc.status_code < 400:
        return await http_exception_handler(request, exc)
    message = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status_code, "")
    page = error_page(request, exc.status_code, message)
    page.headers.update(exc.headers or {})
    return page


async def validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if not for_people(request):
        return await request_validation_exception_handler(request, exc)
    problems = [_problem(error) for error in exc.errors()]
    message = "This page cannot be shown for what the address or the form says:"
    return error_page(request, 422, message, problems)


def _problem(error: Mapping[str, Any]) -> str:
    where = [str(part) for part in error.get("loc", ()) if part not in ("path", "query", "body")]
    text = str(error.get("msg", "not valid"))
    return f"{' '.join(where)}: {text}" if where else text


def install(app: FastAPI) -> None:
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
