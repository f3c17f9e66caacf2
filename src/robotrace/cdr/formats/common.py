"""What the switch formats share: finding their files, reading CSV as text, staging legs.

Readers here are vectorised: pyarrow parses, and one DuckDB query (a view, run once when the
legs are checked) turns the switch's columns into staged legs
(``robotrace.cdr.switch.STAGED_COLUMNS``).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pa_csv

from robotrace.cdr.duck import row_numbers
from robotrace.cdr.readers import FileCheck
from robotrace.cdr.switch import STAGED_COLUMNS
from robotrace.csvlines import bad_width_rows, first_bad_utf8_line, row_lines
from robotrace.rows import RowError

Wanted = Callable[[Path], bool]


def find(paths: Sequence[Path], wanted: Wanted) -> list[Path]:
    """Files named in ``paths`` as given; directories searched recursively for ``wanted``."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.is_file() and wanted(p))
        elif path.is_file():
            found.append(path)
        else:
            raise FileNotFoundError(f"{path}: no such file or directory")
    return found


def each_file(wanted: Wanted) -> Callable[[Sequence[Path]], list[tuple[str, list[Path]]]]:
    """A format's ``groups``: every file found is checked on its own."""
    return lambda paths: [(str(p), [p]) for p in find(paths, wanted)]


def named(*names: str) -> Wanted:
    return lambda path: path.name in names


def with_suffix(*suffixes: str) -> Wanted:
    return lambda path: path.name.lower().endswith(suffixes)


def column_name(name: str) -> str:
    return name.strip().lstrip("\ufeff").strip().lower()


# --- CSV as text ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TextCsv:
    """A CSV file read as text columns (names lower-cased) plus ``_row`` (0-based)."""

    path: Path
    table: pa.Table
    width: int
    header: bool

    @property
    def locate(self) -> Callable[[list[int]], dict[int, tuple[str, int]]]:
        """Where rows are (a closure that does not hold the table)."""
        path, count, width, header = self.path, self.table.num_rows, self.width, self.header

        def locate(rows: list[int]) -> dict[int, tuple[str, int]]:
            lines = row_lines(path, count, width, rows, header)
            return {r: (str(path), line) for r, line in lines.items()}

        return locate


def read_text_csv(
    path: Path,
    check: FileCheck,
    connection: duckdb.DuckDBPyConnection,
    names: Sequence[str] | None = None,
    delimiter: str = ",",
    used: Collection[str] | None = None,
) -> TextCsv | None:
    """``path`` as text; with ``names`` the file has no header and its fields are named by
    position (fields past the names are ``extra_<n>``); with ``used`` only those columns are
    kept (the others are parsed, not converted). Rows of another width than the header's
    (or the first row's) are bad rows at their lines."""
    first = _first_record(path, check, delimiter)
    if first is None:
        return None
    if names is None and not first:
        check.errors.append(RowError(check.name, 1, "no header line (empty file)"))
        return None
    columns = [column_name(c) for c in first] if names is None else _positional(names, first)
    if names is not None and not first:  # an empty headerless file: no legs
        table = pa.table({c: pa.array([], pa.string()) for c in names})
        return TextCsv(path, table.append_column("_row", pa.array([], pa.int64())), 0, False)
    keep = [c for c in columns if used is None or c in used]
    table = _parse(path, check, columns, names is None, delimiter, keep)
    if table is None:
        return None
    rows = row_numbers(connection, table.num_rows)
    return TextCsv(path, table.append_column("_row", rows), len(columns), names is None)


def _first_record(path: Path, check: FileCheck, delimiter: str) -> list[str] | None:
    try:
        with path.open(newline="", encoding="utf-8-sig") as stream:
            return next(csv.reader(stream, delimiter=delimiter), [])
    except UnicodeDecodeError:
        check.errors.append(RowError(check.name, 1, "line is not valid UTF-8"))
        return None


def _positional(names: Sequence[str], first: list[str]) -> list[str]:
    return [*names, *(f"extra_{n}" for n in range(len(names) + 1, len(first) + 1))][: len(first)]


def _parse(
    path: Path, check: FileCheck, columns: list[str], header: bool, delimiter: str, keep: list[str]
) -> pa.Table | None:
    skipped = 0

    def skip(_row: pa_csv.InvalidRow) -> str:
        nonlocal skipped
        skipped += 1
        return "skip"

    try:
        table = pa_csv.read_csv(
            path,
            pa_csv.ReadOptions(column_names=columns, skip_rows=int(header), block_size=16 << 20),
            pa_csv.ParseOptions(
                delimiter=delimiter, newlines_in_values=True, invalid_row_handler=skip
            ),
            pa_csv.ConvertOptions(
                column_types={c: pa.string() for c in keep},
                strings_can_be_null=False,
                include_columns=keep,
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        line = first_bad_utf8_line(path)
        reason = "line is not valid UTF-8" if line else f"cannot read CSV: {exc}"
        check.errors.append(RowError(check.name, line or 1, reason))
        return None
    if skipped:
        check.errors += bad_width_rows(path, check.name, len(columns), header)
    return table


def missing(
    check: FileCheck, have: set[str], required: Mapping[str, Sequence[str]], note: str = ""
) -> bool:
    """Report at line 1 each requirement none of whose columns ``have`` holds; True if any."""
    for what, columns in required.items():
        if not have & set(columns):
            listed = " or ".join(columns)
            check.errors.append(RowError(check.name, 1, f"no {what} column ({listed}){note}"))
    return bool(check.errors)


# --- staging ----------------------------------------------------------------------------------


_NONE = "''"


class Columns:
    """SQL for a source relation's columns, ``''`` for the ones it does not have."""

    def __init__(self, have: Sequence[str]) -> None:
        self.have = set(have)

    def __call__(self, name: str) -> str:
        return f"trim(coalesce(\"{name}\", ''))" if name in self.have else "''"

    def first(self, *names: str) -> str:
        """The first non-empty of ``names`` in each row."""
        present = [f"nullif({self(n)}, '')" for n in names if n in self.have]
        return f"coalesce({', '.join(present)}, '')" if present else "''"


def stage_sql(
    columns: Mapping[str, str], where: str = "TRUE", relation: str = "switch_rows"
) -> str:
    """SQL for the staged legs: ``columns`` (SQL over ``relation``'s columns) for each of
    ``STAGED_COLUMNS`` (``''`` where not given) and ``_row``, for the rows ``where`` holds."""
    select = ", ".join(f"CAST({columns.get(c, _NONE)} AS VARCHAR) AS {c}" for c in STAGED_COLUMNS)
    return f"SELECT {select}, _row FROM {relation} WHERE {where}"


def sip_disposition(code: str) -> str:
    """SQL for the canonical disposition of a SIP final response code."""
    return (
        f"CASE WHEN {code} = '' THEN '' WHEN {code} LIKE '2__' THEN 'ANSWERED' "
        f"WHEN {code} IN ('486', '600') THEN 'BUSY' "
        f"WHEN {code} IN ('408', '480', '487') THEN 'NO ANSWER' ELSE 'FAILED' END"
    )
