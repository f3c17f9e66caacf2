"""``robotrace numbering``: import the NANP number-assignment reports and look up who a
number's block was assigned to (docs/formats.md, "Number blocks"; Trace Forward)."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console

from robotrace.clock import SystemClock
from robotrace.rows import BadRowsError
from robotrace.store.command import DATABASE_URL, migrated_session

_JSON = click.option("--json", "as_json", is_flag=True, help="Print JSON (see docs/cli.md).")


@click.group()
def numbering() -> None:
    """Number blocks: who each NANP code and thousands block was assigned to."""


@numbering.command(name="import")
@click.argument(
    "paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@DATABASE_URL
@_JSON
def import_(paths: tuple[Path, ...], database_url: str, as_json: bool) -> None:
    """Import PATHS: NANPA's central office code assignment records (allutlzd.txt, tab
    separated) or the Pooling Administrator's thousands-block report
    (AllBlocksAugmentedReport.txt), told apart by the header. Only assigned (AS) rows are
    kept. A file replaces what the store held from the same report for the states it
    covers. One transaction: a bad row imports nothing (every bad row is listed as
    FILE:LINE: REASON, exit 1); the same file twice changes nothing."""
    from robotrace.numbering.blocks import NumberingFormatError, read_number_blocks
    from robotrace.numbering.store import import_blocks

    console = Console(stderr=True, quiet=as_json)
    done = []
    try:
        with migrated_session(database_url) as session:
            for path in paths:
                with console.status(f"importing {path.name}"):
                    found = read_number_blocks(path)
                    done.append((path, import_blocks(session, found, SystemClock().now())))
    except (BadRowsError, NumberingFormatError) as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps([{"file": str(p), **d.as_dict()} for p, d in done]))
        return
    for path, result in done:
        click.echo(
            f"{path.name}: {result.format}: {result.added} added, {result.updated} updated, "
            f"{result.removed} removed, {result.unchanged} unchanged "
            f"({result.not_assigned} rows not assigned, skipped)"
        )


@numbering.command()
@click.argument("numbers", nargs=-1, required=True)
@DATABASE_URL
@_JSON
def lookup(numbers: tuple[str, ...], database_url: str, as_json: bool) -> None:
    """Who each of NUMBERS (any spelling) was assigned to: the thousands block's holder,
    else the central office code's, and the provider registered under that OCN. Exit 1
    when a number is no North American one or its block is not in the store."""
    from robotrace.numbering.store import holder_of, nanp_digits

    found, missing = [], []
    with migrated_session(database_url) as session:
        for number in numbers:
            holder = holder_of(session, number)
            if holder is None:
                missing.append(number)
            else:
                found.append(holder)
    if as_json:
        rows = [h.as_dict() for h in found]
        rows += [{"number": n, "error": _why_missing(n, nanp_digits(n))} for n in missing]
        click.echo(json.dumps(rows, ensure_ascii=False))
    else:
        for holder in found:
            who = holder.provider_key or "no registered provider"
            click.echo(
                f"{holder.number}  block {holder.prefix}  OCN {holder.ocn}  {holder.company}"
                f"  ({holder.rate_center}, {holder.state})  provider: {who}"
            )
    for number in missing:
        click.echo(f"{number}: {_why_missing(number, nanp_digits(number))}", err=True)
    if missing:
        raise SystemExit(1)


def _why_missing(number: str, digits: str | None) -> str:
    if digits is None:
        return "not a North American number"
    return f"no block of {digits[:3]}-{digits[3:6]} is in the store (robotrace numbering import)"
