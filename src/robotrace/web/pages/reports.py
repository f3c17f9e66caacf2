"""The public "report a call" page: no sign-in, plain HTML that works without JavaScript.

A refused report comes back as the same form with what was typed, each problem next to its
field (and listed at the top, linked to it); the abuse rules (a hidden honeypot field, rate
limits, duplicates, size) answer in words that say what to do. A filed report is
redirected to its confirmation page, which shows its reference.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, BackgroundTasks, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from robotrace.accounts.keys import new_token, same
from robotrace.clock import Clock
from robotrace.evidence.subjects import FTC_SUBJECTS
from robotrace.reports.checks import ReportInvalid, check_page_form
from robotrace.reports.choices import STATES, TIME_ZONES
from robotrace.reports.filing import DuplicateReport, Refused
from robotrace.store import models
from robotrace.web.deps import REQUEST_DB, get_clock
from robotrace.web.pages.auth import LOGIN_CSRF_COOKIE, secure_cookies
from robotrace.web.report_requests import (
    BodyTooLarge,
    file_as_evidence,
    read_body,
    text_limit,
)
from robotrace.web.templating import render

router = APIRouter(include_in_schema=False)  # pages; the API is /api/v1/reports
#: The honeypot: a field people never see (nor screen readers, nor the keyboard) and bots fill.
TRAP = "website"
TRAP_SAID = "This field must stay empty: clear it, then send the report again."
EXPIRED = (
    "Your report was not sent: the form had expired, or your browser did not send back its "
    "cookie. Check your answers below and press “Send report” again (the form needs cookies)."
)
REFERENCE = re.compile(r"RT-[0-9A-Z]{4}-[0-9A-Z]{4}")


def _form(request: Request, status_code: int = 200, **context: Any) -> Response:
    """The form, with the double-submit CSRF cookie that forms for people not signed in use."""
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or new_token(24)
    context.setdefault("typed", {})
    context.setdefault("errors", {})
    response = render(
        request,
        "report.html",
        None,
        status_code,
        csrf_token=token,
        subjects=FTC_SUBJECTS,
        states=STATES,
        zones=TIME_ZONES,
        text_limit=text_limit(),
        trap=TRAP,
        **context,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=secure_cookies()
    )
    return response


@router.get("/report", response_class=HTMLResponse)
def report_form(request: Request) -> Response:
    return _form(request)


@router.post("/report", response_class=HTMLResponse)
async def send_report(
    request: Request,
    background: BackgroundTasks,
    db: Session = REQUEST_DB,
    clock: Clock = Depends(get_clock),
) -> Response:
    try:
        body = await read_body(request)
    except BodyTooLarge as too_large:
        return _form(request, 413, error=str(too_large))
    typed = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    if not same(request.cookies.get(LOGIN_CSRF_COOKIE, ""), typed.get("csrf_token", "")):
        return _form(request, 403, typed=typed, error=EXPIRED)
    if typed.get(TRAP):
        return _form(request, 422, typed=typed, errors={TRAP: TRAP_SAID}, trap_shown=True)
    try:
        report = check_page_form(typed, clock.now(), text_limit())
        row = await run_in_threadpool(file_as_evidence, request, db, report, "page", background)
    except ReportInvalid as invalid:
        return _form(request, 422, typed=typed, errors=invalid.errors)
    except Refused as refused:
        earlier = refused.reference if isinstance(refused, DuplicateReport) else None
        return _form(request, refused.status, typed=typed, error=str(refused), earlier=earlier)
    return RedirectResponse(f"/report/{row.reference}", 303)


@router.get("/report/{reference}", response_class=HTMLResponse)
def report_sent(request: Request, reference: str, db: Session = REQUEST_DB) -> Response:
    """The confirmation: the reference and what happens next — nothing of the report."""
    found = None
    if REFERENCE.fullmatch(reference):
        query = select(models.ConsumerReport.received_at).where(
            models.ConsumerReport.reference == reference
        )
        found = db.scalar(query)
    if found is None:
        return render(
            request,
            "report_sent.html",
            None,
            404,
            error="There is no report with that reference. Check it against the one you were "
            "given, or report the call again.",
        )
    return render(request, "report_sent.html", None, reference=reference, received_at=found)
