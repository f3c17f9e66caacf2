"""``robotrace campaigns``: group transcripts into campaigns, from a file or in the store."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Table

from robotrace.campaigns.grouping import Grouping, group_calls
from robotrace.clock import SystemClock
from robotrace.numbers import try_normalize
from robotrace.store.command import DATABASE_URL

_JSON = click.option("--json", "as_json", is_flag=True, help="Print JSON (see docs/cli.md).")
ID_COLUMNS = ("id", "file_name")


@click.group()
def campaigns() -> None:
    """Campaigns: calls grouped by what they say, tagged and ranked for traceback."""


@dataclass
class TranscriptFile:
    """A CSV of transcripts, read while grouping: only the ids stay in memory."""

    path: Path
    ids: list[str] = field(default_factory=list)

    def calls(self) -> Iterator[tuple[str, str | None]]:
        """``(transcript, caller ID)`` of each row, collecting the ids on the way."""
        try:
            with open(self.path, newline="", encoding="utf-8-sig") as handle:
                reader = csv.DictReader(handle)
                id_column = _id_column(reader.fieldnames or [], self.path)
                for row in reader:
                    self.ids.append(row[id_column] or "")
                    yield row["transcript"] or "", _e164(row.get("calling_number") or "")
        except UnicodeDecodeError as exc:
            raise click.UsageError(f"{self.path}: not UTF-8 text ({exc.reason})") from None


@campaigns.command()
@click.option(
    "--transcripts",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV with an id column (`id` or `file_name`) and `transcript` "
    "(optional `calling_number`, a supporting signal).",
)
@_JSON
def group(transcripts: Path, as_json: bool) -> None:
    """Group the transcripts of a CSV file into campaigns; the store is not touched.
    With --json, one line per row: id, campaign, name, tags."""
    read = TranscriptFile(transcripts)
    grouping = _group_with_progress(read, quiet=as_json)
    if as_json:
        for line in json_lines(read.ids, grouping):
            click.echo(line)
    else:
        _print_table(read, grouping)


def _id_column(columns: Sequence[str], path: Path) -> str:
    """The id column (`id`, else `file_name`); UsageError naming what is missing."""
    found = next((c for c in ID_COLUMNS if c in columns), None)
    if found is None or "transcript" not in columns:
        raise click.UsageError(
            f"{path}: needs the columns `transcript` and `id` or `file_name` "
            f"(found: {', '.join(columns) or 'none'})"
        )
    return found


@cache
def _e164(raw: str) -> str | None:
    return try_normalize(raw) if raw.strip() else None


def _group_with_progress(read: TranscriptFile, quiet: bool) -> Grouping:
    console = Console(stderr=True, quiet=quiet)
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}"))
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("reading", total=None)

        def advance(step: str, done: int, total: int) -> None:
            progress.update(task, description=step, completed=done, total=total or None)

        return group_calls(read.calls(), progress=advance)


def json_lines(ids: list[str], grouping: Grouping) -> Iterator[str]:
    """One JSON object per row: ``id``, ``campaign`` (null for a row without words),
    ``name``, ``tags``."""
    for row, row_id in enumerate(ids):
        found = grouping.campaign_of(row)
        record = {
            "id": row_id,
            "campaign": found.id if found else None,
            "name": found.name if found else "",
            "tags": list(found.tags) if found else [],
        }
        yield json.dumps(record, ensure_ascii=False)


def _print_table(read: TranscriptFile, grouping: Grouping) -> None:
    table = Table("campaign", "calls", "tags", "name")
    for found in grouping.campaigns:
        table.add_row(found.id, str(found.calls), ", ".join(found.tags), found.name)
    console = Console()
    console.print(table)
    empty = int((grouping.row_campaign < 0).sum())
    singles = sum(1 for found in grouping.campaigns if found.calls == 1)
    console.print(
        f"{len(read.ids)} transcripts in {len(grouping.campaigns)} campaigns "
        f"({singles} of a single call); {empty} without words"
    )


@campaigns.command()
@DATABASE_URL
@_JSON
def update(database_url: str, as_json: bool) -> None:
    """Group the store's calls that have no campaign yet: they join existing campaigns or
    form new ones; then every campaign's traceback priority is recomputed."""
    from robotrace.campaigns.service import update_campaigns
    from robotrace.store import db as store

    engine = store.existing_engine(database_url)
    try:
        with store.transaction(engine) as session:
            summary = update_campaigns(session, SystemClock())
    finally:
        engine.dispose()
    if as_json:
        click.echo(json.dumps(summary.as_dict()))
        return
    click.echo(
        f"{summary.grouped} call(s) grouped: {summary.joined} joined "
        f"{len(summary.grown)} existing campaign(s), {summary.new_campaign_calls} formed "
        f"{len(summary.new_campaigns)} new one(s); {summary.skipped} without words left "
        f"alone; {summary.ranked} campaign(s) ranked"
    )


REVIEW_ACTOR = "cli:campaigns-review"


@campaigns.command("not-illegal")
@click.argument("campaign_id")
@click.option("--reason", required=True, help="Why its calls are not illegal (audit-logged).")
@DATABASE_URL
def not_illegal(campaign_id: str, reason: str, database_url: str) -> None:
    """Mark a campaign not illegal (a legitimate recurring message: a pharmacy, a dental
    office): it leaves the queue, is not traced, and stops counting for letters."""
    from robotrace.campaigns.review import mark_not_illegal

    _review(
        campaign_id,
        database_url,
        lambda s, row, now: mark_not_illegal(s, row, reason, REVIEW_ACTOR, now),
    )
    click.echo(f"{campaign_id} marked not illegal: out of the queue")


@campaigns.command()
@click.argument("campaign_id")
@click.option("--reason", default="", help="Why it goes back (optional, audit-logged).")
@DATABASE_URL
def requeue(campaign_id: str, reason: str, database_url: str) -> None:
    """Take a campaign's "not illegal" mark back: it is in the queue again."""
    from robotrace.campaigns.review import put_back_in_queue

    _review(
        campaign_id,
        database_url,
        lambda s, row, now: put_back_in_queue(s, row, reason, REVIEW_ACTOR, now),
    )
    click.echo(f"{campaign_id} is back in the queue")


def _review(campaign_id: str, database_url: str, change: Callable[..., None]) -> None:
    """Run ``change(session, campaign, now)`` in one transaction; a refusal is the error."""
    from robotrace.campaigns.review import ReviewRefused
    from robotrace.store import db as store
    from robotrace.store import models

    engine = store.existing_engine(database_url)
    try:
        with store.transaction(engine) as session:
            row = session.get(models.Campaign, campaign_id)
            if row is None:
                raise click.ClickException(f"there is no campaign {campaign_id!r}")
            change(session, row, SystemClock().now())
    except ReviewRefused as refused:
        raise click.ClickException(str(refused)) from None
    finally:
        engine.dispose()
