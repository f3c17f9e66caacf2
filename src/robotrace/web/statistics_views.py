"""What the statistics page and its API share: the period asked for, the figures (read in
:mod:`robotrace.stats`, computed once per period and store state), and the Vega scripts the
browser draws the charts with.
"""

from __future__ import annotations

from datetime import UTC, date, timedelta
from functools import cache

from fastapi import HTTPException, Query, Request
from sqlalchemy.orm import Session

from robotrace.clock import day_start
from robotrace.stats.complaints import DEFAULT_TOP, ComplaintStats, Period
from robotrace.stats.complaints import latest_period as stored_latest_period
from robotrace.stats.enforcement import Effect, enforcement_effects
from robotrace.stats.figures import period_statistics
from robotrace.stats.period import PeriodReport, period_report
from robotrace.web.deps import get_settings
from robotrace.web.evidence_uploads import analytics_dir

#: The period's query parameters, ``?from=YYYY-MM-DD&to=YYYY-MM-DD``, of pages and API alike.
FROM = Query("", alias="from", description="First UTC day, YYYY-MM-DD.")
TO = Query("", alias="to", description="UTC day after the period, YYYY-MM-DD.")
#: ``?fiscal_year=2025``: 1 October 2024 to 30 September 2025, instead of from/to.
FISCAL_YEAR = Query(
    "",
    description="A federal fiscal year instead of from/to: 2025 is 2024-10-01 to 2025-10-01 "
    "(not included), as the FTC's Do Not Call Data Book counts.",
)


def parse_day(text: str, name: str) -> date | None:
    """A ``YYYY-MM-DD`` query value (empty: none); 400 saying what is wrong otherwise."""
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise HTTPException(400, f"{name} must be a day written YYYY-MM-DD, not {text!r}") from None


def asked_period(request: Request, start_text: str, end_text: str) -> Period | None:
    """The period ``[from, to)`` asked for; without either, the latest ``statistics_days``
    days with complaints (None when the store has none)."""
    start, end = parse_day(start_text, "from"), parse_day(end_text, "to")
    if start and end and end <= start:
        raise HTTPException(400, f"to ({end}) must be after from ({start})")
    days = get_settings(request).statistics_days
    if start and end:
        return Period(start, end)
    if start:
        return Period(start, start + timedelta(days=days))
    if end:
        return Period(end - timedelta(days=days), end)
    return stored_latest_period(analytics_dir(request), days)


def fiscal_year_period(
    request: Request, start_text: str, end_text: str, year_text: str
) -> Period | None:
    """:func:`asked_period`, or the fiscal year asked for (with neither from nor to)."""
    if not year_text.strip():
        return asked_period(request, start_text, end_text)
    if start_text.strip() or end_text.strip():
        raise HTTPException(400, "fiscal_year is a period of its own: leave out from and to")
    text = year_text.strip()
    if not (text.isascii() and text.isdigit() and 1971 <= int(text) <= 2099):
        raise HTTPException(400, f"fiscal_year must be a year 1971-2099, not {year_text!r}")
    return Period.fiscal_year(int(text))


def statistics(
    request: Request, db: Session, period: Period | None, top: int = DEFAULT_TOP
) -> ComplaintStats:
    """The complaint statistics of ``period`` in the app's analytics store
    (:func:`robotrace.stats.figures.period_statistics`)."""
    return period_statistics(db, analytics_dir(request), period, top)


def effects(request: Request, db: Session, period: Period | None) -> list[Effect]:
    """The enforcement steps taken in ``period`` (all when None) and their effects so far."""
    window = timedelta(days=get_settings(request).effects_window_days)
    start = day_start(period.start) if period else None
    end = day_start(period.end) if period else None
    now = request.app.state.clock.now()
    return enforcement_effects(db, analytics_dir(request), now, window, start, end)


def report_period(request: Request, start_text: str, end_text: str) -> Period:
    """The period report's ``[from, to)``; by default the year so far (to the end of today)."""
    today = request.app.state.clock.now().astimezone(UTC).date()
    start = parse_day(start_text, "from") or date(today.year, 1, 1)
    end = parse_day(end_text, "to") or today + timedelta(days=1)
    if end <= start:
        raise HTTPException(400, f"to ({end}) must be after from ({start})")
    return Period(start, end)


def period_report_of(request: Request, db: Session, period: Period) -> PeriodReport:
    window = timedelta(days=get_settings(request).effects_window_days)
    now = request.app.state.clock.now()
    return period_report(db, analytics_dir(request), period.start, period.end, now, window)


# --- Vega in the browser ------------------------------------------------------------------


def vega_version() -> str:
    import vl_convert

    return str(vl_convert.__version__)  # type: ignore[attr-defined]  # missing from its stub


def vega_script_path() -> str:
    """Where the page loads Vega from: versioned, so browsers may keep it for good."""
    return f"/assets/vega-{vega_version()}.js"


@cache
def vega_bundle() -> bytes:
    """Vega, Vega-Lite and Vega-Embed in one script from the installed vl-convert: no CDN,
    and the same versions that draw the PNGs. Built once per process (about a second)."""
    import vl_convert

    # Its stub makes the snippet required; vl-convert's own default (None) is the one wanted.
    return vl_convert.javascript_bundle().encode()  # type: ignore[call-arg]
