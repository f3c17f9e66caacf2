"""Reading a hop lookup's candidates straight from the few row groups of a store file.

A store file (``robotrace.cdr.store``) is sorted by ``called_key`` and its footer holds each
row group's smallest and largest key. :class:`StoreFile` keeps those ranges in memory (read
once, when the file is opened) and answers a lookup by reading only the row groups whose
range holds the key — usually one — with pyarrow, then filtering their rows. A DuckDB query
does the same pruning but pays on every lookup for parsing, planning and visiting every row
group's statistics: at 10^7 legs that was most of its 13 ms (docs/benchmarks.md).

The answer is the same as the query's: the rows whose key equals the request's and whose
time lies in the window, in file order. A file this reader cannot vouch for — a row group
without key statistics, a lookup column missing or of another type — is refused
(:func:`open_store_file` returns None) and the caller keeps the DuckDB query.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

#: What a candidate leg holds, in the order of :class:`robotrace.cdr.lookup.Leg`'s fields.
LEG_COLUMNS = (
    "call_time",
    "from_provider",
    "customer",
    "calling_number",
    "called_number",
    "calling_key",
    "sip_call_id",
    "identity",
    "to_provider",
    "trunk",
)
_TIME = pa.timestamp("ms", tz="UTC")


@dataclass(frozen=True)
class KeyRanges:
    """Each row group's smallest and largest ``called_key``. ``ordered``: each group's range
    starts at or after the previous one's end (a sorted file), so the groups that may hold
    a key are found by bisection; otherwise every range is checked."""

    lows: tuple[str, ...]
    highs: tuple[str, ...]
    ordered: bool

    @classmethod
    def of(cls, lows: list[str], highs: list[str]) -> KeyRanges:
        within = all(low <= high for low, high in zip(lows, highs, strict=True))
        ordered = within and all(a <= b for a, b in zip(highs, lows[1:], strict=False))
        return cls(tuple(lows), tuple(highs), ordered)

    def groups_holding(self, key: str) -> range | list[int]:
        """The row groups whose range holds ``key``: only these can have its legs."""
        if self.ordered:
            return range(bisect.bisect_left(self.highs, key), bisect.bisect_right(self.lows, key))
        pairs = enumerate(zip(self.lows, self.highs, strict=True))
        return [n for n, (low, high) in pairs if low <= key <= high]


class StoreFile:
    """One store file, open for lookups; see the module's docstring. One caller at a time:
    ``ProviderRecords`` serialises its lookups."""

    def __init__(self, parquet: pq.ParquetFile, ranges: KeyRanges, columns: list[str]) -> None:
        self._parquet = parquet
        self._ranges = ranges
        self._columns = columns  # the LEG_COLUMNS the file has, and called_key

    def candidates(
        self, called_key: str, low_ms: int, high_ms: int, limit: int
    ) -> list[tuple[Any, ...]]:
        """Up to ``limit`` rows (``LEG_COLUMNS``, the time as epoch milliseconds) whose
        ``called_key`` is ``called_key`` and whose time is in ``[low_ms, high_ms]``."""
        groups = list(self._ranges.groups_holding(called_key))
        if not groups:
            return []
        table = self._parquet.read_row_groups(groups, columns=self._columns, use_threads=False)
        millis = table.column("call_time").cast(pa.int64())
        wanted = pc.and_(
            pc.equal(table.column("called_key"), called_key),
            pc.and_(pc.greater_equal(millis, low_ms), pc.less_equal(millis, high_ms)),
        )
        chosen = table.filter(wanted).slice(0, limit)
        times = chosen.column("call_time").cast(pa.int64()).to_pylist()
        others = [_column(chosen, name) for name in LEG_COLUMNS[1:]]
        return [(ms, *rest) for ms, *rest in zip(times, *others, strict=True)]

    def close(self) -> None:
        self._parquet.close()


def _column(table: pa.Table, name: str) -> list[Any]:
    if name not in table.column_names:  # a store written before trunk maps: all mapped
        return [None] * table.num_rows
    values: list[Any] = table.column(name).to_pylist()
    return values


def open_store_file(path: Path) -> StoreFile | None:
    """``path`` open for row-group lookups, or None when its footer or schema does not allow
    them (then query it with DuckDB)."""
    parquet = pq.ParquetFile(path)
    schema = parquet.schema_arrow
    ranges = _key_ranges(parquet)
    if ranges is None or not _lookup_columns_fit(schema):
        parquet.close()
        return None
    columns = [name for name in (*LEG_COLUMNS, "called_key") if name in schema.names]
    return StoreFile(parquet, ranges, columns)


def _lookup_columns_fit(schema: pa.Schema) -> bool:
    """The lookup columns exist with the types the filter and ``Leg`` expect (``trunk`` may
    be missing)."""
    for name in (*LEG_COLUMNS, "called_key"):
        if name not in schema.names:
            if name != "trunk":
                return False
            continue
        wanted = _TIME if name == "call_time" else pa.string()
        if schema.field(name).type != wanted:
            return False
    return True


def _key_ranges(parquet: pq.ParquetFile) -> KeyRanges | None:
    """Every row group's ``called_key`` range from the footer; None if one lacks it."""
    metadata = parquet.metadata
    paths = [metadata.schema.column(n).path for n in range(metadata.num_columns)]
    if "called_key" not in paths:
        return None
    column = paths.index("called_key")
    lows, highs = [], []
    for group in range(metadata.num_row_groups):
        stats = metadata.row_group(group).column(column).statistics
        if stats is None or not stats.has_min_max:
            return None
        if not isinstance(stats.min, str) or not isinstance(stats.max, str):
            return None
        lows.append(stats.min)
        highs.append(stats.max)
    return KeyRanges.of(lows, highs)
