"""The dashboard: what needs chasing now, for the people who read every traceback.

Providers have no dashboard; ``/`` sends them to their inbox, and shows people not signed
in the public front page (welcome.html). What it shows is read by
:mod:`robotrace.traceback.lists` across all tenants, so only readers of all reach it (the
route's role check).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from robotrace.clock import Clock
from robotrace.traceback.lists import (
    non_responsive_providers,
    open_tracebacks,
    overdue_hops,
    recent_outcomes,
)
from robotrace.web.deps import REQUEST_DB, get_clock, optional_principal
from robotrace.web.pages.common import READERS
from robotrace.web.principal import Principal
from robotrace.web.templating import render

router = APIRouter(include_in_schema=False)  # pages; the OpenAPI describes /api/v1


@router.get("/")
def dashboard(
    request: Request,
    principal: Principal | None = Depends(optional_principal),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    if principal is None:  # the public front page: what this is, who runs it, where to go
        return render(request, "welcome.html", None)
    if principal.role not in READERS:
        return RedirectResponse("/inbox", 303)
    return render(
        request,
        "dashboard.html",
        principal,
        open_tracebacks=open_tracebacks(db),
        overdue=overdue_hops(db, clock.now()),
        non_responsive=non_responsive_providers(db),
        outcomes=recent_outcomes(db),
    )
