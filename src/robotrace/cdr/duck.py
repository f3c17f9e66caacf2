"""DuckDB connections for call records, set up the same way everywhere."""

from __future__ import annotations

import duckdb
import pyarrow as pa


def connect() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection that reads naive times as UTC."""
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    # Hop lookups open the same Parquet footers again and again; keep them parsed.
    connection.execute("SET parquet_metadata_cache = true")
    return connection


def row_numbers(connection: duckdb.DuckDBPyConnection, count: int) -> pa.Array:
    """``0 .. count-1`` as an Arrow int64 array (DuckDB builds it far faster than Python)."""
    table = connection.sql(f"SELECT range AS n FROM range({int(count)})").to_arrow_table()
    return table.column("n").combine_chunks() if count else pa.array([], pa.int64())


def sql_text(value: str) -> str:
    """``value`` as a SQL string literal."""
    return "'" + value.replace("'", "''") + "'"
