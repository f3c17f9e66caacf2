"""The calls to trace in bulk: a CSV or Parquet file, checked whole before anything runs.

Columns (docs/paths.md): ``call_id``, ``called_number``, ``calling_number`` (may be empty),
``call_time`` (ISO 8601 or epoch seconds, UTC when no offset is given) and
``terminating_provider`` (its OCN) — the honeypot file's columns, so ``honeypot.csv`` is a
calls file as it is — and optionally ``campaign``. Every bad row is reported with its file,
line (CSV) or row (Parquet) and reason, and nothing is traced (:class:`BadRowsError`).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from robotrace.cdr.duck import connect, sql_text
from robotrace.csvlines import MAX_ERRORS_PER_FILE, bad_width_rows, row_lines
from robotrace.evidence.csvfile import FileProblem, csv_header, read_text_table
from robotrace.numbers import fast_digits_key_sql
from robotrace.rows import BadRowsError, RowError

REQUIRED = ("call_id", "called_number", "calling_number", "call_time", "terminating_provider")
_EPOCH_SECONDS = r"^[0-9]+(\.[0-9]+)?$"


def read_calls(path: Path) -> pa.Table:
    """The listed calls with their keys: ``call_id, called_key, calling_key, t_ms,
    terminating_provider, called_number, calling_number, campaign``."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such calls file")
    parquet = path.suffix.lower() == ".parquet"
    connection = connect()
    try:
        source = _relation(connection, path, parquet)
        columns = _columns(connection, source)
        missing = [c for c in REQUIRED if c not in columns]
        if missing:
            raise BadRowsError([RowError(str(path), 1, f"no column {', '.join(missing)}")])
        campaign = "campaign" if "campaign" in columns else "NULL"
        _load_rows(
            connection,
            path,
            f"""CREATE TEMP TABLE raw AS
                SELECT row_number() OVER () - 1 AS row,
                  trim(CAST(call_id AS VARCHAR)) AS call_id,
                  CAST(called_number AS VARCHAR) AS called_number,
                  coalesce(CAST(calling_number AS VARCHAR), '') AS calling_number,
                  trim(CAST(call_time AS VARCHAR)) AS call_time,
                  upper(trim(CAST(terminating_provider AS VARCHAR))) AS terminating_provider,
                  nullif(trim(CAST({campaign} AS VARCHAR)), '') AS campaign
                FROM {source}""",
        )
        connection.execute(
            f"""CREATE TEMP TABLE checked AS
                SELECT *, {fast_digits_key_sql("called_number")} AS called_key,
                  {fast_digits_key_sql("calling_number")} AS calling_key,
                  CASE WHEN regexp_matches(call_time, '{_EPOCH_SECONDS}')
                       THEN TRY_CAST(round(TRY_CAST(call_time AS DOUBLE) * 1000) AS BIGINT)
                       ELSE epoch_ms(try_cast(call_time AS TIMESTAMPTZ)) END AS t_ms
                FROM raw"""
        )
        _check(connection, path, parquet)
        return connection.execute(
            """SELECT call_id, called_key, calling_key, t_ms, terminating_provider,
                 called_number, calling_number, campaign
               FROM checked ORDER BY row"""
        ).to_arrow_table()
    finally:
        connection.close()


def _relation(connection: duckdb.DuckDBPyConnection, path: Path, parquet: bool) -> str:
    """The file as a relation of the connection; a file that cannot be read at all, or a CSV
    row with the wrong number of fields, is a :class:`BadRowsError` at its line."""
    shown = str(path)
    if parquet:
        relation = f"read_parquet({sql_text(shown)})"
        try:
            connection.execute(f"DESCRIBE SELECT * FROM {relation}")
        except duckdb.Error as exc:
            raise BadRowsError(
                [RowError(shown, 1, f"not a readable Parquet file: {exc}")]
            ) from None
        return relation
    try:
        header = csv_header(path)
        text = read_text_table(path, header, shown)
    except FileProblem as exc:
        raise BadRowsError([RowError(shown, exc.line, exc.reason)]) from None
    if text.skipped:
        raise BadRowsError(bad_width_rows(path, shown, len(header)))
    connection.register("source_rows", text.table)
    return "source_rows"


def _load_rows(connection: duckdb.DuckDBPyConnection, path: Path, sql: str) -> None:
    """Run ``sql``, which reads every row of the file: a Parquet file whose pages cannot be
    read (its footer could) is a :class:`BadRowsError` at line 1, like an unreadable footer."""
    try:
        connection.execute(sql)
    except duckdb.Error as exc:
        if path.suffix.lower() != ".parquet":
            raise
        reason = f"not a readable Parquet file: {exc}"
        raise BadRowsError([RowError(str(path), 1, reason)]) from None


def _columns(connection: duckdb.DuckDBPyConnection, source: str) -> list[str]:
    return [
        str(row[0]) for row in connection.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
    ]


_PROBLEMS = [
    ("coalesce(call_id, '') = ''", "'call_id is empty'"),
    ("called_key = ''", "'called_number has no digits: ' || coalesce(called_number, '')"),
    ("t_ms IS NULL", "'call_time is not a time: ' || coalesce(call_time, '')"),
    ("coalesce(terminating_provider, '') = ''", "'terminating_provider is empty'"),
    (
        "call_id IN (SELECT call_id FROM raw GROUP BY call_id HAVING count(*) > 1)",
        "'call_id ' || call_id || ' is listed more than once'",
    ),
]


def _check(connection: duckdb.DuckDBPyConnection, path: Path, parquet: bool) -> None:
    reasons = " ".join(f"WHEN {when} THEN {reason}" for when, reason in _PROBLEMS)
    bad = connection.execute(
        f"""SELECT row, reason FROM (
              SELECT row, CASE {reasons} END AS reason FROM checked)
            WHERE reason IS NOT NULL ORDER BY row LIMIT {MAX_ERRORS_PER_FILE}"""
    ).fetchall()
    if not bad:
        return
    if parquet:
        errors = [RowError(str(path), row + 1, why) for row, why in bad]  # the row, from 1
    else:
        [(total,)] = connection.execute("SELECT count(*) FROM raw").fetchall()
        width = len(_columns(connection, "source_rows"))
        lines = row_lines(path, total, width, [row for row, _ in bad])
        errors = [RowError(str(path), lines[row], why) for row, why in bad]
    raise BadRowsError(errors)
