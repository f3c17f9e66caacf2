"""The analytics store: consumer complaints as Parquet files, queried with DuckDB.

``<analytics_dir>/complaints/*.parquet`` hold complaints in one canonical schema
(:data:`~robotrace.evidence.complaints.COMPLAINT_COLUMNS`). Files are only ever added: each
imported input file's new rows become one store file. New rows are those whose ``row_key``
is neither stored already nor earlier in the same import (a row repeated in a file counts
once). Every file is written under a temporary name, and all of an import's files are
renamed into place only when all are written; on any error they are removed. An exclusive
lock on ``<analytics_dir>/.import.lock`` lets one import at a time decide what is new. An
import killed outright (SIGKILL, power loss) leaves at most some temporary files behind, never
a store file (a rename is atomic); the next import removes them under the lock, since no live
import owns one then. A killed import is published whole, in part (a file per input file) or
not at all; running it again adds exactly the rows still missing.
Campaigns and statistics read the store through :func:`complaints_relation`.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from robotrace.cdr.duck import connect, sql_text
from robotrace.clock import as_utc
from robotrace.evidence.complaints import COMPLAINT_SCHEMA, CheckedComplaints, empty_relation
from robotrace.files import import_lock

COMPLAINTS = "complaints"
#: Rows per Parquet row group: statistics queries by time or number skip groups by min/max.
ROW_GROUP_ROWS = 131_072


def complaints_dir(analytics_dir: str | Path) -> Path:
    return Path(analytics_dir) / COMPLAINTS


def complaint_files(analytics_dir: str | Path) -> list[Path]:
    """The store's complaint files, oldest first (names start with their UTC import time)."""
    folder = complaints_dir(analytics_dir)
    return sorted(folder.glob("*.parquet")) if folder.is_dir() else []


def parquet_relation(files: Sequence[Path]) -> str:
    """A DuckDB relation over Parquet files of canonical complaints (empty for none)."""
    if not files:
        return empty_relation()
    listed = ", ".join(sql_text(str(f)) for f in files)
    return f"read_parquet([{listed}], union_by_name = true)"


def complaints_relation(analytics_dir: str | Path) -> str:
    """A DuckDB relation over every stored complaint, for ``SELECT … FROM {relation} AS c``.

    With no complaint stored yet it is an empty relation with the same columns.
    """
    return parquet_relation(complaint_files(analytics_dir))


def add_complaints(
    batches: Sequence[CheckedComplaints], analytics_dir: str | Path, imported_at: datetime
) -> list[int]:
    """Store the good rows of each batch that are not stored yet; how many each added."""
    if not any(b.good_rows for b in batches):
        return [0] * len(batches)
    folder = complaints_dir(analytics_dir)
    folder.mkdir(parents=True, exist_ok=True)
    with import_lock(Path(analytics_dir)):
        remove_leftovers(folder)
        stored = complaint_files(analytics_dir)
        written: list[Path] = []
        try:
            counts = [_write_new(b, stored, folder, imported_at, written) for b in batches]
            _publish(written)
        finally:
            for path in written:
                path.unlink(missing_ok=True)
    return counts


def remove_leftovers(folder: Path) -> list[Path]:
    """Remove the temporary files of imports that were killed; call it under the lock."""
    leftovers = sorted(folder.glob(".*.tmp"))
    for path in leftovers:
        path.unlink(missing_ok=True)
    return leftovers


def _write_new(
    batch: CheckedComplaints,
    stored: list[Path],
    folder: Path,
    imported_at: datetime,
    written: list[Path],
) -> int:
    """Write the rows of ``batch`` that are neither ``stored`` nor ``written`` to a temporary
    file, appended to ``written``; how many rows that is."""
    if batch.good_rows == 0:
        return 0
    connection = connect()
    try:
        connection.register("raw", batch.table)
        connection.register("bad", pa.table({"_row": batch.bad_rows}))
        canon = connection.sql(batch.good_sql("raw", "bad")).to_arrow_table()
        connection.register("canon", canon)
        fresh = _fresh_rows(connection, parquet_relation([*stored, *written]))
    finally:
        connection.close()
    if len(fresh) < len(canon):
        canon = canon.filter(pc.is_in(canon.column("_row"), value_set=fresh))
    if len(canon):
        written.append(folder / f".{_file_name(imported_at)}.tmp")
        pq.write_table(
            _stored_table(canon, imported_at),
            written[-1],
            compression="zstd",
            row_group_size=ROW_GROUP_ROWS,
        )
    return len(canon)


def _fresh_rows(connection: duckdb.DuckDBPyConnection, stored: str) -> pa.Array:
    """The first ``_row`` of each ``row_key`` in ``canon`` that is not stored."""
    table = connection.sql(
        f"""SELECT min(_row) AS _row
        FROM canon ANTI JOIN (SELECT row_key FROM {stored}) AS stored USING (row_key)
        GROUP BY row_key"""
    ).to_arrow_table()
    return table.column("_row").combine_chunks()


def _file_name(imported_at: datetime) -> str:
    return f"{as_utc(imported_at):%Y%m%dT%H%M%S}Z-{uuid.uuid4().hex[:12]}.parquet"


def _stored_table(canon: pa.Table, imported_at: datetime) -> pa.Table:
    """The canonical rows with ``imported_at``, in ``COMPLAINT_SCHEMA``."""
    when = pa.scalar(as_utc(imported_at), COMPLAINT_SCHEMA.field("imported_at").type)
    columns = [
        pa.repeat(when, len(canon)) if f.name == "imported_at" else canon.column(f.name)
        for f in COMPLAINT_SCHEMA
    ]
    return pa.table(columns, names=COMPLAINT_SCHEMA.names).cast(COMPLAINT_SCHEMA)


def _publish(written: list[Path]) -> None:
    """Rename the import's temporary files into place (``.name.tmp`` → ``name``)."""
    for temporary in list(written):
        os.replace(temporary, temporary.with_name(temporary.name[1:].removesuffix(".tmp")))
        written.remove(temporary)
