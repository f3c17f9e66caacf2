"""The hop lookup: find, in one provider's call records, the leg a hop request asks about.

The rule (docs/formats.md, "Hop lookup"): candidates are the legs whose ``called_key`` equals
the request's (:func:`robotrace.numbers.digits_key`) and whose ``call_time`` lies within
``skew_s`` seconds of the request's time (setting ``cdr_skew_seconds``). The nearest in time
wins; among equally near legs, one whose ``calling_key`` equals the request's wins. The
calling number is untrusted, so it only ever breaks ties: a spoofed, garbage or mismatched
caller ID never stops a match.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from robotrace.cdr.duck import connect, sql_text
from robotrace.cdr.readers import read_cdrs
from robotrace.cdr.store import keyed_legs_sql
from robotrace.cdr.storefile import StoreFile, open_store_file
from robotrace.clock import epoch_ms, from_epoch_ms, parse_utc
from robotrace.numbers import digits_key

if TYPE_CHECKING:
    from robotrace.cdr.switch import SwitchRecords

#: More legs than this to one number within the skew window means the window is useless.
MAX_CANDIDATES = 1000


@dataclass(frozen=True)
class Leg:
    """A candidate leg, as the lookup query returns it."""

    call_ms: int
    from_provider: str | None
    customer: str | None
    calling_number: str | None
    called_number: str
    calling_key: str
    sip_call_id: str | None
    identity: str | None
    to_provider: str | None
    trunk: str | None = None


@dataclass(frozen=True)
class LookupResult:
    """The answer to one hop request from one provider's records.

    ``from_provider`` set → the call came from that provider (``answer == "upstream"``);
    ``customer`` → the provider's own customer placed it (``"origin"``); neither → the call
    came in on ``trunk``, which the provider's trunk map does not map (``"unmapped"``: no
    answer may be drawn from it). ``delta_s`` is the leg's time minus the requested time; the
    leg's numbers are not kept: its called number is the request's (by its digits), and so
    is its calling number when ``calling_matched``.
    """

    found: bool
    provider: str
    from_provider: str | None = None
    customer: str | None = None
    call_time: datetime | None = None
    delta_s: float | None = None
    calling_matched: bool = False
    sip_call_id: str | None = None
    identity: str | None = None
    candidates: int = 0
    trunk: str | None = None

    @property
    def answer(self) -> str:
        """``"upstream"``, ``"origin"``, ``"not_found"`` (the hop answer this supports), or
        ``"unmapped"`` (the leg came in on a trunk the trunk map does not map)."""
        if not self.found:
            return "not_found"
        if self.from_provider:
            return "upstream"
        return "origin" if self.customer or not self.trunk else "unmapped"


def best_leg(legs: Sequence[Leg], when_ms: int, calling_key: str) -> Leg | None:
    """The nearest leg in time; among equally near ones, one whose calling key matches."""

    def rank(leg: Leg) -> tuple[int, bool, int, str]:
        mismatch = not (calling_key and leg.calling_key == calling_key)
        return abs(leg.call_ms - when_ms), mismatch, leg.call_ms, leg.sip_call_id or ""

    return min(legs, key=rank, default=None)


def _epoch_ms(when: datetime | str) -> int:
    return epoch_ms(parse_utc(when) if isinstance(when, str) else when)


def _sql_time(ms: int) -> str:
    return from_epoch_ms(ms).strftime("%Y-%m-%d %H:%M:%S.%f+00")


class ProviderRecords:
    """One provider's call legs, searchable by hop request.

    Open it with :meth:`open` (canonical store files: read row group by row group, see
    ``robotrace.cdr.storefile``) or :meth:`from_table` (a canonical table, for small cases,
    queried in DuckDB like a store file that the row-group reader refuses). One caller at a
    time: lookups are serialised by a lock.
    """

    def __init__(
        self,
        connection: duckdb.DuckDBPyConnection,
        relation: str,
        provider: str,
        files: Sequence[StoreFile] = (),
    ) -> None:
        self.provider = provider
        self._connection = connection
        self._relation = relation
        self._files = list(files)  # when given, they hold exactly ``relation``'s legs
        self._lock = threading.Lock()

    @property
    def by_row_groups(self) -> bool:
        """Whether lookups read the store files' row groups themselves (else DuckDB asks)."""
        return bool(self._files)

    @classmethod
    def open(
        cls,
        paths: str | Path | Sequence[str | Path],
        provider: str | None = None,
        connection: duckdb.DuckDBPyConnection | None = None,
    ) -> ProviderRecords:
        """Records from canonical store file(s) (``<OCN>.parquet``, ``STORE_SCHEMA``).

        ``provider`` defaults to the first file's name without ``.parquet``.
        """
        files = [Path(p) for p in ([paths] if isinstance(paths, str | Path) else paths)]
        if not files:
            raise ValueError("no store files given")
        for path in files:
            if not path.is_file():
                raise FileNotFoundError(f"{path}: no such store file")
        relation = "read_parquet([" + ", ".join(sql_text(str(p)) for p in files) + "])"
        if any("trunk" not in pq.read_schema(p).names for p in files):
            # A store written before trunk maps (issue 20): its legs all came mapped.
            relation = f"(SELECT *, NULL::VARCHAR AS trunk FROM {relation})"
        readers = _row_group_readers(files)
        return cls(connection or connect(), relation, provider or files[0].stem, readers)

    @classmethod
    def from_table(
        cls,
        legs: pa.Table,
        provider: str | None = None,
        connection: duckdb.DuckDBPyConnection | None = None,
    ) -> ProviderRecords:
        """Records from a canonical table (``CDR_SCHEMA``, e.g. from ``read_cdrs``), kept in
        memory. With ``provider`` only that provider's legs are kept; without, the table must
        hold one provider's."""
        owners = sorted(set(legs.column("provider").to_pylist()))
        if provider is None and len(owners) != 1:
            raise ValueError(f"legs of {len(owners)} providers; say which one")
        provider = provider or owners[0]
        connection = connection or connect()
        name, scan = f"legs_{uuid.uuid4().hex}", f"scan_{uuid.uuid4().hex}"
        connection.register(scan, legs)
        try:
            where = f"provider = {sql_text(provider)}"
            connection.execute(f"CREATE TABLE {name} AS {keyed_legs_sql(scan, where)}")
        finally:
            connection.unregister(scan)
        return cls(connection, name, provider)

    def lookup(
        self,
        called: str,
        calling: str | None,
        when: datetime | str,
        skew_s: float,
    ) -> LookupResult:
        """The leg to ``called`` nearest to ``when`` within ``skew_s`` (the setting
        ``cdr_skew_seconds``, or the skew asked for); ``calling`` only breaks ties between
        equally near legs."""
        called_key, calling_key, when_ms = digits_key(called), digits_key(calling), _epoch_ms(when)
        if not called_key:
            return LookupResult(found=False, provider=self.provider)
        legs = self._candidates(called_key, when_ms, round(skew_s * 1000))
        best = best_leg(legs, when_ms, calling_key)
        if best is None:
            return LookupResult(found=False, provider=self.provider)
        return self._result(best, when_ms, calling_key, len(legs))

    def _candidates(self, called_key: str, when_ms: int, skew_ms: int) -> list[Leg]:
        """The legs to ``called_key`` within ``skew_ms`` of ``when_ms``, in store order (at
        most ``MAX_CANDIDATES``)."""
        if self._files:
            return self._candidates_from_files(called_key, when_ms - skew_ms, when_ms + skew_ms)
        # Times go in as literals, not parameters, so that DuckDB prunes row groups by them.
        low, high = _sql_time(when_ms - skew_ms), _sql_time(when_ms + skew_ms)
        sql = (
            "SELECT epoch_ms(call_time), from_provider, customer, calling_number, "
            "called_number, calling_key, sip_call_id, identity, to_provider, trunk "
            f"FROM {self._relation} WHERE called_key = {sql_text(called_key)} "
            f"AND call_time BETWEEN TIMESTAMPTZ '{low}' AND TIMESTAMPTZ '{high}' "
            f"LIMIT {MAX_CANDIDATES}"
        )
        with self._lock:
            rows = self._connection.execute(sql).fetchall()
        return [Leg(*row) for row in rows]

    def _candidates_from_files(self, called_key: str, low_ms: int, high_ms: int) -> list[Leg]:
        rows: list[Leg] = []
        with self._lock:
            for file in self._files:
                found = file.candidates(called_key, low_ms, high_ms, MAX_CANDIDATES - len(rows))
                rows.extend(Leg(*row) for row in found)
        return rows

    def _result(self, leg: Leg, when_ms: int, calling_key: str, candidates: int) -> LookupResult:
        return LookupResult(
            found=True,
            provider=self.provider,
            from_provider=leg.from_provider,
            customer=leg.customer,
            call_time=from_epoch_ms(leg.call_ms),
            delta_s=(leg.call_ms - when_ms) / 1000,
            calling_matched=bool(calling_key) and leg.calling_key == calling_key,
            sip_call_id=leg.sip_call_id,
            identity=leg.identity,
            candidates=candidates,
            trunk=leg.trunk,
        )

    def close(self) -> None:
        with self._lock:
            for file in self._files:
                file.close()
            self._connection.close()

    def __enter__(self) -> ProviderRecords:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _row_group_readers(files: Sequence[Path]) -> list[StoreFile]:
    """Row-group readers of all ``files``, or none if one of them must be queried in DuckDB
    (the whole set is then queried there, as one relation)."""
    readers = [open_store_file(path) for path in files]
    if all(reader is not None for reader in readers):
        return [reader for reader in readers if reader is not None]
    for reader in readers:
        if reader is not None:
            reader.close()
    return []


def open_store(directory: str | Path) -> dict[str, ProviderRecords]:
    """Records of every provider in a canonical store directory (``<OCN>.parquet`` files)."""
    connection = connect()
    return {
        path.stem: ProviderRecords.open(path, connection=connection.cursor())
        for path in sorted(Path(directory).glob("*.parquet"))
    }


def open_records_dir(
    directory: str | Path, switch: SwitchRecords | None = None
) -> dict[str, ProviderRecords]:
    """Records of every provider named in a directory of raw ``.csv``/``.parquet`` CDR files
    (or of a switch's own records, with ``switch``), validated (``BadRowsError`` on any bad
    row) and kept in memory — for small directories; import large ones with
    ``robotrace cdr import`` and use :func:`open_store`."""
    legs = read_cdrs([Path(directory)], switch=switch)
    connection = connect()
    providers = sorted(set(legs.column("provider").to_pylist()))
    return {key: ProviderRecords.from_table(legs, key, connection.cursor()) for key in providers}
