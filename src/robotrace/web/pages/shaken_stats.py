"""The STIR/SHAKEN accountability page (``/statistics/shaken``), for readers of all: per
signer (SPC), the calls its certificate signed that it should not have, and a link to each
signer's CSV export (docs/statistics.md#stirshaken-accountability)."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from robotrace.calendar import for_people
from robotrace.shaken.accountability import REASON_TEXT, REASONS, THIRD_PARTY_RULE
from robotrace.web.api.shaken_stats import accountability_of, asked_days, asked_signer
from robotrace.web.deps import REQUEST_DB, get_settings, require_roles
from robotrace.web.pages.common import READERS
from robotrace.web.principal import Principal
from robotrace.web.statistics_views import FROM, TO
from robotrace.web.templating import render

router = APIRouter(include_in_schema=False)

#: The reasons' column headers.
LABELS = {
    "invalid_caller_id": "Invalid caller ID",
    "unassigned_caller_id": "Unassigned caller ID",
    "dno_caller_id": "DNO caller ID",
    "over_attestation": "Over-attestation",
    "not_own_certificate": "Not its own certificate",
}
#: Calls shown per signer on the page; the export has them all.
SHOWN = 50


@router.get("/statistics/shaken")
def shaken_page(
    request: Request,
    start: str = FROM,
    end: str = TO,
    signer: str = "",
    principal: Principal = Depends(require_roles(*READERS)),
    db: Session = REQUEST_DB,
) -> Response:
    first, last = asked_days(start, end)
    spc = asked_signer(signer)
    found = accountability_of(db, first, last, spc, get_settings(request).blocker_dno_file)
    query = "&".join(f"{k}={v}" for k, v in (("from", first), ("to", last)) if v)
    return render(
        request,
        "shaken_stats.html",
        principal,
        found=found,
        reasons=[(r, REASON_TEXT[r], LABELS[r]) for r in REASONS],
        rule_day=THIRD_PARTY_RULE.date(),
        start=first,
        end=last,
        signer=spc or "",
        period_query=query,
        shown=SHOWN,
        for_people=partial(for_people, zone=get_settings(request).display_zone),
    )
