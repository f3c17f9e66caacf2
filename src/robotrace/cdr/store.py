"""The canonical CDR store: one Parquet file per provider, laid out for hop lookups.

``<out_dir>/<OCN>.parquet`` holds that provider's legs in ``STORE_SCHEMA`` (the canonical
columns plus ``called_key`` and ``calling_key`` from :func:`robotrace.numbers.digits_key_sql`),
sorted by ``called_key, call_time`` in row groups of ``ROW_GROUP_ROWS``. A lookup by called
number then reads one or two row groups, found by their min/max statistics
(``robotrace.cdr.storefile``); bulk queries in DuckDB skip the rest by the same statistics.

Writes are all-or-nothing: every input is validated first; each file is written under a
temporary name and renamed into place only when all of them are written.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from robotrace.cdr.duck import connect, sql_text
from robotrace.cdr.readers import Progress, Source, read_cdrs
from robotrace.cdr.schema import CDR_COLUMNS, STORE_SCHEMA
from robotrace.numbers import digits_key_sql

if TYPE_CHECKING:
    from robotrace.cdr.switch import SwitchRecords

#: Rows per Parquet row group. A hop lookup decodes a whole group (≈ 0.3 µs a row), so
#: smaller groups answer faster; they cost footer size (≈ 0.7 KiB a group) and a little scan
#: speed. 4,096 rows: ≈ 1.5 ms to read a group, the same ``robotrace paths`` band join time as
#: 16,384 at 10^6 legs; see docs/benchmarks.md (hop lookup) for the measurements.
ROW_GROUP_ROWS = 4_096


@dataclass(frozen=True)
class StoreSummary:
    """What :func:`write_provider_store` wrote: legs per provider OCN, and the files."""

    out_dir: Path
    legs: dict[str, int]
    #: Legs per ingress no trunk map entry maps (``trunk`` alone), most legs first.
    unmapped: dict[str, int] = field(default_factory=dict)

    @property
    def total_legs(self) -> int:
        return sum(self.legs.values())

    def path(self, provider: str) -> Path:
        return store_path(self.out_dir, provider)


def store_path(out_dir: str | Path, provider: str) -> Path:
    return Path(out_dir) / f"{provider}.parquet"


def keyed_legs_sql(relation: str, where: str = "TRUE") -> str:
    """SQL for the rows of ``relation`` (canonical columns) with their matching keys, sorted
    for lookups."""
    columns = ", ".join(CDR_COLUMNS)
    return (
        f"SELECT {columns}, {digits_key_sql('called_number')} AS called_key, "
        f"{digits_key_sql('calling_number')} AS calling_key "
        f"FROM {relation} WHERE {where} ORDER BY called_key, call_time"
    )


def write_provider_store(
    sources: Sequence[Source],
    out_dir: str | Path,
    progress: Progress | None = None,
    switch: SwitchRecords | None = None,
) -> StoreSummary:
    """Validate ``sources`` (files, directories, canonical tables; or a switch's own records,
    with ``switch``) and write one canonical Parquet file per provider into ``out_dir``,
    replacing that provider's file.

    Raises :class:`~robotrace.rows.BadRowsError` (writing nothing) if any input has a bad row.
    """
    legs = read_cdrs(sources, progress, switch)
    return write_table_store(legs, out_dir, progress)


def write_table_store(
    legs: pa.Table, out_dir: str | Path, progress: Progress | None = None
) -> StoreSummary:
    """Write an already validated canonical table (``CDR_SCHEMA``) as the per-provider store."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    connection = connect()
    connection.register("legs", legs)
    try:
        counts = _legs_per_provider(connection)
        unmapped = _unmapped(connection)
        temporary = _write_all(connection, out, list(counts), progress)
    finally:
        connection.close()
    for provider, path in temporary.items():
        os.replace(path, store_path(out, provider))
    return StoreSummary(out, counts, unmapped)


def _legs_per_provider(connection: duckdb.DuckDBPyConnection) -> dict[str, int]:
    rows = connection.sql(
        "SELECT provider, count(*) FROM legs GROUP BY provider ORDER BY provider"
    ).fetchall()
    return {str(provider): int(n) for provider, n in rows}


def _unmapped(connection: duckdb.DuckDBPyConnection) -> dict[str, int]:
    rows = connection.sql(
        "SELECT trunk, count(*) AS n FROM legs WHERE trunk IS NOT NULL AND from_provider IS NULL "
        "AND customer IS NULL GROUP BY trunk ORDER BY n DESC, trunk"
    ).fetchall()
    return {str(trunk): int(n) for trunk, n in rows}


def _write_all(
    connection: duckdb.DuckDBPyConnection,
    out: Path,
    providers: list[str],
    progress: Progress | None,
) -> dict[str, Path]:
    """Write every provider's file under a temporary name; on failure remove them all."""
    written: dict[str, Path] = {}
    try:
        for done, provider in enumerate(providers):
            if progress:
                progress(f"writing {provider}", done, len(providers))
            written[provider] = out / f".{provider}.parquet.{uuid.uuid4().hex}.tmp"
            _write_provider(connection, provider, written[provider])
    except BaseException:
        for path in written.values():
            path.unlink(missing_ok=True)
        raise
    if progress:
        progress("written", len(providers), len(providers))
    return written


def _write_provider(connection: duckdb.DuckDBPyConnection, provider: str, path: Path) -> None:
    sql = keyed_legs_sql("legs", f"provider = {sql_text(provider)}")
    batches = connection.execute(sql).to_arrow_reader(ROW_GROUP_ROWS)
    with pq.ParquetWriter(path, STORE_SCHEMA, compression="lz4") as writer:
        for batch in batches:
            writer.write_table(_as_store_schema(batch), row_group_size=ROW_GROUP_ROWS)


def _as_store_schema(batch: pa.RecordBatch) -> pa.Table:
    """A query batch cast to ``STORE_SCHEMA`` (DuckDB returns microsecond timestamps)."""
    table = pa.Table.from_batches([batch])
    arrays = [table.column(f.name).cast(f.type) for f in STORE_SCHEMA]
    return pa.Table.from_arrays(arrays, schema=STORE_SCHEMA)
