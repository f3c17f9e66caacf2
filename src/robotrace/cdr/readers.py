"""Read CSV and Parquet CDR files into canonical Arrow tables, rejecting files with bad rows.

A file with any bad row yields no rows at all: :func:`read_cdrs` raises
:class:`~robotrace.rows.BadRowsError` listing every bad row (up to ``MAX_ERRORS_PER_FILE``
per file) as ``file:line: reason``. CSV lines are physical lines, the header being line 1;
for Parquet (and in-memory tables) the "line" is the row number counting from 1, and the
reason says so. Validation is vectorised (pyarrow parses, DuckDB checks), so a 10^7-row file
takes seconds, not minutes.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

import duckdb
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from robotrace.cdr import rules
from robotrace.cdr.duck import connect, row_numbers
from robotrace.cdr.schema import CDR_COLUMNS, CDR_SCHEMA, REQUIRED_COLUMNS
from robotrace.csvlines import (
    MAX_ERRORS_PER_FILE,
    bad_width_rows,
    first_bad_utf8_line,
    row_lines,
)
from robotrace.rows import BadRowsError, RowError

if TYPE_CHECKING:
    from robotrace.cdr.switch import SwitchRecords

CDR_SUFFIXES = (".csv", ".parquet")

#: What a reader may be given: a file, a directory of files, or an in-memory table.
Source: TypeAlias = str | Path | pa.Table

#: Called with ``(step, done, total)`` as inputs are checked or written.
Progress = Callable[[str, int, int], None]


@dataclass
class FileCheck:
    """The outcome of checking one input: its rows, and its bad rows (``errors``)."""

    name: str
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    table: pa.Table | None = None
    #: Legs per unmapped ingress (``trunk`` without ``from_provider`` or ``customer``).
    unmapped: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class _Raw:
    """An input as text columns (``call_time`` maybe a timestamp) plus ``_row``."""

    table: pa.Table
    time_is_timestamp: bool
    row_note: bool  # line numbers are row numbers (Parquet, tables), not CSV lines
    csv_width: int = 0  # fields per CSV record, from the header


def cdr_files(paths: Iterable[str | Path]) -> list[Path]:
    """The CDR files named by ``paths``: files as given, directories searched recursively."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix.lower() in CDR_SUFFIXES)
        elif path.suffix.lower() in CDR_SUFFIXES and path.is_file():
            found.append(path)
        elif not path.exists():
            raise FileNotFoundError(f"{path}: no such file or directory")
        else:
            raise ValueError(f"{path}: not a CDR file (expected .csv or .parquet)")
    return found


def _inputs(sources: Sequence[Source]) -> list[Path | pa.Table]:
    tables = [s for s in sources if isinstance(s, pa.Table)]
    files = cdr_files([s for s in sources if not isinstance(s, pa.Table)])
    return [*files, *tables]


def check_cdrs(
    sources: Sequence[Source],
    keep_tables: bool = False,
    progress: Progress | None = None,
    switch: SwitchRecords | None = None,
) -> list[FileCheck]:
    """Validate every input; with ``keep_tables`` the good ones carry their canonical table.

    ``switch``: the inputs are a switch's own records (a format and the provider's trunk
    map, :mod:`robotrace.cdr.switch`), read into canonical legs."""
    if switch is not None:
        from robotrace.cdr.switch import check_switch

        files = [s for s in sources if not isinstance(s, pa.Table)]
        return check_switch(files, switch, keep_tables, progress)
    inputs, checks = _inputs(sources), []
    connection = connect()
    try:
        for n, item in enumerate(inputs, start=1):
            check = check_one(item, connection, keep_tables, f"<table {n}>")
            checks.append(check)
            if progress:
                progress(f"checked {check.name}", n, len(inputs))
    finally:
        connection.close()
    return checks


