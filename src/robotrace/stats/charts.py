"""The statistics as charts: Vega-Lite specifications made with Altair, PNGs with vl-convert.

One function per chart, each from the figures the page and ``robotrace stats complaints --json``
show, so a chart can never say something the numbers do not. The same specifications are drawn in
the browser by Vega (the scripts come from vl-convert's bundle, served by the portal, never a
CDN) and as PNG files by ``robotrace stats complaints --png DIR``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import altair as alt

from robotrace.files import write_whole
from robotrace.stats.complaints import ComplaintStats, Ranking
from robotrace.stats.enforcement import Effect

WIDTH = 640
#: Charts by name, in the order the page shows them; the PNG of ``name`` is ``name.png``.
NAMES = ("complaints-per-day", "subjects", "states", "robocalls", "enforcement-effects")
OTHERS = "(others)"
NONE_GIVEN = "(none given)"


def statistics_charts(
    figures: ComplaintStats, effects: Sequence[Effect] | None = None
) -> dict[str, dict[str, Any]]:
    """The Vega-Lite specification of each chart that has something to show, by name."""
    charts: dict[str, alt.TopLevelMixin] = {}
    if figures.complaints:
        charts["complaints-per-day"] = per_day_chart(figures)
        charts["subjects"] = ranking_chart(figures.subjects, "Subject", "Complaints by subject")
        charts["states"] = ranking_chart(figures.states, "State", "Complaints by state")
        charts["robocalls"] = robocall_chart(figures)
    if effects and any(e.campaigns for e in effects):
        charts["enforcement-effects"] = effects_chart(effects)
    return {name: charts[name].to_dict() for name in NAMES if name in charts}


def per_day_chart(figures: ComplaintStats) -> alt.Chart:
    rows = [{"day": c.value, "complaints": c.complaints} for c in figures.per_day]
    return (
        alt.Chart(alt.Data(values=rows), title="Complaints filed per day (UTC)")
        .mark_bar(color="#1f5f8b")
        .encode(
            x=alt.X("day:T", title="day filed", timeUnit="utcyearmonthdate"),
            y=alt.Y("complaints:Q", title="complaints"),
            tooltip=[alt.Tooltip("day:T", format="%Y-%m-%d"), "complaints:Q"],
        )
        .properties(width=WIDTH, height=220)
    )


def ranking_rows(ranking: Ranking) -> list[dict[str, Any]]:
    """The ranked values, then the others and the complaints that gave none (when any)."""
    rows = [{"value": c.value, "complaints": c.complaints} for c in ranking.top]
    if ranking.rest:
        rows.append({"value": OTHERS, "complaints": ranking.rest})
    if ranking.unknown:
        rows.append({"value": NONE_GIVEN, "complaints": ranking.unknown})
    for rank, row in enumerate(rows):
        row["rank"] = rank
    return rows


def ranking_chart(ranking: Ranking, label: str, title: str) -> alt.Chart:
    return (
        alt.Chart(alt.Data(values=ranking_rows(ranking)), title=title)
        .mark_bar(color="#1f5f8b")
        .encode(
            y=alt.Y("value:N", title=label, sort=alt.EncodingSortField("rank")),
            x=alt.X("complaints:Q", title="complaints"),
            tooltip=["value:N", "complaints:Q"],
        )
        .properties(width=WIDTH - 200)
    )


def robocall_chart(figures: ComplaintStats) -> alt.Chart:
    robocalls = figures.robocalls
    rows = [
        {"answer": "recorded message or robocall", "complaints": robocalls.yes},
        {"answer": "live caller", "complaints": robocalls.no},
        {"answer": "not said", "complaints": robocalls.unknown},
    ]
    return (
        alt.Chart(alt.Data(values=rows), title="Was it a robocall?")
        .mark_bar()
        .encode(
            y=alt.Y("answer:N", title=None, sort=None),
            x=alt.X("complaints:Q", title="complaints"),
            color=alt.Color("answer:N", legend=None, scale=alt.Scale(scheme="tableau10")),
            tooltip=["answer:N", "complaints:Q"],
        )
        .properties(width=WIDTH - 200)
    )


def effects_rows(effects: Sequence[Effect]) -> list[dict[str, Any]]:
    """Complaints before and after each event that names campaigns."""
    rows = []
    for effect in effects:
        if not effect.campaigns:
            continue
        event = f"{effect.kind.replace('_', ' ')} {effect.key} {effect.at:%Y-%m-%d}"
        for side in ("before", "after"):
            complaints = getattr(effect, side).complaints
            rows.append({"event": event, "side": side, "complaints": complaints})
    return rows


def effects_chart(effects: Sequence[Effect]) -> alt.Chart:
    return (
        alt.Chart(
            alt.Data(values=effects_rows(effects)),
            title="Complaints about the named campaigns, before and after each step",
        )
        .mark_bar()
        .encode(
            y=alt.Y("side:N", title=None, sort=["before", "after"]),
            x=alt.X("complaints:Q", title="complaints in the window"),
            color=alt.Color(
                "side:N",
                sort=["before", "after"],
                scale=alt.Scale(domain=["before", "after"], range=["#b04a3b", "#2e7d4f"]),
            ),
            row=alt.Row("event:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left")),
            tooltip=["event:N", "side:N", "complaints:Q"],
        )
        .properties(width=WIDTH - 240)
    )


def write_pngs(charts: dict[str, dict[str, Any]], folder: Path, scale: float = 2) -> list[Path]:
    """Each chart as ``folder/<name>.png``; a file is only ever replaced by a whole one."""
    import vl_convert

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, spec in charts.items():
        target = folder / f"{name}.png"
        write_whole(target, vl_convert.vegalite_to_png(spec, scale=scale))
        written.append(target)
    return written
