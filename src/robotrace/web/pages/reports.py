"""The public "report a call" page: no sign-in, plain HTML that works without JavaScript.

A refused report comes back as the same form with what was typed, each problem next to its
field (and listed at the top, linked to it); the abuse rules (a hidden honeypot field, rate
limits, duplicates, size) answer in words that say what to do. A filed report is
redirected to its page, which shows its reference and how far it has come; the same page
answers a reference looked up later (``/report/lookup``, :mod:`robotrace.reports.lookup`).
``/privacy`` says what a report keeps, who sees it and how long it is kept.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, BackgroundTasks, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from robotrace.accounts.keys import new_token, same
from robotrace.calendar import for_people
from robotrace.clock import Clock
from robotrace.evidence.subjects import FTC_SUBJECTS
from robotrace.reports.checks import ReportInvalid, check_page_form
from robotrace.reports.choices import STATES, TIME_ZONES
from robotrace.reports.filing import DuplicateReport, Refused
from robotrace.reports.lookup import MissLimit, report_status, typed_reference
from robotrace.settings import Settings
from robotrace.web.deps import REQUEST_DB, get_clock, get_settings
from robotrace.web.pages.auth import LOGIN_CSRF_COOKIE, secure_cookies
from robotrace.web.report_requests import BodyTooLarge, client_of, file_as_evidence, read_body
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
NOT_FOUND = (
    "There is no report with that reference. Check it against the one you were given, or "
    "report the call again."
)
LOOKUP_EMPTY = "Type the reference you were given, like RT-7KQ2-M9XD."
LOOKUP_WRONG = (
    "That is not a report reference: it has RT and 8 letters and digits, like RT-7KQ2-M9XD."
)
TOO_MANY_LOOKUPS = (
    "Too many references that are not there were looked up from your address. Try again "
    "after {until}, with the reference as you were given it."
)


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
        text_limit=get_settings(request).report_max_text_chars,
        trap=TRAP,
        **context,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=secure_cookies(request)
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
        report = check_page_form(typed, clock.now(), get_settings(request).report_max_text_chars)
        row = await run_in_threadpool(file_as_evidence, request, db, report, "page", background)
    except ReportInvalid as invalid:
        return _form(request, 422, typed=typed, errors=invalid.errors)
    except Refused as refused:
        earlier = refused.reference if isinstance(refused, DuplicateReport) else None
        return _form(request, refused.status, typed=typed, error=str(refused), earlier=earlier)
    return RedirectResponse(f"/report/{row.reference}", 303)


@router.get("/report/lookup", response_class=HTMLResponse)
def look_up_report(request: Request, reference: str = "") -> Response:
    """The report page's "look up a report" form: the reference as typed, tidied, or the
    form again with what is wrong next to the field."""
    found = typed_reference(reference[:100])
    if found is None:
        said = LOOKUP_EMPTY if not reference.strip() else LOOKUP_WRONG
        return _form(request, 400, lookup_typed=reference[:100], lookup_error=said)
    return RedirectResponse(f"/report/{found}", 303)


@router.get("/report/{reference}", response_class=HTMLResponse)
def report_sent(
    request: Request, reference: str, db: Session = REQUEST_DB, clock: Clock = Depends(get_clock)
) -> Response:
    """The confirmation, and the page a reference is looked up on: the report's progress,
    nothing of what it said (robotrace.reports.lookup). Too many references that are not
    there from one address, and every lookup from it waits an hour."""
    client, now = client_of(request), clock.now()
    misses = lookup_misses(request)
    allowed = get_settings(request).report_lookup_misses_per_hour
    until = misses.refused_until(client, now, allowed)
    if until is not None:
        said = TOO_MANY_LOOKUPS.format(until=for_people(until, "UTC"))
        refusal = render(request, "report_sent.html", None, 429, error=said, refused=True)
        refusal.headers["Retry-After"] = str(max(int((until - now).total_seconds()), 1))
        return refusal
    status = report_status(db, reference) if REFERENCE.fullmatch(reference) else None
    if status is None:
        if REFERENCE.fullmatch(reference):
            misses.missed(client, now)
        return render(request, "report_sent.html", None, 404, error=NOT_FOUND)
    return render(
        request,
        "report_sent.html",
        None,
        status=status,
        received=for_people(status.received_at, get_settings(request).display_zone),
        address=str(request.url_for("report_sent", reference=status.reference)),
    )


def lookup_misses(request: Request) -> MissLimit:
    """The app's count of lookups that found nothing (one per app, made on first use)."""
    state = request.app.state
    if not hasattr(state, "report_lookup_misses"):
        state.report_lookup_misses = MissLimit()
    return state.report_lookup_misses


@router.get("/privacy", response_class=HTMLResponse)
def privacy(request: Request) -> Response:
    """Who runs the portal and what it keeps of whom: the operator's notice, else ours."""
    return render(request, "privacy.html", None, limits=_limits(get_settings(request)))


def _limits(settings: Settings) -> dict[str, int]:
    names = ("report_limit_per_hour", "report_limit_per_day", "report_max_text_chars")
    return {name: int(getattr(settings, name)) for name in names}
