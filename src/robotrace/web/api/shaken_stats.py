"""STIR/SHAKEN accountability per signer (``/api/v1/statistics/shaken``) and its CSV export,
for readers of all: the shapes of ``robotrace stats shaken --json`` and ``--csv``
(docs/statistics.md#stirshaken-accountability)."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from robotrace.clock import day_start
from robotrace.providers.identity import IdentifierError, clean_ocn
from robotrace.settings import Settings
from robotrace.stats.shaken import (
    DnoUnreadable,
    ShakenAccountability,
    dno_from,
    export_name,
    shaken_accountability,
    write_evidence_csv,
)
from robotrace.web import access
from robotrace.web.api.errors import responses
from robotrace.web.deps import REQUEST_DB, get_settings, require_roles
from robotrace.web.principal import Principal
from robotrace.web.statistics_views import FROM, TO, parse_day

router = APIRouter(tags=["statistics"])
READERS = access.READ_ALL
SIGNER = Query("", description="Only this signer: its SPC (usually its OCN).", max_length=16)


def asked_signer(text: str) -> str | None:
    """The ``signer`` query value as an SPC (empty: every signer); 400 otherwise."""
    if not text.strip():
        return None
    try:
        return clean_ocn(text.strip())
    except IdentifierError as exc:
        raise HTTPException(400, f"signer: {exc}") from None


def asked_days(start: str, end: str) -> tuple[date | None, date | None]:
    first, last = parse_day(start, "from"), parse_day(end, "to")
    if first and last and last <= first:
        raise HTTPException(400, f"to ({last}) must be after from ({first})")
    return first, last


def accountability_of(
    db: Session, first: date | None, last: date | None, spc: str | None, dno_file: str
) -> ShakenAccountability:
    """The records of calls made in ``[first, last)``, only ``spc``'s if given, checked
    against the Do-Not-Originate list at ``dno_file`` (the ``blocker_dno_file`` setting)."""
    try:
        dno = dno_from(dno_file)
    except DnoUnreadable as exc:
        raise HTTPException(500, f"{exc} (the blocker_dno_file setting)") from None
    found = shaken_accountability(db, day_start(first), day_start(last), dno)
    if spc is None:
        return found
    only = [s for s in found.signers if s.spc == spc]
    return ShakenAccountability(found.start, found.end, only, found.dno_numbers, found.blocks_held)


@router.get("/statistics/shaken", responses=responses(400, 401, 403))
def shaken_statistics(
    start: str = FROM,
    end: str = TO,
    signer: str = SIGNER,
    evidence: bool = Query(True, description="Include each signer's calls, with why they count."),
    principal: Principal = Depends(require_roles(*READERS)),
    db: Session = REQUEST_DB,
    settings: Settings = Depends(get_settings),
) -> dict[str, Any]:
    """Per signer, for calls made in ``[from, to)``: verified A/B signatures, traced
    signatures, and the calls that count against it — A/B on invalid, unassigned or
    Do-Not-Originate caller IDs, over-attestation the traceback shows, and from 18 September
    2025 signatures under a certificate not the originating provider's."""
    first, last = asked_days(start, end)
    found = accountability_of(db, first, last, asked_signer(signer), settings.blocker_dno_file)
    return found.as_dict(evidence)


@router.get(
    "/statistics/shaken.csv",
    response_class=Response,
    responses={
        **responses(400, 401, 403),
        200: {"content": {"text/csv": {}}, "description": "one row per call that counts"},
    },
)
def shaken_export(
    start: str = FROM,
    end: str = TO,
    signer: str = SIGNER,
    principal: Principal = Depends(require_roles(*READERS)),
    db: Session = REQUEST_DB,
    settings: Settings = Depends(get_settings),
) -> Response:
    """The calls that count against each signer (or ``signer``'s only) as CSV: SPC, call,
    traceback, time, caller ID, attestation, origid, originating provider, reasons and why
    — to attach to an RMD deficiency report."""
    first, last = asked_days(start, end)
    spc = asked_signer(signer)
    out = io.StringIO()
    write_evidence_csv(accountability_of(db, first, last, spc, settings.blocker_dno_file), out)
    name = export_name(spc, first, last)
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
