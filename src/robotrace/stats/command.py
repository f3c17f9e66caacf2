"""``robotrace stats``: complaint statistics of the analytics store (``stats complaints``),
provider scorecards, enforcement effects and STIR/SHAKEN accountability of the SQL store
(``stats scorecards``, ``effects``, ``shaken``), each as JSON or a summary; and
``robotrace period-report``."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from click.core import ParameterSource
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from robotrace.files import write_whole
from robotrace.settings import Settings, settings_of
from robotrace.stats.complaints import (
    DEFAULT_TOP,
    ComplaintStats,
    Period,
    Ranking,
    complaint_stats,
)
from robotrace.stats.deprecated_flags import deprecated_flags, run_deprecated_flags
from robotrace.stats.enforcement import FIGURES, Effect

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from robotrace.stats.period import PeriodReport
    from robotrace.stats.scorecards import Scorecard

_T = TypeVar("_T")
_F = TypeVar("_F", bound=Callable[..., Any])

_DATE = click.DateTime(formats=["%Y-%m-%d"])


#: --from and --to of every report: UTC days, --to not counted.
_FROM = click.option(
    "--from", "start", type=_DATE, metavar="DATE", help="First day (UTC) of the period."
)
_TO = click.option(
    "--to",
    "end",
    type=_DATE,
    metavar="DATE",
    help="Day (UTC) after the period: --to is not counted.",
)
_ANALYTICS_DIR = click.option(
    "--analytics-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where complaints are stored (default: the analytics_dir setting).",
)
_STORE = click.option(
    "--database-url",
    metavar="URL",
    help="The store to read (default: the database_url setting).",
)


def _json(what: str) -> Callable[[_F], _F]:
    return click.option("--json", "as_json", is_flag=True, help=f"Print {what}.")


def _window(help_text: str) -> Callable[[_F], _F]:
    return click.option(
        "--window", type=click.FloatRange(min=0, min_open=True), metavar="DAYS", help=help_text
    )


@click.group(invoke_without_command=True)
@deprecated_flags
@click.pass_context
def stats(ctx: click.Context, **flags: Any) -> None:
    """Complaint statistics, provider scorecards, enforcement effects and STIR/SHAKEN
    accountability (docs/statistics.md).

    The flags of earlier releases (robotrace stats [--scorecards | --effects | --shaken] …)
    still work for this release, with a note on standard error: use the subcommands
    (docs/cli.md#robotrace-stats)."""
    if ctx.invoked_subcommand is None:
        run_deprecated_flags(ctx, **flags)
        return
    given = [name for name in flags if ctx.get_parameter_source(name) != ParameterSource.DEFAULT]
    if given:
        raise click.UsageError(
            f"options go after the subcommand: robotrace stats {ctx.invoked_subcommand} …"
        )


@stats.command("complaints")
@_json("one JSON object (docs/statistics.md)")
@_FROM
@_TO
@click.option(
    "--fiscal-year",
    type=click.IntRange(1971, 2099),
    metavar="YEAR",
    help="The federal fiscal year YEAR instead of --from/--to: 1 October of YEAR-1 to 30 "
    "September of YEAR, as the FTC's Do Not Call Data Book counts; compared with the "
    "fiscal year before.",
)
@_ANALYTICS_DIR
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=DEFAULT_TOP,
    show_default=True,
    help="How many subjects, states, area codes and numbers to rank.",
)
@click.option(
    "--database-url",
    metavar="URL",
    help="Store whose campaigns tagged covid-19 make their numbers' complaints COVID-19 "
    "related (without it, only the subject counts); with --png, also the store whose "
    "enforcement effects are drawn.",
)
@_window(
    "With --png: the length of each window before and after a step, in days (default: "
    "the effects_window_days setting)."
)
@click.option(
    "--png",
    "png_dir",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Also draw the charts as PNG files in DIR (complaints per day, subjects, states, "
    "robocalls; with --database-url, the enforcement effects too).",
)
def complaints(
    as_json: bool,
    start: datetime | None,
    end: datetime | None,
    fiscal_year: int | None,
    analytics_dir: Path | None,
    top: int,
    database_url: str | None,
    window: float | None,
    png_dir: Path | None,
) -> None:
    """Complaint statistics of the analytics store (docs/statistics.md).

    Complaints filed in [--from, --to) (UTC days; by default from the first to the last
    stored), or in --fiscal-year: per day, ISO week and month, robocall share, subjects, call
    types, states (and complaints per 100,000 residents), area codes, top numbers, COVID-19,
    and the change against the previous period of equal length."""
    first, last = days_of(start, end)
    if fiscal_year is not None:
        if start or end:
            raise click.UsageError("--fiscal-year is a period of its own: leave out --from/--to")
        year = Period.fiscal_year(fiscal_year)
        first, last = year.start, year.end
    target = _analytics(analytics_dir)
    keys = _covid_keys(database_url) if database_url else None
    figures = complaint_stats(target, first, last, top, keys)
    if png_dir:
        span = _span(window)
        _draw(figures, png_dir, database_url, target, span, start, end, quiet=as_json)
    if as_json:
        click.echo(json.dumps(figures.as_dict(), ensure_ascii=False))
    else:
        _print_summary(figures)


@stats.command("scorecards")
@_json("one JSON list")
@_FROM
@_TO
@_STORE
def scorecards(
    as_json: bool, start: datetime | None, end: datetime | None, database_url: str | None
) -> None:
    """Provider scorecards of the SQL store (tracebacks by role, answer times, refusals and
    silences with their reasons, letters, authorizations, block list) for the tracebacks of
    calls made in [--from, --to) (docs/statistics.md#provider-scorecards)."""
    days_of(start, end)
    _print_scorecards(database_url, start, end, as_json)


@stats.command("effects")
@_json("one JSON list")
@_FROM
@_TO
@_ANALYTICS_DIR
@_STORE
@_window(
    "The length of each window before and after a step, in days (default: the "
    "effects_window_days setting)."
)
def effects(
    as_json: bool,
    start: datetime | None,
    end: datetime | None,
    analytics_dir: Path | None,
    database_url: str | None,
    window: float | None,
) -> None:
    """What each letter and block authorization made in [--from, --to) changed: its named
    campaigns' complaints, calls and traced calls in equal windows before and after it
    (docs/statistics.md#enforcement-effects)."""
    days_of(start, end)
    _print_effects(database_url, _analytics(analytics_dir), _span(window), start, end, as_json)


@stats.command("shaken")
@_json("one JSON object")
@_FROM
@_TO
@_STORE
@click.option(
    "--dno",
    "dno_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    metavar="FILE",
    help="The Do-Not-Originate list (one number per line, # comments; default: the "
    "blocker_dno_file setting).",
)
@click.option("--signer", metavar="SPC", help="Only this signer (its SPC, usually its OCN).")
@click.option(
    "--csv",
    "csv_file",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    metavar="FILE",
    help="Also write the calls that count against each signer as CSV to FILE (- : standard "
    "output), the export to attach to an RMD deficiency report.",
)
def shaken(
    as_json: bool,
    start: datetime | None,
    end: datetime | None,
    database_url: str | None,
    dno_file: Path | None,
    signer: str | None,
    csv_file: Path | None,
) -> None:
    """STIR/SHAKEN accountability per signer (SPC) of the SQL store, for calls made in
    [--from, --to): A/B signatures on invalid, unassigned or Do-Not-Originate caller IDs, A/B
    signatures by a provider the traceback shows did not originate the call, and after
    2025-09-18 signatures under a certificate not the originating provider's
    (docs/statistics.md#stirshaken-accountability)."""
    from robotrace.stats.shaken_cli import print_shaken

    days_of(start, end)
    dno = dno_file if dno_file is not None else _settings().blocker_dno_file
    print_shaken(database_url, start, end, as_json, dno, signer, csv_file)


def days_of(start: datetime | None, end: datetime | None) -> tuple[date | None, date | None]:
    """The days of --from and --to; a --to before --from is a usage error."""
    first, last = _day(start), _day(end)
    if first and last and last < first:
        raise click.UsageError(f"--to {last} is before --from {first}")
    return first, last


def _settings() -> Settings:
    """The settings the robotrace group read when the command started."""
    return settings_of(click.get_current_context())


def _analytics(folder: Path | None) -> Path:
    return folder or Path(_settings().analytics_dir)


def _span(window: float | None) -> timedelta:
    return timedelta(days=window or _settings().effects_window_days)


def _day(value: datetime | None) -> date | None:
    return value.date() if value else None


def _covid_keys(database_url: str) -> frozenset[str]:
    from robotrace.stats.covid import covid_campaign_keys

    return _read_store(database_url, covid_campaign_keys)


def _read_store(database_url: str | None, read: Callable[[Session], _T]) -> _T:
    from robotrace.store import db as store

    # Without --database-url: the database_url setting the robotrace group read.
    url = database_url or _settings().database_url
    engine = store.existing_engine(url)
    try:
        if store.current_revision(engine) != store.head_revision():
            raise click.UsageError("the store's schema is not up to date: run robotrace db upgrade")
        with store.transaction(engine) as session:
            return read(session)
    finally:
        engine.dispose()


def _print_scorecards(
    database_url: str | None, start: datetime | None, end: datetime | None, as_json: bool
) -> None:
    from robotrace.stats.scorecards import provider_scorecards

    first, last = (_utc(value) for value in (start, end))
    cards = _read_store(database_url, lambda session: provider_scorecards(session, first, last))
    if as_json:
        click.echo(json.dumps([card.as_dict() for card in cards], ensure_ascii=False))
        return
    console = Console()
    console.print(_scorecard_table(cards))
    if any(card.findings for card in cards):
        console.print(_findings_table(cards))


def _draw(
    figures: ComplaintStats,
    folder: Path,
    database_url: str | None,
    analytics_dir: Path,
    window: timedelta,
    start: datetime | None,
    end: datetime | None,
    quiet: bool,
) -> None:
    from robotrace.stats.charts import statistics_charts, write_pngs

    found = None
    if database_url:
        found = _effects(database_url, analytics_dir, window, start, end)
    written = write_pngs(statistics_charts(figures, found), folder)
    if not quiet:
        for path in written:
            click.echo(f"wrote {path}", err=True)


def _effects(
    database_url: str | None,
    analytics_dir: Path,
    window: timedelta,
    start: datetime | None,
    end: datetime | None,
) -> list[Effect]:
    from robotrace.clock import SystemClock
    from robotrace.stats.enforcement import enforcement_effects

    return _read_store(
        database_url,
        lambda session: enforcement_effects(
            session, analytics_dir, SystemClock().now(), window, _utc(start), _utc(end)
        ),
    )


def _print_effects(
    database_url: str | None,
    analytics_dir: Path,
    window: timedelta,
    start: datetime | None,
    end: datetime | None,
    as_json: bool,
) -> None:
    found = _effects(database_url, analytics_dir, window, start, end)
    if as_json:
        click.echo(json.dumps([effect.as_dict() for effect in found], ensure_ascii=False))
        return
    Console().print(effects_table(found))


def effects_table(effects: list[Effect]) -> Table:
    table = Table(
        "when (UTC)",
        "step",
        "provider",
        "campaigns",
        "days",
        "complaints before → after",
        "calls before → after",
        "traced before → after",
        title="enforcement effects",
    )
    for effect in effects:
        columns = [
            f"{getattr(effect.before, f):,} → {getattr(effect.after, f):,}"
            f"{_relative(effect.relative(f))}"
            for f in FIGURES
        ]
        table.add_row(
            f"{effect.at:%Y-%m-%d %H:%M}",
            effect.kind.replace("_", " "),
            effect.key,
            ", ".join(effect.campaigns) or "–",
            f"{effect.window_hours / 24:.3g}" + ("" if effect.complete else " (so far)"),
            *columns,
        )
    return table


def _relative(value: float | None) -> str:
    return " (none before)" if value is None else f" ({value:+.0%})"  # None: 0 before


def _utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value else None


def _hours(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def _scorecard_table(cards: list[Scorecard]) -> Table:
    from robotrace.stats.scorecards import ROLES

    table = Table(
        "key",
        "provider",
        "tracebacks",
        "orig/gw/int/term",
        "requests",
        "answered",
        "median h",
        "p90 h",
        "no resp.",
        "refused",
        "late",
        "letters",
        "auth. active/lifted",
        "blocked",
        title="provider scorecards",
    )
    for card in cards:
        roles = "/".join(str(card.roles[r]) for r in ROLES[:4])
        letters = ", ".join(f"{n} {status}" for status, n in card.letters.items()) or "–"
        table.add_row(
            card.key,
            card.name,
            str(card.tracebacks),
            roles,
            str(card.requests),
            str(card.answered),
            _hours(card.answer_hours_median),
            _hours(card.answer_hours_p90),
            str(card.no_response),
            str(card.refused),
            str(card.late),
            letters,
            f"{card.authorizations.get('active', 0)}/{card.authorizations.get('lifted', 0)}",
            "yes" if card.on_blocklist else "no",
        )
    return table


def _findings_table(cards: list[Scorecard]) -> Table:
    """Each refusal and silence of the scorecards, with its reason."""
    table = Table("key", "traceback", "finding", title="refusals and silences")
    for card in cards:
        for finding in card.findings:
            table.add_row(card.key, finding.traceback_id, escape(finding.text))  # theirs
    return table


def _print_summary(figures: ComplaintStats) -> None:
    console = Console()
    if figures.period is None:
        console.print("no complaints stored")
        return
    change = figures.change["complaints"]
    relative = f" ({change.relative:+.1%})" if change.relative is not None else ""
    compared = (
        f"previous period {change.previous:,}, change {change.absolute:+,}{relative}"
        if change.previous
        else "no data for the previous period"
    )
    share = figures.robocalls.share
    fiscal = f"FY{figures.fiscal_year}: " if figures.fiscal_year else ""
    console.print(
        f"{fiscal}{figures.complaints:,} complaints filed {figures.period.start} to "
        f"{figures.period.end} (exclusive); {compared}\n"
        f"robocall share: {'–' if share is None else f'{share:.1%}'} "
        f"({figures.robocalls.unknown:,} without an answer); COVID-19 related: "
        f"{figures.covid.complaints:,}"
    )
    console.print(_table("subject", figures.subjects))
    console.print(_table("call type (FCC)", figures.call_types))
    console.print(_table("state", figures.states))
    console.print(_rates_table(figures))
    console.print(_table("area code", figures.area_codes))
    numbers = figures.numbers
    console.print(_table("number", Ranking(numbers.top, numbers.rest, 0)))
    console.print(
        f"fragments: {numbers.fragments:,}; empty numbers: {numbers.empty:,}; "
        f"own number being spoofed (not ranked): {numbers.spoofed_own_number:,}"
    )


def _rates_table(figures: ComplaintStats) -> Table:
    from robotrace.stats.states import POPULATION_SOURCE

    table = Table(
        "state", "complaints", "residents", "per 100,000",
        title="complaints per 100,000 residents", caption=f"residents: {POPULATION_SOURCE}",
    )  # fmt: skip
    for rate in figures.per_100k:
        table.add_row(
            escape(rate.state), f"{rate.complaints:,}", f"{rate.population:,}",
            f"{rate.per_100k:,.2f}",
        )  # fmt: skip
    return table


def _table(title: str, ranking: Ranking) -> Table:
    table = Table(title, "complaints")
    for count in ranking.top:
        table.add_row(count.value or "", f"{count.complaints:,}")
    table.add_row("(others)", f"{ranking.rest:,}")
    if ranking.unknown:
        table.add_row("(none given)", f"{ranking.unknown:,}")
    return table


@click.command("period-report")
@click.option("--from", "start", type=_DATE, required=True, metavar="DATE", help="First day (UTC).")
@click.option(
    "--to", "end", type=_DATE, required=True, metavar="DATE", help="Day (UTC) after the period."
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
@click.option(
    "--html", "html_path", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
    help="Write the report as one HTML file.",
)  # fmt: skip
@click.option(
    "--pdf", "pdf_path", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
    help="Write the report as a PDF.",
)  # fmt: skip
@click.option(
    "--window",
    type=click.FloatRange(min=0, min_open=True),
    metavar="DAYS",
    help="Days before and after each enforcement step (default: effects_window_days).",
)
@click.option("--analytics-dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--database-url", metavar="URL", help="Store to read (default: database_url).")
def period_report(
    start: datetime,
    end: datetime,
    as_json: bool,
    html_path: Path | None,
    pdf_path: Path | None,
    window: float | None,
    analytics_dir: Path | None,
    database_url: str | None,
) -> None:
    """The period report (docs/statistics.md#period-report): tracebacks opened in [--from,
    --to), providers identified (new and returning), non-responsive providers, refusals with
    their stated reasons, average hops, time to complete (median, 90th percentile), the shares
    ending foreign, reaching a foreign origin and with the origin identified, top campaigns,
    subpoenas and civil investigative demands issued, and the enforcement steps taken with
    their effects."""
    from robotrace.clock import SystemClock
    from robotrace.stats.period import period_report as build
    from robotrace.stats.period import report_html, report_pdf

    if end <= start:
        raise click.UsageError(f"--to {end:%Y-%m-%d} must be after --from {start:%Y-%m-%d}")
    target, span = _analytics(analytics_dir), _span(window)
    report = _read_store(
        database_url,
        lambda session: build(session, target, start.date(), end.date(), SystemClock().now(), span),
    )
    zone = _settings().display_zone
    for path, content in ((html_path, report_html), (pdf_path, report_pdf)):
        if path is not None:
            write_whole(path, content(report, zone))
            click.echo(f"wrote {path}", err=True)
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False))
    elif not (html_path or pdf_path):
        _print_report(report)


def _print_report(report: PeriodReport) -> None:
    from robotrace.stats.period import annual_figures_text

    console = Console()
    share = report.origin_identified.share
    foreign = report.ending_foreign.share
    console.print(
        f"{report.tracebacks:,} tracebacks opened {report.start} to {report.end} (exclusive), "
        f"{report.closed:,} closed\n"
        f"providers identified: {report.providers_identified:,} "
        f"({report.new_providers:,} new, {report.returning_providers:,} returning); "
        f"non-responsive: {len(report.non_responsive_providers):,}\n"
        f"average hops: {'–' if report.average_hops is None else f'{report.average_hops:.1f}'}; "
        f"ending foreign: {'–' if foreign is None else f'{foreign:.0%}'}; "
        f"origin identified: {'–' if share is None else f'{share:.0%}'}"
    )
    for each in report.refusals_and_silences:
        console.print(
            f"{each.key} {each.name}: {each.refusals} refused, {each.silences} no response",
            markup=False,
        )
        for finding in each.findings:
            console.print(f"  {finding.traceback_id}: {finding.text}", markup=False)
    for line in annual_figures_text(report):  # time to complete, foreign origin, refusals, CIDs
        console.print(line, markup=False)
    steps = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in report.enforcement.items())
    console.print(f"enforcement: {steps}")
    if report.effects:
        console.print(effects_table(report.effects))
