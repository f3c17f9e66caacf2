"""``robotrace evidence import``: complaints, honeypot calls and SIP captures into the stores."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy.orm import Session

from robotrace.clock import parse_utc
from robotrace.evidence.imports import (
    EvidenceFile,
    FileSummary,
    ImportOptions,
    ImportSummary,
    evidence_files,
    import_evidence,
    needs_database,
)
from robotrace.evidence.registry import ByteProgress, evidence_formats
from robotrace.settings import or_setting
from robotrace.store.db import current_revision, existing_engine, head_revision, transaction


@click.group()
def evidence() -> None:
    """Evidence: consumer complaints, honeypot calls and SIP captures."""


def _time(_ctx: click.Context, _param: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_utc(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@evidence.command(name="import")
@click.argument(
    "paths",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option(
    "--format",
    "format_name",
    type=click.Choice(list(evidence_formats())),
    help="The files' format; default: recognised from each file's first line.",
)
@click.option(
    "--skip-bad-rows",
    is_flag=True,
    help="Import the good rows of files with bad rows (each bad row is still listed).",
)
@click.option(
    "--default-time",
    callback=_time,
    metavar="TIME",
    help="Call time (ISO-8601 UTC) of SIP INVITEs without a Date header; else they are bad.",
)
@click.option(
    "--terminating-provider",
    metavar="KEY",
    help="The provider that delivered the SIP INVITEs to you (its key, OCN or RMD number; "
    "must be registered).",
)
@click.option(
    "--analytics-dir",
    type=click.Path(file_okay=False, path_type=Path),
    callback=or_setting("analytics_dir", Path),
    help="Where complaints are stored (default: the analytics_dir setting).",
)
@click.option(
    "--database-url",
    callback=or_setting("database_url"),
    help="Store for calls (default: the database_url setting).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def import_(
    paths: tuple[Path, ...],
    format_name: str | None,
    skip_bad_rows: bool,
    default_time: datetime | None,
    terminating_provider: str | None,
    analytics_dir: Path,
    database_url: str,
    as_json: bool,
) -> None:
    """Import evidence files: FTC or FCC complaint CSVs (into the analytics store), honeypot
    call records or SIP INVITE captures (into the calls table). Rows already stored are
    skipped. A file with a bad row imports nothing (every bad row is listed as
    FILE:LINE: REASON, exit 1) unless --skip-bad-rows is given."""
    files = evidence_files(list(paths), format_name)
    with _progress(files, quiet=as_json) as progress:
        options = ImportOptions(skip_bad_rows, default_time, terminating_provider, progress)
        with _session(files, database_url) as session:
            summary = import_evidence(files, analytics_dir, session, options)
    _print(summary, as_json)
    sys.exit(1 if summary.rejected else 0)


@contextmanager
def _session(files: list[EvidenceFile], database_url: str) -> Iterator[Session | None]:
    """A transaction on the store when a file holds calls; complaints need none."""
    if not needs_database(files):
        yield None
        return
    engine = existing_engine(database_url)
    try:
        if current_revision(engine) != head_revision():
            raise click.UsageError("the store's schema is not up to date: run robotrace db upgrade")
        with transaction(engine) as session:
            yield session
    finally:
        engine.dispose()


@contextmanager
def _progress(files: list[EvidenceFile], quiet: bool) -> Iterator[ByteProgress | None]:
    """A progress bar of bytes read over all files, on standard error."""
    if quiet:
        yield None
        return
    sizes = {f.shown: f.path.stat().st_size for f in files}
    done = dict.fromkeys(sizes, 0)
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn())
    console = Console(stderr=True)
    with Progress(*columns, TimeRemainingColumn(), console=console, transient=True) as bar:
        task = bar.add_task("reading", total=sum(sizes.values()))

        def advance(shown: str, read: int, _total: int) -> None:
            done[shown] = read
            bar.update(task, description=f"reading {shown}", completed=sum(done.values()))

        yield advance


def _print(summary: ImportSummary, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(summary.as_dict()))
        return
    for error in summary.errors:
        click.echo(str(error))
    for line in summary.files:
        click.echo(f"{line.file} ({line.format or '?'}): {line.rows} rows, {_said(line, summary)}")
    click.echo(_verdict(summary), err=summary.rejected)


def _said(line: FileSummary, summary: ImportSummary) -> str:
    if line.rejected:
        return "refused"
    if not summary.written:
        return f"{line.bad_rows} bad, not imported"
    bad = f", {line.bad_rows} bad left out" if line.bad_rows else ""
    return f"{line.added} added, {line.skipped} skipped{bad}"


def _verdict(summary: ImportSummary) -> str:
    refused = sum(f.rejected for f in summary.files)
    said = f"{refused} file(s) refused, " if refused else ""
    if not summary.written:
        return f"{said}{summary.bad_rows} bad row(s); nothing imported"
    bad = f", {summary.bad_rows} bad row(s) left out" if summary.bad_rows else ""
    return (
        f"{said}{summary.added} added, {summary.skipped} skipped (stored already or repeated){bad}"
    )
