"""``robotrace simulate``: write a synthetic network's CDRs, evidence and ground truth."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from robotrace.clock import parse_utc
from robotrace.simulate.notices import NOTIFIED_RESPONSES
from robotrace.simulate.runner import FILE_FORMATS, SimulationParams
from robotrace.simulate.runner import simulate as run


def _time(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_utc(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@contextmanager
def _progress_bar(total: int, shown: bool) -> Iterator[Callable[[int], None] | None]:
    if not shown:
        yield None
        return
    columns = (
        TextColumn("simulating calls"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), TimeRemainingColumn(),
    )  # fmt: skip
    with Progress(*columns, console=Console(stderr=True), transient=False) as bar:
        task = bar.add_task("calls", total=total)
        yield lambda done: bar.advance(task, done)


@click.command()
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Output directory (created if missing).",
)
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed.")
@click.option(
    "--providers",
    type=click.IntRange(min=8),
    default=40,
    show_default=True,
    help="Number of providers (about 60% US, 40% foreign).",
)
@click.option(
    "--days",
    type=click.FloatRange(min=0, min_open=True),
    default=7.0,
    show_default=True,
    help="Days of traffic.",
)
@click.option(
    "--calls",
    type=click.IntRange(min=1),
    default=10_000,
    show_default=True,
    help="Number of calls (each has 2-8 legs).",
)
@click.option(
    "--format",
    "file_format",
    type=click.Choice(FILE_FORMATS),
    default="csv",
    show_default=True,
    help="CDR file format.",
)
@click.option(
    "--start",
    default="2020-04-01T00:00:00Z",
    show_default=True,
    callback=_time,
    help="Start of the traffic (ISO-8601 UTC).",
)
@click.option(
    "--robocall-share",
    type=click.FloatRange(0, 1, min_open=True),
    default=0.3,
    show_default=True,
    help="Share of calls that belong to robocall campaigns.",
)
@click.option(
    "--letters-at",
    callback=_time,
    help="When warning letters go out (ISO-8601 UTC); after the mitigation deadline the "
    "providers that stop carry no more of the campaigns they were warned about. "
    "--days must leave at least a day after the deadline.",
)
@click.option(
    "--mitigation-hours",
    type=click.FloatRange(min=0, min_open=True),
    default=48.0,
    show_default=True,
    help="Hours between the letters and the mitigation deadline.",
)
@click.option(
    "--notifications-at",
    callback=_time,
    help="When a Notification of Suspected Illegal Traffic goes out (ISO-8601 UTC; after the "
    "letters' deadline): the world adds a second script of one campaign and its gateway "
    "answers as --notified-response says. --days must leave a day after the respond-by.",
)
@click.option(
    "--notification-days",
    type=click.FloatRange(min=0, min_open=True),
    default=14.0,
    show_default=True,
    help="Days between the notification and its respond-by.",
)
@click.option(
    "--notified-response",
    type=click.Choice(NOTIFIED_RESPONSES),
    default=NOTIFIED_RESPONSES[0],
    show_default=True,
    help="How the notified gateway answers: blocks the named campaign only (keeps carrying "
    "its second script), blocks both, or ignores the notification.",
)
@click.option(
    "--shaken",
    type=click.Choice(["auto", "all", "evidence", "off"]),
    default="auto",
    show_default=True,
    help="STIR/SHAKEN signing: every call, only calls that reach honeypots (evidence), none; "
    "auto: all up to 200,000 calls, else evidence. Certificates go to OUT/certs.",
)
@click.option("--force", is_flag=True, help="Replace earlier simulator output in --out.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary, no progress bar.")
def simulate(
    out: Path, seed: int, providers: int, days: float, calls: int, file_format: str,
    start: datetime, robocall_share: float, letters_at: datetime | None, mitigation_hours: float,
    notifications_at: datetime | None, notification_days: float, notified_response: str,
    shaken: str, force: bool, as_json: bool,
) -> None:  # fmt: skip
    """Simulate a telephone network with robocall campaigns: CDRs per provider, honeypot
    calls, FTC complaints and the ground truth (truth.json)."""
    params = SimulationParams(
        seed, providers, days, calls, file_format, start, robocall_share, letters_at,
        mitigation_hours, shaken, notifications_at, notification_days, notified_response,
    )  # fmt: skip
    try:
        params.check()
        with _progress_bar(calls, not as_json) as progress:
            result = run(params, out, force=force, progress=progress)
    except (ValueError, FileExistsError) as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    click.echo(
        f"{result['calls']} calls ({result['robocalls']} robocalls, "
        f"{result['honeypot_calls']} honeypot calls, {result['complaints']} complaints), "
        f"{result['cdr_rows']} CDR rows from {result['providers_with_cdrs']} providers → {out}"
    )
