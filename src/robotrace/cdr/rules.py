"""The validation rules of a CDR row, and its canonical form — as DuckDB SQL over a whole file.

The input is a "raw" relation: every schema column (text, or ``call_time`` as a timestamp
where a Parquet file has one) plus ``_row``, the row's 0-based position in its file. The
readers turn ``_row`` into a line number. One pass (:func:`check_raw`) cleans every row and
states all its problems; :func:`bad_rows` lists the bad ones, and :func:`canonical_table`,
used only when there are none, yields the canonical table (``CDR_SCHEMA``).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pyarrow as pa

from robotrace.cdr.schema import CDR_COLUMNS, CDR_SCHEMA, DISPOSITIONS

#: Latest accepted call time (exclusive), in epoch ms: 2100-01-01T00:00:00Z. It catches epoch
#: *milliseconds* written where seconds belong.
_LATEST_MS = 4_102_444_800_000
_TEXT_COLUMNS = tuple(c for c in CDR_COLUMNS if c != "call_time")
_OPTIONAL_TEXT = ("from_provider", "to_provider", "customer", "identity", "sip_call_id", "trunk")
_KEY = "[A-Za-z0-9][A-Za-z0-9_-]*"


def _quoted(column: str) -> str:
    """SQL for a short, quoted echo of a bad value in a reason."""
    return f"'''' || left({column}, 40) || ''''"


def _epoch_ms_sql(time_is_timestamp: bool) -> str:
    """SQL giving ``call_time`` as epoch ms, NULL where it does not parse."""
    if time_is_timestamp:
        return "epoch_ms(call_time)"
    text = "trim(coalesce(call_time, ''))"
    return (
        f"CASE WHEN regexp_full_match({text}, '[0-9]{{1,12}}(\\.[0-9]*)?') "
        f"THEN CAST(TRY_CAST({text} AS DECIMAL(18, 3)) * 1000 AS BIGINT) "
        f"ELSE epoch_ms(TRY_CAST({text} AS TIMESTAMPTZ)) END"
    )


@dataclass(frozen=True)
class RawShape:
    """What the ``raw`` relation holds beyond the schema's columns.

    ``time_is_timestamp``: ``call_time`` is a timestamp (NULL where the reader could not read
    the time); ``time_text``: a ``_time_text`` column holds the time as written, for
    messages; ``problems``: a ``_problem`` column holds the reader's own reasons (``''``
    none); ``time_expected``: what a readable time is, for the message about one that is not.
    """

    time_is_timestamp: bool = False
    time_text: bool = False
    problems: bool = False
    time_expected: str = "an ISO-8601 time or epoch seconds"


def _cleaned_sql(shape: RawShape) -> str:
    """Trimmed text columns, the time as text (for messages) and as epoch ms."""
    texts = [f"trim(coalesce({c}, '')) AS {c}" for c in _TEXT_COLUMNS]
    time_text = "CAST(call_time AS VARCHAR)" if shape.time_is_timestamp else "call_time"
    if shape.time_text:
        time_text = "_time_text"
    problem = "coalesce(_problem, '')" if shape.problems else "''"
    return (
        f"SELECT _row, {', '.join(texts)}, "
        f"trim(coalesce({time_text}, '')) AS time_text, {problem} AS problem, "
        f"{_epoch_ms_sql(shape.time_is_timestamp)} AS raw_ms FROM raw"
    )


def _reasons_sql(time_expected: str) -> str:
    """SQL for all of a row's problems, ``'; '``-joined; ``''`` for a good row."""
    dispositions = ", ".join(f"'{d}'" for d in DISPOSITIONS)
    expected = time_expected.replace("'", "''")
    rules = [
        "nullif(problem, '')",
        "CASE WHEN provider = '' THEN 'provider is empty' "
        f"WHEN NOT regexp_full_match(provider, '{_KEY}') THEN 'provider ' || "
        f"{_quoted('provider')} || ' is not a provider key (letters, digits, - and _)' END",
        "CASE WHEN time_text = '' THEN 'call_time is empty' "
        f"WHEN call_ms IS NULL THEN 'call_time ' || {_quoted('time_text')} || "
        f"' is not {expected} between 1970 and 2100' END",
        "CASE WHEN called_number = '' THEN 'called_number is empty' END",
        "CASE WHEN duration_s <> '' AND NOT regexp_full_match(duration_s, '[0-9]{1,9}') "
        f"THEN 'duration_s ' || {_quoted('duration_s')} || "
        "' is not a whole number of seconds >= 0' END",
        f"CASE WHEN disposition <> '' AND upper(disposition) NOT IN ({dispositions}) "
        f"THEN 'disposition ' || {_quoted('disposition')} || ' is not one of "
        f"{', '.join(DISPOSITIONS)}' END",
        # A leg with only a trunk came in on an unmapped trunk: valid, but answers nothing.
        "CASE WHEN from_provider = '' AND customer = '' AND trunk = '' "
        "THEN 'neither from_provider nor customer is set' END",
    ]
    return f"concat_ws('; ', {', '.join(rules)})"


