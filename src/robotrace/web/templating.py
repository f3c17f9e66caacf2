"""Jinja2 templates for the pages, with the helpers every page uses."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from robotrace.calendar import in_zone
from robotrace.clock import as_utc
from robotrace.web.operator import operator_of
from robotrace.web.principal import Principal

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
HTMX = "htmx-2.0.4.min.js"


def utc(value: datetime | None) -> str:
    return "" if value is None else as_utc(value).strftime("%Y-%m-%d %H:%M:%S UTC")


def local(value: datetime | None, zone: str) -> str:
    """``value`` on ``zone``'s wall clock, with the zone's abbreviation (EDT, HST)."""
    return "" if value is None else in_zone(value, zone).strftime("%a %Y-%m-%d %H:%M %Z")


TEMPLATES.env.filters["utc"] = utc
TEMPLATES.env.filters["local"] = local


def render(
    request: Request,
    name: str,
    principal: Principal | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render a page; every page knows who is signed in, the CSRF token, the clock and who
    runs the portal (``operator``, for _footer.html)."""
    context.update(
        principal=principal,
        csrf_token=principal.csrf_token if principal else context.get("csrf_token", ""),
        now=request.app.state.clock.now(),
        htmx=HTMX,
        operator=operator_of(request.app.state.settings),
    )
    return TEMPLATES.TemplateResponse(request, name, context, status_code=status_code)