def read_cdrs(
    sources: Sequence[Source],
    progress: Progress | None = None,
    switch: SwitchRecords | None = None,
) -> pa.Table:
    """All inputs as one canonical table (``CDR_SCHEMA``); raises ``BadRowsError`` if any
    input has a bad row — then nothing is returned from any of them."""
    checks = check_cdrs(sources, keep_tables=True, progress=progress, switch=switch)
    errors = [e for check in checks for e in check.errors]
    if errors:
        raise BadRowsError(errors)
    tables = [c.table for c in checks if c.table is not None]
    return pa.concat_tables(tables) if tables else CDR_SCHEMA.empty_table()


def check_one(
    item: Path | pa.Table,
    connection: duckdb.DuckDBPyConnection,
    keep_table: bool = False,
    table_name: str = "<table>",
) -> FileCheck:
    """Validate one file or table with ``connection``."""
    name = table_name if isinstance(item, pa.Table) else str(item)
    check = FileCheck(name)
    raw = _load(item, check, connection)
    if raw is None:
        return check
    check.rows = raw.table.num_rows
    connection.register("raw", raw.table)
    try:
        rules.check_raw(connection, raw.time_is_timestamp)
        count, listed = rules.bad_rows(connection, MAX_ERRORS_PER_FILE)
        if count == 0:
            check.unmapped = rules.unmapped_trunks(connection)
        if count == 0 and keep_table:
            check.table = rules.canonical_table(connection)
    finally:
        connection.unregister("raw")
        rules.forget_checked(connection)
    _report(check, item, raw, count, listed)
    return check


def _load(
    item: Path | pa.Table, check: FileCheck, connection: duckdb.DuckDBPyConnection
) -> _Raw | None:
    if isinstance(item, pa.Table):
        return _raw_from_arrow(item, check, connection)
    if item.suffix.lower() == ".parquet":
        return _raw_from_parquet(item, check, connection)
    return _raw_from_csv(item, check, connection)


def _report(
    check: FileCheck, item: Path | pa.Table, raw: _Raw, count: int, listed: list[tuple[int, str]]
) -> None:
    """Turn ``(_row, reason)`` pairs into ``RowError`` lines on ``check``."""
    if raw.row_note or not isinstance(item, Path):
        check.errors += [RowError(check.name, r + 1, f"{why} (row {r + 1})") for r, why in listed]
    elif listed:
        lines = row_lines(item, raw.table.num_rows, raw.csv_width, [r for r, _ in listed])
        check.errors += [RowError(check.name, lines[r], why) for r, why in listed]
    check.errors.sort(key=lambda e: e.line)
    if count > len(listed):
        more = count - len(listed)
        check.errors.append(RowError(check.name, 0, f"… and {more} more bad rows not listed"))


# --- header ---------------------------------------------------------------------------------


def _header_errors(name: str, columns: Sequence[str], line_note: str = "") -> list[RowError]:
    """Problems with a file's column names, reported at line 1."""
    errors = []
    duplicated = sorted({c for c in columns if columns.count(c) > 1})
    if duplicated:
        errors.append(RowError(name, 1, f"duplicate column(s): {', '.join(duplicated)}"))
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        errors.append(RowError(name, 1, f"missing required column(s): {', '.join(missing)}"))
    if not {"from_provider", "customer", "trunk"} & set(columns):
        errors.append(RowError(name, 1, "needs a from_provider or a customer column"))
    return [RowError(e.file, e.line, e.reason + line_note) for e in errors]


def _column_name(name: str) -> str:
    return name.strip().lstrip("\ufeff").strip().lower()


# --- CSV ------------------------------------------------------------------------------------


def _csv_header(path: Path, check: FileCheck) -> list[str] | None:
    try:
        with path.open(newline="", encoding="utf-8-sig") as stream:
            header = next(csv.reader(stream), None)
    except UnicodeDecodeError:
        header = None
        check.errors.append(RowError(check.name, 1, "header is not valid UTF-8"))
        return None
    if not header:
        check.errors.append(RowError(check.name, 1, "no header line (empty file)"))
        return None
    columns = [_column_name(c) for c in header]
    check.errors += _header_errors(check.name, columns)
    return None if check.errors else columns


