"""``robotrace stats shaken``: STIR/SHAKEN accountability per signer, as a table, JSON or
the CSV export (docs/statistics.md#stirshaken-accountability)."""

from __future__ import annotations

import io
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from robotrace.files import write_whole
from robotrace.providers.identity import IdentifierError, clean_ocn
from robotrace.shaken.accountability import REASON_TEXT, REASONS
from robotrace.stats.shaken import (
    DnoUnreadable,
    ShakenAccountability,
    dno_from,
    shaken_accountability,
    write_evidence_csv,
)


def print_shaken(
    database_url: str | None,
    start: datetime | None,
    end: datetime | None,
    as_json: bool,
    dno_file: str | Path,
    signer: str | None,
    csv_file: Path | None,
) -> None:
    """Check the signer and the DNO list, read the store and print (and write the CSV if
    asked)."""
    from robotrace.stats.command import _read_store

    try:
        spc = clean_ocn(signer) if signer is not None else None
    except IdentifierError as exc:
        raise click.BadParameter(str(exc), param_hint="--signer") from None
    try:
        dno = dno_from(dno_file)
    except DnoUnreadable as exc:
        raise click.UsageError(str(exc)) from None
    first, last = (value.replace(tzinfo=UTC) if value else None for value in (start, end))
    found = _read_store(database_url, lambda s: shaken_accountability(s, first, last, dno))
    if spc is not None:
        found = ShakenAccountability(
            found.start,
            found.end,
            [s for s in found.signers if s.spc == spc],
            found.dno_numbers,
            found.blocks_held,
        )
    if csv_file is not None:
        _write_csv(found, csv_file, quiet=as_json)
    if as_json:
        click.echo(json.dumps(found.as_dict(), ensure_ascii=False))
    elif csv_file is None or str(csv_file) != "-":
        _print_table(found)


def _write_csv(found: ShakenAccountability, target: Path, quiet: bool) -> None:
    out = io.StringIO()
    rows = write_evidence_csv(found, out)
    if str(target) == "-":
        sys.stdout.write(out.getvalue())
        return
    write_whole(target, out.getvalue().encode("utf-8"))
    if not quiet:
        click.echo(f"wrote {rows} rows to {target}", err=True)


#: Short column headers (the legend under the table spells each reason out).
HEADERS = {
    "invalid_caller_id": "invalid",
    "unassigned_caller_id": "unassigned",
    "dno_caller_id": "DNO",
    "over_attestation": "over-attest.",
    "not_own_certificate": "not own cert.",
}


def _print_table(found: ShakenAccountability) -> None:
    console = Console()
    columns = ["SPC", "provider", "A/B", "traced", *(HEADERS[r] for r in REASONS), "calls"]
    table = Table(*columns, title="calls against each signer")
    for s in found.signers:
        counts = s.counts
        table.add_row(
            s.spc, s.provider or "–", f"{s.signed_ab:,}", f"{s.traced:,}",
            *(f"{counts[r]:,}" for r in REASONS), f"{s.flagged:,}",
        )  # fmt: skip
    console.print(table)
    console.print("A/B: verified A and B signatures; traced: tracebacks of calls it signed")
    for reason in REASONS:
        console.print(f"{HEADERS[reason]} ({reason}): {REASON_TEXT[reason]}", highlight=False)
    if not found.dno_numbers:
        console.print("no Do-Not-Originate list (--dno, blocker_dno_file): not checked")
    if not found.blocks_held:
        console.print("the number-block table is empty: unassigned caller IDs not checked")
