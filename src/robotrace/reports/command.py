"""``robotrace reports``: export consumer reports as FTC data, and feed waiting ones to the
analytics store."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TextIO

import click

from robotrace.clock import SystemClock
from robotrace.files import written_whole
from robotrace.settings import or_setting
from robotrace.store.command import DATABASE_URL

_DATE = click.DateTime(formats=["%Y-%m-%d"])


@click.group()
def reports() -> None:
    """Consumer reports of unwanted calls (the public form /report, POST /api/v1/reports)."""


@reports.command()
@DATABASE_URL
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV file to write (default: standard output); written whole or not at all.",
)
@click.option("--from", "start", type=_DATE, metavar="DATE", help="First day (UTC) received.")
@click.option("--to", "end", type=_DATE, metavar="DATE", help="Day (UTC) after the last.")
def export(
    database_url: str, out: Path | None, start: datetime | None, end: datetime | None
) -> None:
    """Write the reports received in [--from, --to) as an FTC Do Not Call CSV: the FTC's
    eight public columns only, never the reporter's name, e-mail or number, what the
    caller said, or the reference."""
    from robotrace.reports.export import public_rows, write_csv
    from robotrace.store import db as store

    engine = store.existing_engine(database_url)
    try:
        with store.transaction(engine) as session:
            rows = public_rows(session, start and start.date(), end and end.date())
            if out is None:
                count = write_csv(rows, sys.stdout)
            else:
                count = _write_file(out, lambda handle: write_csv(rows, handle))
    finally:
        engine.dispose()
    click.echo(f"{count} report(s) exported", err=True)


def _write_file(path: Path, write: Callable[[TextIO], int]) -> int:
    """Write through ``write`` to a file that replaces ``path`` only once it is whole."""
    with written_whole(path) as partial, partial.open("w", newline="", encoding="utf-8") as handle:
        return write(handle)


@reports.command()
@DATABASE_URL
@click.option(
    "--analytics-dir",
    type=click.Path(file_okay=False, path_type=Path),
    callback=or_setting("analytics_dir", Path),
    help="The analytics store (default: the analytics_dir setting).",
)
def feed(database_url: str, analytics_dir: Path) -> None:
    """Store the complaints of reports not in the analytics store yet (filing feeds each at
    once; this catches up after a failure). Feeding twice adds nothing twice."""
    from robotrace.reports.evidence import feed_complaints
    from robotrace.store import db as store

    engine = store.existing_engine(database_url)
    fed = added = 0
    try:
        while True:
            with store.transaction(engine) as session:
                batch, new = feed_complaints(session, analytics_dir, SystemClock())
            fed, added = fed + batch, added + new
            if batch == 0:
                break
    finally:
        engine.dispose()
    click.echo(f"{fed} report(s) fed to {analytics_dir}: {added} new complaint(s)")
