"""``robotrace trace``: hop-by-hop tracebacks straight from files."""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path

import click
from rich.console import Console

from robotrace.clock import SimulatedClock, SystemClock, parse_utc
from robotrace.numbers import InvalidNumber, traced_numbers
from robotrace.providers.imports import registry_of_files
from robotrace.rows import BadRowsError
from robotrace.settings import Settings, or_setting, pass_settings
from robotrace.traceback.files import (
    CallToTrace,
    answerers_for,
    info_of,
    read_calls_csv,
    trace_call,
)
from robotrace.traceback.findings import summary_of
from robotrace.traceback.model import CallUnderTrace, ProviderInfo
from robotrace.traceback.render import print_chain
from robotrace.traceback.workflow import Policy


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


def _single_call(
    calling: str | None, called: str | None, time: str | None, at: str | None
) -> CallToTrace:
    if not (called and time and at):
        _fail("give --called, --time and --at (and --calling), or --calls FILE")
    try:
        when = parse_utc(time or "")
    except ValueError as exc:
        _fail(f"--time: {exc}")
        raise
    try:
        calling, called = traced_numbers(calling, called)
    except InvalidNumber as exc:
        _fail(str(exc))
        raise
    return CallToTrace(CallUnderTrace(calling, called or "", when), (at or "").upper())


@click.command()
@click.option(
    "--providers",
    "providers_csv",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    multiple=True,
    help="The provider registry: the FCC's RMD export and/or robotrace's providers.csv "
    "(repeat it: a simulated world has providers.csv and provider-ids.csv).",
)
@click.option(
    "--cdrs",
    type=click.Path(exists=True, path_type=Path),
    required=True,
    help="A folder (or file) of CDRs in .csv/.parquet; each row names its provider.",
)
@click.option("--calling", help="Calling number (caller ID) of the call to trace.")
@click.option("--called", help="Called number of the call to trace.")
@click.option("--time", "call_time", help="Call time, ISO-8601 UTC.")
@click.option("--at", "at", help="The terminating provider (its key, e.g. its OCN).")
@click.option(
    "--calls",
    "calls_csv",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV of calls to trace: calling_number,called_number,call_time,"
    "terminating_provider. Prints one JSON line per row, in input order.",
)
@click.option(
    "--skew",
    type=float,
    default=None,
    callback=or_setting("cdr_skew_seconds"),
    help="Clock skew tolerated in seconds (default: the cdr_skew_seconds setting).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_settings
def trace(
    settings: Settings,
    providers_csv: tuple[Path, ...],
    cdrs: Path,
    calling: str | None,
    called: str | None,
    call_time: str | None,
    at: str | None,
    calls_csv: Path | None,
    skew: float,
    as_json: bool,
) -> None:
    """Trace calls hop by hop from a provider registry and the providers' own CDRs."""
    from robotrace.cdr.lookup import open_records_dir

    try:
        targets = (
            read_calls_csv(calls_csv)
            if calls_csv
            else [_single_call(calling, called, call_time, at)]
        )
        directory: dict[str, ProviderInfo] = {
            p.key: info_of(p, settings.business_zone) for p in registry_of_files(providers_csv)
        }
        records = open_records_dir(cdrs)
    except BadRowsError as exc:
        _fail(str(exc))
        return
    answerers = answerers_for(records, directory, skew)
    clock = SimulatedClock(SystemClock().now())
    policy = Policy.from_settings(settings)
    console = Console()
    failed = 0
    for number, target in enumerate(targets, start=1):
        try:
            run = trace_call(f"TR-{number}", target, directory, answerers, clock, policy)
        except ValueError as exc:
            _emit_error(number, str(exc), as_json or calls_csv is not None)
            failed += 1
            continue
        summary = summary_of(run.traceback, directory)
        if as_json or calls_csv:
            click.echo(json.dumps(summary))
        else:
            print_chain(console, summary)
        clock.advance(timedelta(seconds=1))
    if failed:
        sys.exit(1)


def _emit_error(number: int, message: str, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps({"id": f"TR-{number}", "error": message}))
    else:
        click.echo(f"error: TR-{number}: {message}", err=True)
