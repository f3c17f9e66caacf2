"""``robotrace clock``: set, move on and read the clock file that ``robotrace serve`` and
``robotrace worker`` take the time from when the ``clock_file`` setting names it
(:class:`robotrace.clock.FileClock`; docs/operations.md#the-clock)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import click

from robotrace.clock import (
    ClockFileError,
    FileClock,
    format_utc,
    parse_span,
    parse_utc,
    write_clock_file,
)
from robotrace.settings import settings_of

FILE_HELP = "The clock file (default: the clock_file setting)."


def _file(ctx: click.Context, _param: click.Parameter, value: Path | None) -> Path:
    setting = settings_of(ctx).clock_file
    path = value or (Path(setting) if setting else None)
    if path is None:
        raise click.UsageError(
            "name the clock file with --file or the clock_file setting (ROBOTRACE_CLOCK_FILE)"
        )
    return path


file_option = click.option(
    "--file",
    "path",
    type=click.Path(dir_okay=False, path_type=Path),
    callback=_file,
    help=FILE_HELP,
)


def _time(_ctx: click.Context, _param: click.Parameter, value: str) -> datetime:
    try:
        return parse_utc(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _span(_ctx: click.Context, _param: click.Parameter, value: str) -> timedelta:
    try:
        return parse_span(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _current(path: Path) -> datetime:
    try:
        return FileClock(path).now()
    except ClockFileError as exc:
        raise click.ClickException(str(exc)) from None


@click.group()
def clock() -> None:
    """The clock file that serve and worker read the time from (the clock_file setting)."""


@clock.command("set")
@click.argument("time", callback=_time)
@file_option
def set_clock(time: datetime, path: Path) -> None:
    """Make the clock read TIME (ISO 8601, Z or an offset) now; it runs on from there."""
    write_clock_file(path, time)
    click.echo(format_utc(time))


@clock.command()
@click.argument("span", callback=_span)
@file_option
def advance(span: timedelta, path: Path) -> None:
    """Move the clock on by SPAN (90s, 15m, 2h, 1.5d; a bare number is seconds)."""
    moved = _current(path) + span
    write_clock_file(path, moved)
    click.echo(format_utc(moved))


@clock.command()
@file_option
def show(path: Path) -> None:
    """Print the time the clock reads now."""
    click.echo(format_utc(_current(path)))