def _checked_sql(shape: RawShape) -> str:
    in_range = f"CASE WHEN raw_ms >= 0 AND raw_ms < {_LATEST_MS} THEN raw_ms END"
    return (
        f"WITH cleaned AS ({_cleaned_sql(shape)}), "
        f"timed AS (SELECT *, {in_range} AS call_ms FROM cleaned) "
        f"SELECT *, {_reasons_sql(shape.time_expected)} AS reason FROM timed"
    )


def check_raw(connection: duckdb.DuckDBPyConnection, shape: RawShape | bool) -> None:
    """Apply the rules to ``raw`` once, into the temporary table ``checked``; ``shape`` may
    be just whether ``call_time`` is a timestamp."""
    if isinstance(shape, bool):
        shape = RawShape(time_is_timestamp=shape)
    connection.execute(f"CREATE OR REPLACE TEMP TABLE checked AS {_checked_sql(shape)}")


def forget_checked(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute("DROP TABLE IF EXISTS checked")


def bad_rows(
    connection: duckdb.DuckDBPyConnection, limit: int
) -> tuple[int, list[tuple[int, str]]]:
    """How many ``checked`` rows are bad, and the first ``limit`` as ``(_row, reason)``."""
    count = connection.sql("SELECT count(*) FROM checked WHERE reason <> ''").fetchone()
    listed = connection.sql(
        f"SELECT _row, reason FROM checked WHERE reason <> '' ORDER BY _row LIMIT {int(limit)}"
    ).fetchall()
    return (int(count[0]) if count else 0), [(int(r), str(why)) for r, why in listed]


def unmapped_trunks(connection: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Legs per ingress that no trunk map entry maps (``trunk`` alone), most legs first."""
    rows = connection.sql(
        "SELECT trunk, count(*) AS legs FROM checked WHERE trunk <> '' AND from_provider = '' "
        "AND customer = '' GROUP BY trunk ORDER BY legs DESC, trunk"
    ).fetchall()
    return {str(trunk): int(legs) for trunk, legs in rows}


def canonical_table(connection: duckdb.DuckDBPyConnection) -> pa.Table:
    """``checked`` in canonical form, in file order; only when :func:`bad_rows` found none."""
    columns = {c: c for c in _TEXT_COLUMNS}
    columns.update({c: f"nullif({c}, '')" for c in (*_OPTIONAL_TEXT, "calling_number")})
    columns["call_time"] = "call_ms"
    columns["duration_s"] = "CAST(nullif(duration_s, '') AS INTEGER)"
    columns["disposition"] = "nullif(upper(disposition), '')"
    select = ", ".join(f"{columns[c]} AS {c}" for c in CDR_COLUMNS)
    # preserve_insertion_order (on by default) keeps file order: no ORDER BY needed.
    table = connection.sql(f"SELECT {select} FROM checked").to_arrow_table()
    return as_cdr_schema(table)


def as_cdr_schema(table: pa.Table) -> pa.Table:
    """A query result with ``call_time`` in epoch ms, cast to ``CDR_SCHEMA``."""
    arrays = [table.column(field.name).cast(field.type) for field in CDR_SCHEMA]
    return pa.Table.from_arrays(arrays, schema=CDR_SCHEMA)
