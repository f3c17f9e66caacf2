"""Consumer complaints (FTC, FCC) read into one canonical schema, checked in one SQL pass.

A complaint format states its rules as DuckDB SQL over the file's text columns (trimmed when
read, so the SQL never trims: DuckDB would trim again for every use): the problems
that make a row bad (each a condition, and the reason it gives), the canonical values, and the
normalised fields hashed into ``row_key``. :func:`read_complaints` reads the CSV with pyarrow
and finds the bad rows with one vectorised query of the conditions only; reasons and
physical lines are worked out for the bad rows alone, so a file of 10^6 good rows is checked
in well under a second.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from robotrace.cdr.duck import connect, row_numbers, sql_text
from robotrace.csvlines import MAX_ERRORS_PER_FILE, bad_width_rows, row_lines
from robotrace.evidence.csvfile import FileProblem, csv_header, read_text_table
from robotrace.evidence.registry import FileRead, ReadOptions
from robotrace.numbers import digits_key_sql
from robotrace.rows import RowError

#: The canonical complaint columns and their DuckDB types, in the order they are stored.
COMPLAINT_COLUMNS: dict[str, str] = {
    "source": "VARCHAR",  # ftc | fcc | report (a consumer's report, robotrace.reports)
    "row_key": "VARCHAR",  # md5 of the source and the row's normalised fields
    "complaint_id": "VARCHAR",  # the FCC's ticket id, a report's reference; NULL for the FTC
    "company_phone_number": "VARCHAR",  # as the consumer typed it ('' when empty)
    "company_key": "VARCHAR",  # robotrace.numbers.digits_key of it
    "created_at": "TIMESTAMPTZ",  # when the complaint was filed
    "violation_at": "TIMESTAMPTZ",  # when the call came (NULL when not given)
    "city": "VARCHAR",
    "state": "VARCHAR",
    "area_code": "VARCHAR",  # the consumer's area code (FTC)
    "zip": "VARCHAR",  # the consumer's ZIP code (FCC)
    "subject": "VARCHAR",  # FTC Subject / FCC issue; NULL when none was given
    "robocall": "BOOLEAN",  # NULL when not said
    "call_type": "VARCHAR",  # FCC type_of_call_or_messge
    "advertiser_number": "VARCHAR",  # FCC advertiser_business_phone_number, as typed
    "advertiser_key": "VARCHAR",
    "imported_at": "TIMESTAMPTZ",  # when robotrace stored it
}

_ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "TIMESTAMPTZ": pa.timestamp("us", tz="UTC"),
    "BOOLEAN": pa.bool_(),
}
#: The same columns as an Arrow schema: the store's Parquet files have exactly this one.
COMPLAINT_SCHEMA = pa.schema([(c, _ARROW_TYPES[t]) for c, t in COMPLAINT_COLUMNS.items()])

#: Years a complaint's times must fall in; anything else is a typo or a placeholder (9999).
YEARS = (1970, 2099)
_SHOWN_CHARS = 40


@dataclass(frozen=True)
class Problem:
    """What makes a row bad: ``when`` (SQL, true for a bad row — never NULL) and ``reason``
    (SQL text saying why, evaluated for bad rows only)."""

    when: str
    reason: str


@dataclass(frozen=True)
class ComplaintRules:
    """How one complaint format is checked and mapped, as SQL over its text columns."""

    source: str
    problems: Sequence[Problem]
    #: Canonical column → SQL expression (every column but source, row_key, imported_at),
    #: evaluated for good rows only.
    values: Mapping[str, str]
    #: SQL text expressions hashed (in order) into ``row_key``.
    key: Sequence[str]
    #: Columns a file may lack: they read as empty text.
    optional: Sequence[str] = ()

    def canonical_sql(self, relation: str) -> str:
        """SELECT of the canonical columns (but ``imported_at``) and ``_row`` from ``relation``."""
        key = ", ".join([sql_text(self.source), *self.key])
        values = [
            f"{sql_text(self.source)} AS source",
            f"md5(concat_ws(chr(31), {key})) AS row_key",
            *(
                f"CAST({self.values.get(c, 'NULL')} AS {t}) AS {c}"
                for c, t in COMPLAINT_COLUMNS.items()
                if c not in ("source", "row_key", "imported_at")
            ),
            "_row",
        ]
        return f"SELECT {', '.join(values)} FROM {relation}"

    def bad_sql(self) -> str:
        """A condition true for every bad row."""
        return " OR ".join(f"({p.when})" for p in self.problems) or "false"

    def reason_sql(self) -> str:
        """Every problem of a row, joined with '; '."""
        said = ", ".join(f"CASE WHEN {p.when} THEN {p.reason} END" for p in self.problems)
        return f"concat_ws('; ', {said})"


@dataclass(frozen=True)
class CheckedComplaints:
    """A complaint file's rows as text, checked: ``table`` (with ``_row``, the 0-based row)
    and the ``_row`` of every bad row. The canonical values are computed when the good rows
    are stored."""

    table: pa.Table
    rules: ComplaintRules
    bad_rows: pa.Array

    @property
    def good_rows(self) -> int:
        rows: int = self.table.num_rows
        return rows - len(self.bad_rows)

    def good_sql(self, table: str, bad: str) -> str:
        """The canonical good rows (with ``_row``), ``table`` and ``bad`` (one ``_row`` column)
        being this object's ``table`` and ``bad_rows`` registered under those names."""
        if not len(self.bad_rows):
            return self.rules.canonical_sql(table)
        return self.rules.canonical_sql(f"(FROM {table} ANTI JOIN {bad} USING (_row))")


