"""The DuckDB engine: embedded, the default. Each relation is a temporary table of one
in-memory connection; the store's Parquet files are scanned once, for the candidate legs."""

from __future__ import annotations

import uuid
from pathlib import Path

import duckdb
import pyarrow as pa

from robotrace.cdr.duck import connect, sql_text
from robotrace.paths.engine import HOP_SCHEMA, Band, TracingEngine


def store_files(store: Path) -> list[Path]:
    """The store's provider files (``<OCN>.parquet``); ValueError when there are none."""
    files = sorted(Path(store).glob("*.parquet"))
    if not files:
        raise ValueError(f"{store}: no provider files (<OCN>.parquet): run robotrace cdr import")
    return files


class DuckEngine(TracingEngine):
    name = "duckdb"

    def __init__(self, connection: duckdb.DuckDBPyConnection | None = None) -> None:
        self.connection = connection or connect()
        self._tables: list[str] = []
        self._calls: pa.Table | None = None

    def _table(self, sql: str) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        self.connection.execute(f"CREATE TEMP TABLE {name} AS {sql}")
        self._tables.append(name)
        return name

    def load_calls(self, calls: pa.Table) -> str:
        view = f"v_{uuid.uuid4().hex[:12]}"
        self.connection.register(view, calls)  # read in place: Arrow, no copy
        self._calls = calls  # kept alive while the view is used
        return view

    def best_legs(self, store: Path, calls: str, band: Band) -> str:
        return self._table(best_legs_sql(store_files(store), calls, band))

    def first_frontier(self, calls: str) -> str:
        return self._table(
            f"""SELECT call_id, 0 AS hop, terminating_provider AS provider,
                  '|' || terminating_provider || '|' AS path
                FROM {calls}"""
        )

    def follow(self, frontier: str, best: str) -> str:
        return self._table(
            f"""SELECT f.call_id, f.hop, f.provider, b.call_id IS NOT NULL AS found,
                  b.leg_ms, b.delta_ms, b.from_provider, b.customer,
                  coalesce(b.calling_matched, false) AS calling_matched,
                  coalesce(b.from_provider IS NOT NULL
                           AND contains(f.path, '|' || b.from_provider || '|'), false) AS loop,
                  f.path
                FROM {frontier} f
                LEFT JOIN {best} b ON b.call_id = f.call_id AND b.provider = f.provider"""
        )

    def next_frontier(self, matched: str) -> str:
        return self._table(
            f"""SELECT call_id, hop + 1 AS hop, from_provider AS provider,
                  path || from_provider || '|' AS path
                FROM {matched} WHERE found AND from_provider IS NOT NULL AND NOT loop"""
        )

    def is_empty(self, relation: str) -> bool:
        row = self.connection.execute(f"SELECT count(*) FROM {relation}").fetchone()
        return row is None or row[0] == 0

    def hops(self, matched: list[str]) -> pa.Table:
        if not matched:
            return HOP_SCHEMA.empty_table()
        columns = ", ".join(f"CAST({f.name} AS {_DUCK_TYPES[f.type]})" for f in HOP_SCHEMA)
        union = " UNION ALL ".join(f"SELECT {columns} FROM {m}" for m in matched)
        table = self.connection.execute(union).to_arrow_table()
        return table.rename_columns(HOP_SCHEMA.names).cast(HOP_SCHEMA)

    def providers_with_records(self, store: Path) -> set[str]:
        files = ", ".join(sql_text(str(f)) for f in store_files(store))
        rows = self.connection.execute(
            f"SELECT DISTINCT provider FROM read_parquet([{files}])"
        ).fetchall()
        return {str(provider) for (provider,) in rows}

    def close(self) -> None:
        self.connection.close()


_DUCK_TYPES = {
    pa.string(): "VARCHAR",
    pa.int32(): "INTEGER",
    pa.int64(): "BIGINT",
    pa.bool_(): "BOOLEAN",
}


def best_legs_sql(files: list[Path], calls: str, band: Band) -> str:
    """The band join, in one scan of the store: the legs to the listed numbers, joined to the
    calls on called key and bucket (the call's and both neighbours), within the tolerance;
    per call and provider the nearest (then the calling number, the earlier leg, the smaller
    SIP Call-ID) by ``arg_min`` over that ordering."""
    listed = ", ".join(sql_text(str(f)) for f in files)
    return f"""
    WITH legs AS MATERIALIZED (
      SELECT provider, called_key, epoch_ms(call_time) AS leg_ms,
             epoch_ms(call_time) // {band.bucket_ms} AS bucket,
             coalesce(calling_key, '') AS calling_key,
             nullif(from_provider, '') AS from_provider, customer,
             coalesce(sip_call_id, '') AS sip_call_id
      FROM read_parquet([{listed}])
      WHERE called_key IN (SELECT called_key FROM {calls})
    ),
    candidates AS (
      SELECT c.call_id, l.provider, l.leg_ms, l.leg_ms - c.t_ms AS delta_ms, l.from_provider,
             l.customer, c.calling_key <> '' AND l.calling_key = c.calling_key AS matched,
             l.sip_call_id
      FROM {calls} c, (VALUES (-1), (0), (1)) AS o(shift), legs l
      WHERE l.called_key = c.called_key AND l.bucket = c.t_ms // {band.bucket_ms} + o.shift
        AND abs(l.leg_ms - c.t_ms) <= {band.tolerance_ms}
    ),
    best AS (
      SELECT call_id, provider,
             arg_min({{'leg_ms': leg_ms, 'delta_ms': delta_ms, 'from_provider': from_provider,
                       'customer': customer, 'matched': matched}},
                     (abs(delta_ms), NOT matched, leg_ms, sip_call_id)) AS leg
      FROM candidates GROUP BY call_id, provider
    )
    SELECT call_id, provider, leg.leg_ms AS leg_ms, leg.delta_ms AS delta_ms,
           leg.from_provider AS from_provider, leg.customer AS customer,
           leg.matched AS calling_matched
    FROM best"""