def _raw_from_csv(
    path: Path, check: FileCheck, connection: duckdb.DuckDBPyConnection
) -> _Raw | None:
    columns = _csv_header(path, check)
    if columns is None:
        return None
    skipped = 0

    def skip_bad_width(_row: pa_csv.InvalidRow) -> str:
        nonlocal skipped
        skipped += 1
        return "skip"

    options = _csv_options(columns, skip_bad_width)
    try:
        table = pa_csv.read_csv(path, *options)
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        check.errors.append(_unreadable_csv(path, check.name, exc))
        return None
    if skipped:  # rows with the wrong number of fields: name them with their lines
        check.errors += bad_width_rows(path, check.name, len(columns))
    return _Raw(_with_rows(_project(table), connection), False, False, len(columns))


def _csv_options(
    columns: list[str], on_invalid: Callable[[pa_csv.InvalidRow], str]
) -> tuple[pa_csv.ReadOptions, pa_csv.ParseOptions, pa_csv.ConvertOptions]:
    return (
        pa_csv.ReadOptions(column_names=columns, skip_rows=1, block_size=16 << 20),
        pa_csv.ParseOptions(newlines_in_values=True, invalid_row_handler=on_invalid),
        pa_csv.ConvertOptions(
            column_types={c: pa.string() for c in columns}, strings_can_be_null=False
        ),
    )


def _unreadable_csv(path: Path, name: str, exc: Exception) -> RowError:
    """A CSV pyarrow cannot read at all: find the first line that is not UTF-8, if that is it."""
    line = first_bad_utf8_line(path)
    if line is not None:
        return RowError(name, line, "line is not valid UTF-8")
    return RowError(name, 1, f"cannot read CSV: {exc}")


# --- Parquet and Arrow ----------------------------------------------------------------------


def _raw_from_parquet(
    path: Path, check: FileCheck, connection: duckdb.DuckDBPyConnection
) -> _Raw | None:
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        check.errors.append(RowError(check.name, 1, f"cannot read Parquet: {exc}"))
        return None
    return _raw_from_arrow(table, check, connection)


def _raw_from_arrow(
    table: pa.Table, check: FileCheck, connection: duckdb.DuckDBPyConnection
) -> _Raw | None:
    table = table.rename_columns([_column_name(c) for c in table.column_names])
    check.errors += _header_errors(check.name, table.column_names, " (schema)")
    if check.errors:
        return None
    table = _project(table)
    arrays, time_is_timestamp = [], pa.types.is_timestamp(table.schema.field("call_time").type)
    for name in CDR_COLUMNS:
        column = table.column(name)
        if name == "call_time" and time_is_timestamp:
            arrays.append(column.cast(pa.timestamp(column.type.unit, tz="UTC")))
            continue
        try:
            arrays.append(column.cast(pa.string()))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            check.errors.append(
                RowError(check.name, 1, f"column {name} has type {column.type} (schema)")
            )
    if check.errors:
        return None
    rows = _with_rows(pa.table(arrays, names=list(CDR_COLUMNS)), connection)
    return _Raw(rows, time_is_timestamp, True)


def _project(table: pa.Table) -> pa.Table:
    """Exactly the schema's columns, in order; absent optional ones as nulls."""
    present = set(table.column_names)
    arrays = [
        table.column(c) if c in present else pa.nulls(table.num_rows, pa.string())
        for c in CDR_COLUMNS
    ]
    return pa.table(arrays, names=list(CDR_COLUMNS))


def _with_rows(table: pa.Table, connection: duckdb.DuckDBPyConnection) -> pa.Table:
    return table.append_column("_row", row_numbers(connection, table.num_rows))
