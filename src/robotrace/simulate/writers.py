"""Streaming per-provider CDR writers: CSV or Parquet, each with a bounded buffer.

A writer receives legs already on its provider's clock and spells the numbers and the time
in the provider's own formats. Valid numbers arrive as 10 national digits; invalid caller
IDs arrive raw and are written raw.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import pyarrow as pa
import pyarrow.parquet as pq

from robotrace.cdr.schema import CDR_SCHEMA, MAPPED_COLUMNS
from robotrace.simulate.network import SimProvider
from robotrace.simulate.numbering import TimeText, number_formatter

#: One buffered Parquet row: the arguments of ``add`` in order, the identity last.
Row = tuple[int, str, bool, str, str, str, str, int, str, str, str]
#: Rows held by all Parquet writers together before row groups are written (memory bound).
PARQUET_BUFFER_ROWS = 500_000
_CHUNK_ROWS = 4096
_FILE_BUFFER = 256 * 1024


class CdrWriter(Protocol):
    path: Path

    def add(
        self,
        t_ms: int,
        calling: str,
        calling_valid: bool,
        called: str,
        from_provider: str,
        to_provider: str,
        customer: str,
        duration_s: int,
        disposition: str,
        call_id: str,
        identity: str = "",
    ) -> None: ...

    def close(self) -> None: ...


class CsvCdrWriter:
    """``cdrs/<key>.csv``: canonical columns, the provider's number and time formats."""

    def __init__(self, path: Path, provider: SimProvider, times: TimeText) -> None:
        self.path = path
        self._file = open(path, "w", encoding="utf-8", newline="", buffering=_FILE_BUFFER)  # noqa: SIM115
        self._file.write(",".join(MAPPED_COLUMNS) + "\n")
        self._write = self._file.write
        self._key = provider.key
        self._number = number_formatter(provider.number_format, provider.key)
        self._time = times.formatter(provider.time_format)

    def add(
        self,
        t_ms: int,
        calling: str,
        calling_valid: bool,
        called: str,
        from_provider: str,
        to_provider: str,
        customer: str,
        duration_s: int,
        disposition: str,
        call_id: str,
        identity: str = "",
    ) -> None:
        # An Identity header holds no comma or quote (base64url, ;, =, <, >): no quoting.
        number = self._number
        self._write(
            f"{self._key},{self._time(t_ms)},{number(calling) if calling_valid else calling},"
            f"{number(called)},{from_provider},{to_provider},{customer},{duration_s},"
            f"{disposition},{identity},{call_id}\n"
        )

    def close(self) -> None:
        self._file.close()


class ParquetCdrWriter:
    """``cdrs/<key>.parquet`` in :data:`CDR_SCHEMA`; empty text columns are written as null."""

    def __init__(self, path: Path, provider: SimProvider, row_group_rows: int) -> None:
        self.path = path
        self._writer = pq.ParquetWriter(path, CDR_SCHEMA)
        self._key = provider.key
        self._number = number_formatter(provider.number_format, provider.key)
        self._rows: list[Row] = []
        self._batches: list[pa.RecordBatch] = []
        self._buffered = 0
        self._row_group_rows = row_group_rows

    def add(
        self,
        t_ms: int,
        calling: str,
        calling_valid: bool,
        called: str,
        from_provider: str,
        to_provider: str,
        customer: str,
        duration_s: int,
        disposition: str,
        call_id: str,
        identity: str = "",
    ) -> None:
        self._rows.append(
            (t_ms, calling, calling_valid, called, from_provider, to_provider, customer,
             duration_s, disposition, call_id, identity)
        )  # fmt: skip
        if len(self._rows) >= _CHUNK_ROWS:
            self._to_batch()

    def _to_batch(self) -> None:
        if not self._rows:
            return
        self._batches.append(self._record_batch(self._rows))
        self._buffered += len(self._rows)
        self._rows = []
        if self._buffered >= self._row_group_rows:
            self._write_row_group()

    def _record_batch(self, rows: list[Row]) -> pa.RecordBatch:
        cols = list(zip(*rows, strict=True))
        number = self._number
        arrays = [
            pa.array([self._key] * len(rows), pa.string()),
            pa.array(cols[0], pa.timestamp("ms", tz="UTC")),
            pa.array([number(c) if v else c for c, v in zip(cols[1], cols[2], strict=True)]),
            pa.array([number(c) for c in cols[3]]),
            *(pa.array([x or None for x in cols[i]], pa.string()) for i in (4, 5, 6)),
            pa.array(cols[7], pa.int32()),
            pa.array(cols[8], pa.string()),
            pa.array([x or None for x in cols[10]], pa.string()),
            pa.array(cols[9], pa.string()),
            pa.nulls(len(rows), pa.string()),  # trunk
        ]
        return pa.RecordBatch.from_arrays(arrays, schema=CDR_SCHEMA)

    def _write_row_group(self) -> None:
        if self._batches:
            table = pa.Table.from_batches(self._batches, schema=CDR_SCHEMA)
            self._writer.write_table(table, row_group_size=max(len(table), 1))
        self._batches, self._buffered = [], 0

    def close(self) -> None:
        self._to_batch()
        self._write_row_group()
        self._writer.close()


def open_cdr_writers(
    directory: Path, providers: list[SimProvider], file_format: str, times: TimeText
) -> dict[int, CdrWriter]:
    """One writer per provider that keeps records, keyed by provider index."""
    directory.mkdir(parents=True, exist_ok=True)
    keeping = [p for p in providers if p.keeps_records]
    row_group_rows = max(_CHUNK_ROWS, PARQUET_BUFFER_ROWS // max(len(keeping), 1))
    writers: dict[int, CdrWriter] = {}
    for provider in keeping:
        path = directory / f"{provider.key}.{file_format}"
        if file_format == "csv":
            writers[provider.index] = CsvCdrWriter(path, provider, times)
        else:
            writers[provider.index] = ParquetCdrWriter(path, provider, row_group_rows)
    return writers
