"""The flags ``robotrace stats`` took before its subcommands (``--scorecards``, ``--effects``,
``--shaken`` and the complaint options without a subcommand): kept, hidden, for one release so
that scripts keep working; each run says on standard error which subcommand to use instead
(docs/cli.md#robotrace-stats). Delete this module in the release after."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from robotrace.stats.complaints import DEFAULT_TOP

_F = TypeVar("_F", bound=Callable[..., Any])
_DATE = click.DateTime(formats=["%Y-%m-%d"])
_FOLDER = click.Path(file_okay=False, path_type=Path)

#: The old flags, in the order the old command declared them; all hidden from --help.
FLAGS = [
    click.option("--json", "as_json", is_flag=True, hidden=True),
    click.option("--from", "start", type=_DATE, metavar="DATE", hidden=True),
    click.option("--to", "end", type=_DATE, metavar="DATE", hidden=True),
    click.option("--fiscal-year", type=click.IntRange(1971, 2099), metavar="YEAR", hidden=True),
    click.option("--analytics-dir", type=_FOLDER, hidden=True),
    click.option("--top", type=click.IntRange(min=1), default=DEFAULT_TOP, hidden=True),
    click.option("--database-url", metavar="URL", hidden=True),
    click.option("--scorecards", is_flag=True, hidden=True),
    click.option("--effects", is_flag=True, hidden=True),
    click.option(
        "--window", type=click.FloatRange(min=0, min_open=True), metavar="DAYS", hidden=True
    ),
    click.option("--png", "png_dir", type=_FOLDER, metavar="DIR", hidden=True),
    click.option("--shaken", is_flag=True, hidden=True),
    click.option(
        "--dno",
        "dno_file",
        type=click.Path(dir_okay=False, exists=True, path_type=Path),
        metavar="FILE",
        hidden=True,
    ),
    click.option("--signer", metavar="SPC", hidden=True),
    click.option(
        "--csv",
        "csv_file",
        type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
        metavar="FILE",
        hidden=True,
    ),
]


def deprecated_flags(command: _F) -> _F:
    """Give ``command`` the old flags (hidden)."""
    for option in reversed(FLAGS):
        command = option(command)
    return command


def run_deprecated_flags(ctx: click.Context, **flags: Any) -> None:
    """Run what the old flags asked for, as the old command did — its refusals of flags that
    do not go together included — through the subcommand that now does it."""
    from robotrace.stats import command

    shaken_flags = flags["dno_file"] or flags["signer"] or flags["csv_file"]
    name = _subcommand(flags["shaken"] or shaken_flags, flags["scorecards"], flags["effects"])
    used = f"--{name}" if name != "complaints" else "without a subcommand"
    click.echo(
        f"note: robotrace stats {used} is deprecated and goes in the next release: "
        f"use robotrace stats {name}",
        err=True,
    )
    command.days_of(flags["start"], flags["end"])
    if flags["shaken"] or shaken_flags:
        _check_shaken(flags)
    else:
        _check_reports(flags)
    chosen = getattr(command, name)
    wanted = {p.name for p in chosen.params}
    ctx.invoke(chosen, **{key: value for key, value in flags.items() if key in wanted})


def _subcommand(shaken: bool, scorecards: bool, effects: bool) -> str:
    if shaken:
        return "shaken"
    if scorecards:
        return "scorecards"
    return "effects" if effects else "complaints"


def _check_shaken(flags: dict[str, Any]) -> None:
    if not flags["shaken"]:
        raise click.UsageError("--dno, --signer and --csv go with --shaken")
    others = flags["scorecards"] or flags["effects"] or flags["png_dir"]
    if others or flags["fiscal_year"] is not None:
        raise click.UsageError(
            "--shaken is a report of its own: leave out --scorecards, --effects, --png and "
            "--fiscal-year"
        )


def _check_reports(flags: dict[str, Any]) -> None:
    scorecards, effects = flags["scorecards"], flags["effects"]
    if flags["fiscal_year"] is not None:
        if flags["start"] or flags["end"]:
            raise click.UsageError("--fiscal-year is a period of its own: leave out --from/--to")
        if scorecards or effects:
            raise click.UsageError("--fiscal-year is for the complaint statistics")
    if scorecards and effects:
        raise click.UsageError("--scorecards and --effects are separate reports: pick one")
    if flags["png_dir"] and (scorecards or effects):
        raise click.UsageError(
            "--png draws the complaint statistics: leave out --scorecards and --effects"
        )
