"""``robotrace cdr``: check CDR files, and import them into the per-provider store."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn

from robotrace.cdr.options import FORMAT, TRUNK_MAP, switch_records
from robotrace.cdr.readers import FileCheck, check_cdrs
from robotrace.cdr.store import StoreSummary, write_provider_store
from robotrace.cdr.switch import SwitchRecords
from robotrace.rows import BadRowsError, RowError

_PATHS = click.argument(
    "paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path)
)
_JSON = click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")


@click.group()
def cdr() -> None:
    """Call detail records: validate them, and import them for hop lookups."""


def _error_dicts(errors: list[RowError]) -> list[dict[str, object]]:
    return [{"file": e.file, "line": e.line, "reason": e.reason} for e in errors]


def _print_errors(errors: list[RowError]) -> None:
    for error in errors:
        click.echo(str(error))


@cdr.command()
@_PATHS
@FORMAT
@TRUNK_MAP
@_JSON
def check(
    paths: tuple[Path, ...], record_format: str, trunk_map: Path | None, as_json: bool
) -> None:
    """Validate CDR files (.csv, .parquet, or directories of them; or a switch's own records
    with --format); list every bad row as FILE:LINE: REASON and exit 1 if there is any. Legs
    that came in on a trunk the trunk map does not map are listed (they are valid rows)."""
    checks = _run_check(list(paths), switch_records(record_format, trunk_map))
    errors = [e for c in checks for e in c.errors]
    unmapped = _unmapped(checks)
    if as_json:
        summary = {
            "files": len(checks),
            "rows": sum(c.rows for c in checks),
            "bad_files": sum(not c.ok for c in checks),
            "errors": _error_dicts(errors),
            "unmapped_trunks": unmapped,
        }
        click.echo(json.dumps(summary))
    else:
        _print_errors(errors)
        _print_unmapped(unmapped)
        verdict = "bad rows found" if errors else "all rows valid"
        rows = sum(c.rows for c in checks)
        click.echo(f"{len(checks)} file(s), {rows} row(s): {verdict}", err=bool(errors))
    sys.exit(1 if errors else 0)


def _run_check(paths: list[Path], switch: SwitchRecords | None) -> list[FileCheck]:
    try:
        return check_cdrs(paths, switch=switch)
    except (FileNotFoundError, ValueError) as exc:
        raise click.UsageError(str(exc)) from None


def _unmapped(checks: list[FileCheck]) -> dict[str, int]:
    """Legs per unmapped ingress over all inputs, most legs first."""
    total: dict[str, int] = {}
    for check in checks:
        for trunk, legs in check.unmapped.items():
            total[trunk] = total.get(trunk, 0) + legs
    return dict(sorted(total.items(), key=lambda item: (-item[1], item[0])))


def _print_unmapped(unmapped: dict[str, int], err: bool = False) -> None:
    for trunk, legs in unmapped.items():
        click.echo(f"unmapped trunk {trunk}: {legs} leg(s)", err=err)
    if unmapped:
        legs = sum(unmapped.values())
        click.echo(
            f"{legs} leg(s) on {len(unmapped)} unmapped trunk(s): the agent answers no request "
            "that matches them; add them to the trunk map",
            err=err,
        )


@cdr.command(name="import")
@_PATHS
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Store directory: one <OCN>.parquet per provider is written (replaced) there.",
)
@FORMAT
@TRUNK_MAP
@_JSON
def import_(
    paths: tuple[Path, ...],
    out_dir: Path,
    record_format: str,
    trunk_map: Path | None,
    as_json: bool,
) -> None:
    """Validate CDR files (or a switch's own records with --format and --trunk-map), then
    write one canonical Parquet file per provider into --out. Nothing is written if any row
    of any file is bad."""
    switch = switch_records(record_format, trunk_map)
    try:
        summary = _import_with_progress(list(paths), out_dir, as_json, switch)
    except BadRowsError as exc:
        if as_json:
            click.echo(json.dumps({"written": False, "errors": _error_dicts(exc.errors)}))
        else:
            _print_errors(exc.errors)
            click.echo(f"{len(exc.errors)} bad row(s); nothing written", err=True)
        sys.exit(1)
    except (FileNotFoundError, ValueError) as exc:
        raise click.UsageError(str(exc)) from None
    _print_summary(summary, as_json)


def _import_with_progress(
    paths: list[Path], out_dir: Path, quiet: bool, switch: SwitchRecords | None
) -> StoreSummary:
    console = Console(stderr=True, quiet=quiet)
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}"))
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("validating", total=None)

        def advance(step: str, done: int, total: int) -> None:
            progress.update(task, description=step, completed=done, total=total)

        return write_provider_store(paths, out_dir, advance, switch)


def _print_summary(summary: StoreSummary, as_json: bool) -> None:
    if as_json:
        payload = {
            "written": True,
            "out": str(summary.out_dir),
            "legs": summary.total_legs,
            "providers": summary.legs,
            "files": {key: str(summary.path(key)) for key in summary.legs},
            "unmapped_trunks": summary.unmapped,
        }
        click.echo(json.dumps(payload))
        return
    for key, legs in summary.legs.items():
        click.echo(f"{summary.path(key)}: {legs} legs")
    click.echo(f"{summary.total_legs} legs of {len(summary.legs)} provider(s) imported")
    _print_unmapped(summary.unmapped, err=True)
