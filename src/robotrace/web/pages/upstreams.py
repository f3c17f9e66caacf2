"""Know your upstream in the portal (robotrace.enforcement.upstreams; docs/portal.md).

``/upstreams``: a provider user sees the providers its own hop answers named as upstream,
riskiest first, with what the public record says of each (RMD status, letters and orders,
block authorizations in force, the current block list). Readers of all choose the provider
(``?provider=KEY``). Reached only through :mod:`robotrace.web.access`: a provider user who
names another provider gets the same 404 as for a key that does not exist.
"""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from robotrace.calendar import for_people
from robotrace.clock import Clock
from robotrace.enforcement.upstreams import BLOCKED, UNLISTED, WARNED
from robotrace.store.models import UserRole
from robotrace.web import access
from robotrace.web.deps import REQUEST_DB, get_clock, get_settings, require_roles
from robotrace.web.principal import Principal
from robotrace.web.templating import render

router = APIRouter(include_in_schema=False)  # pages; the OpenAPI describes /api/v1
EVERYONE = (UserRole.ADMIN, UserRole.COORDINATOR, UserRole.REGULATOR, UserRole.PROVIDER)
RISK_LABELS = {BLOCKED: "blocked", WARNED: "warned", UNLISTED: "not in RMD", 0: "none known"}
RMD_LABELS = {
    "listed": "listed",
    "not_in_export": "not in the latest export",
    "removed": "removed",
    "unlisted": "never listed",
}


@router.get("/upstreams")
def upstreams_page(
    request: Request,
    provider: str | None = Query(None, max_length=64),
    principal: Principal = Depends(require_roles(*EVERYONE)),
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    reads_all = principal.role in access.READ_ALL
    if reads_all and not (provider or "").strip():
        return render(request, "upstreams.html", principal, subject=None, upstreams=[])
    today, due = clock.now().date(), get_settings(request).rmd_recertification_due
    subject, found = access.upstreams(db, principal, provider, today, due)
    return render(
        request,
        "upstreams.html",
        principal,
        subject=subject,
        upstreams=found,
        reads_all=reads_all,
        risk_labels=RISK_LABELS,
        rmd_labels=RMD_LABELS,
        when=partial(for_people, zone=request.app.state.settings.display_zone),
    )