#: ``columns_of(header)``: the names to give the file's columns (``_`` + position for those
#: not used), or :class:`FileProblem` when the header is not this format's.
ColumnsOf = Callable[[list[str]], list[str]]


# --- SQL building blocks ------------------------------------------------------------------


def shown(column: str) -> str:
    """SQL quoting the start of a column's value for a reason: ``'2020-13-01'``."""
    quote = sql_text("'")
    return f"{quote} || left({column}, {_SHOWN_CHARS}) || {quote}"


def parsed_time(column: str, formats: Sequence[str]) -> str:
    """The column as a TIMESTAMP by the first of ``formats`` (strptime) that fits, else NULL."""
    if len(formats) == 1:
        return f"try_strptime({column}, {sql_text(formats[0])})"
    return f"try_strptime({column}, [{', '.join(map(sql_text, formats))}])"


def iso_time(column: str) -> str:
    """The column as a TIMESTAMP when it is exactly ``YYYY-MM-DD HH:MM:SS``, else NULL.

    DuckDB's own cast is several times faster than ``strptime``; the pattern keeps it strict.
    """
    pattern = "'____-__-__ __:__:__'"
    return f"(CASE WHEN {column} LIKE {pattern} THEN TRY_CAST({column} AS TIMESTAMP) END)"


def time_problem(column: str, label: str, parsed: str, described: str, required: bool) -> Problem:
    """A time column that is empty (if ``required``), not ``parsed`` (a TIMESTAMP expression,
    NULL when it does not read; ``described`` says the format for people), or outside
    ``YEARS``."""
    low, high = YEARS
    unreadable = f"NOT coalesce(year({parsed}) BETWEEN {low} AND {high}, false)"
    empty = f"{column} = ''"
    when = f"{unreadable} AND NOT {empty}"
    if required:
        when = f"{empty} OR {unreadable}"
    why = sql_text(f" is not {described} between {low} and {high}")
    reason = (
        f"CASE WHEN {empty} THEN {sql_text(label + ' is empty')} "
        f"ELSE {sql_text(label + ' ')} || {shown(column)} || {why} END"
    )
    return Problem(when, reason)


def empty_problem(column: str, label: str) -> Problem:
    return Problem(f"{column} = ''", sql_text(f"{label} is empty"))


def key_of(column: str) -> str:
    """:func:`robotrace.numbers.digits_key_sql` of a column, with a fast path: an empty value,
    or 1–10 digits not starting with 0 (most typed numbers), is its own key already."""
    own = f"{column} = '' OR regexp_full_match({column}, '[1-9][0-9]{{0,9}}')"
    return f"(CASE WHEN {own} THEN {column} ELSE {digits_key_sql(column)} END)"


def utc(timestamp_sql: str) -> str:
    return f"CAST({timestamp_sql} AS TIMESTAMPTZ)"


def empty_relation() -> str:
    """A relation with the canonical columns and no rows."""
    columns = ", ".join(f"CAST(NULL AS {t}) AS {c}" for c, t in COMPLAINT_COLUMNS.items())
    return f"(SELECT {columns} WHERE false)"


# --- Reading ------------------------------------------------------------------------------


