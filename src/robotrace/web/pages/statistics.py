"""The public "latest statistics" page, the provider scorecards and the Vega script.

``/statistics`` needs no sign-in: complaint figures are public, as the FTC's are. Readers of
all (coordinators, admins, regulators) see below them what each enforcement step changed;
providers and the public do not (the steps name providers under investigation).
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from robotrace.clock import day_start
from robotrace.stats.charts import statistics_charts
from robotrace.stats.period import report_html, report_pdf
from robotrace.stats.scorecards import provider_scorecards
from robotrace.stats.states import POPULATION_SOURCE
from robotrace.web.deps import REQUEST_DB, optional_principal, require_roles
from robotrace.web.pages.common import READERS
from robotrace.web.principal import Principal
from robotrace.web.statistics_views import (
    FISCAL_YEAR,
    FROM,
    TO,
    effects,
    fiscal_year_period,
    parse_day,
    period_report_of,
    report_period,
    statistics,
    vega_bundle,
    vega_script_path,
    vega_version,
)
from robotrace.web.templating import render

router = APIRouter(include_in_schema=False)  # pages; the OpenAPI describes /api/v1

#: The scorecards' role columns, in the chain's order from the origin: (role, header, hint).
SCORECARD_ROLES = (
    ("originating", "Originating", "Tracebacks in which it originated the call"),
    ("gateway", "Gateway", "Tracebacks in which it brought the call into the U.S. network"),
    ("intermediate", "Intermediate", "Tracebacks in which it carried the call between others"),
    ("terminating", "Terminating", "Tracebacks in which it delivered the call to the consumer"),
    ("foreign", "Foreign", "Tracebacks in which it was a foreign provider"),
    ("non_cooperative", "Did not cooperate", "Tracebacks it did not answer or refused"),
)


def script_json(value: object) -> str:
    """JSON safe inside a ``<script>`` element: no ``<``, ``>`` or ``&`` (a subject typed by a
    consumer could hold ``</script>``)."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _sees_effects(principal: Principal | None) -> bool:
    return principal is not None and principal.role in READERS


@router.get("/statistics")
def statistics_page(
    request: Request,
    start: str = FROM,
    end: str = TO,
    fiscal_year: str = FISCAL_YEAR,
    principal: Principal | None = Depends(optional_principal),
    db: Session = REQUEST_DB,
) -> Response:
    period = fiscal_year_period(request, start, end, fiscal_year)
    figures = statistics(request, db, period)
    steps = effects(request, db, figures.period) if _sees_effects(principal) else None
    charts = statistics_charts(figures, steps)
    return render(
        request,
        "statistics.html",
        principal,
        figures=figures,
        effects=steps,
        charts={name: script_json(spec) for name, spec in charts.items()},
        vega_script=vega_script_path(),
        population_source=POPULATION_SOURCE,
    )


@router.get("/assets/vega-{version}.js")
def vega_script(version: str) -> Response:
    if version != vega_version():
        return Response(status_code=404)
    return Response(
        vega_bundle(),
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=31536000, immutable"},
    )


@router.get("/scorecards")
def scorecards_page(
    request: Request,
    start: str = FROM,
    end: str = TO,
    principal: Principal = Depends(require_roles(*READERS)),
    db: Session = REQUEST_DB,
) -> Response:
    first, last = parse_day(start, "from"), parse_day(end, "to")
    return render(
        request,
        "scorecards.html",
        principal,
        cards=provider_scorecards(db, day_start(first), day_start(last)),
        roles=SCORECARD_ROLES,
        start=first,
        end=last,
    )


@router.get("/period-report")
def period_report_page(
    request: Request,
    start: str = FROM,
    end: str = TO,
    principal: Principal = Depends(require_roles(*READERS)),
    db: Session = REQUEST_DB,
) -> Response:
    """The period report as its own printable document (the PDF is the same)."""
    report = period_report_of(request, db, report_period(request, start, end))
    return HTMLResponse(report_html(report, request.app.state.settings.display_zone))


@router.get("/period-report.pdf")
def period_report_pdf(
    request: Request,
    start: str = FROM,
    end: str = TO,
    principal: Principal = Depends(require_roles(*READERS)),
    db: Session = REQUEST_DB,
) -> Response:
    period = report_period(request, start, end)
    report = period_report_of(request, db, period)
    name = f"robotrace-period-report-{period.start}-{period.end}.pdf"
    return Response(
        report_pdf(report, request.app.state.settings.display_zone),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