def read_complaints(
    path: Path, shown_as: str, options: ReadOptions, rules: ComplaintRules, columns_of: ColumnsOf
) -> FileRead:
    """Read and check one complaint CSV: its rows (:class:`CheckedComplaints`), and a
    :class:`RowError` for every bad row."""
    read = FileRead(shown_as, rules.source)
    try:
        names = columns_of(csv_header(path))
        text_table = read_text_table(path, names, shown_as, options.progress)
    except FileProblem as problem:
        return read.reject(problem.line, problem.reason)
    table = _with_optional(_trimmed(text_table.table), rules.optional)
    read.rows = table.num_rows + text_table.skipped
    if text_table.skipped:
        read.errors += bad_width_rows(path, shown_as, len(names))
    read.complaints, listed = check_table(table, rules)
    if listed:
        lines = row_lines(path, table.num_rows, len(names), [row for row, _ in listed])
        read.errors += [RowError(shown_as, lines[row], why) for row, why in listed]
    _finish(read, len(read.complaints.bad_rows) + text_table.skipped)
    return read


def check_table(
    table: pa.Table, rules: ComplaintRules
) -> tuple[CheckedComplaints, list[tuple[int, str]]]:
    """Check rows of text (trimmed, named as ``rules`` expects), from a file or made in
    memory (consumer reports): the checked rows, and ``(row, reason)`` of the first
    ``MAX_ERRORS_PER_FILE`` bad ones (``row`` 0-based)."""
    connection = connect()
    try:
        table = table.append_column("_row", row_numbers(connection, len(table)))
        connection.register("raw", table)
        bad, listed = _bad_rows(connection, rules)
    finally:
        connection.close()
    return CheckedComplaints(table, rules, bad), listed


def _trimmed(table: pa.Table) -> pa.Table:
    """Every column without leading and trailing white space (pyarrow, once per value)."""
    columns = [pc.utf8_trim_whitespace(table.column(name)) for name in table.column_names]
    return pa.table(columns, names=table.column_names)


def _with_optional(table: pa.Table, optional: Sequence[str]) -> pa.Table:
    for name in optional:
        if name not in table.column_names:
            table = table.append_column(name, pa.repeat(pa.scalar("", pa.string()), len(table)))
    return table


def _bad_rows(
    connection: duckdb.DuckDBPyConnection, rules: ComplaintRules
) -> tuple[pa.Array, list[tuple[int, str]]]:
    """The ``_row`` of every bad row, and ``(row, reason)`` of the first
    ``MAX_ERRORS_PER_FILE``."""
    bad = connection.sql(f"SELECT _row FROM raw WHERE {rules.bad_sql()} ORDER BY _row")
    rows = bad.to_arrow_table().column("_row").combine_chunks()
    if not len(rows):
        return rows, []
    connection.register("listed", pa.table({"_row": rows.slice(0, MAX_ERRORS_PER_FILE)}))
    reasons = connection.sql(
        f"SELECT _row, {rules.reason_sql()} FROM raw SEMI JOIN listed USING (_row) ORDER BY _row"
    ).fetchall()
    return rows, [(int(row), str(why)) for row, why in reasons]


def _finish(read: FileRead, bad: int) -> None:
    """Errors in line order; past the listing limit, one last entry at line 0 counts the rest."""
    read.errors.sort(key=lambda e: e.line)
    if bad > MAX_ERRORS_PER_FILE:
        more = bad - MAX_ERRORS_PER_FILE
        del read.errors[MAX_ERRORS_PER_FILE:]
        read.errors.append(RowError(read.file, 0, f"… and {more} more bad rows not listed"))


def named_columns(header: list[str], wanted: Mapping[str, str]) -> list[str]:
    """Column names for pyarrow: ``wanted[name]`` for the columns used, ``_N`` for the others.

    :class:`FileProblem` at line 1 names duplicated columns.
    """
    names = [wanted.get(header_key(h), f"_{n}") for n, h in enumerate(header)]
    used = [n for n in names if not n.startswith("_")]
    duplicated = sorted({n for n in used if used.count(n) > 1})
    if duplicated:
        raise FileProblem(1, f"duplicate column(s): {', '.join(duplicated)}")
    return names


def require_columns(names: list[str], required: Sequence[str], what: str) -> None:
    missing = [c for c in required if c not in names]
    if missing:
        raise FileProblem(1, f"not {what}: missing column(s) {', '.join(missing)}")


def header_key(name: str) -> str:
    """A column name as formats match it: trimmed, lower case, ``_`` read as a space."""
    return " ".join(name.strip().lstrip("\ufeff").lower().replace("_", " ").split())
