"""Call records as switches write them, read into the canonical schema through a trunk map.

A switch format (``robotrace.cdr.formats``) reads its files into *staged* legs: the text
columns ``STAGED_COLUMNS`` (``""`` where the switch recorded nothing), ``_row`` (the format's
own row number, which ``Staged.locate`` turns into a file and line) and ``_problem`` (the
format's own reasons a row is bad). This module makes canonical legs of them, vectorised:

1. the time is read — epoch seconds, ISO-8601 with an offset, or a local time in the
   switch's zone (the trunk map's ``time_zone``), or by the format's ``strptime`` pattern;
2. the ingress (source address, trunk, trunk group, account code) is routed through the
   provider's trunk map once per *distinct* ingress, in Python, and joined back in DuckDB:
   a mapped leg gets ``from_provider`` or ``customer``; every leg keeps its ingress label in
   ``trunk``, so an unmapped one is known by it;
3. the canonical rules (``robotrace.cdr.rules``) check every row, as for any CDR file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from robotrace.cdr import rules
from robotrace.cdr.duck import connect, sql_text
from robotrace.cdr.readers import FileCheck, Progress
from robotrace.cdr.trunkmap import Ingress, TrunkMap
from robotrace.csvlines import MAX_ERRORS_PER_FILE
from robotrace.rows import RowError

STAGED_COLUMNS = (
    "call_time",
    "calling_number",
    "called_number",
    "source",
    "trunk",
    "tgrp",
    "accountcode",
    "sip_call_id",
    "duration_s",
    "disposition",
    "identity",
    "_problem",
)
_INGRESS = ("source", "trunk", "tgrp", "accountcode")
#: The provider a ``cdr check`` without a trunk map's ``provider`` checks the rows as.
UNNAMED_PROVIDER = "UNNAMED"

#: Turns staged ``_row`` numbers into ``(file, line)``.
Locate = Callable[[list[int]], dict[int, tuple[str, int]]]


@dataclass(frozen=True)
class Staged:
    """One input as its format read it: ``source`` (an Arrow table, registered as
    ``switch_rows``) and ``select``, SQL over it giving ``STAGED_COLUMNS`` (text) and ``_row``
    (int64) — a view, so the legs are not copied before they are checked.

    ``time_format``: the ``strptime`` pattern of the times (``""``: ISO-8601 or epoch
    seconds); ``time_zone``: the zone of times without an offset (``""``: the trunk map's).
    """

    source: pa.Table
    select: str
    locate: Locate
    time_format: str = ""
    time_zone: str = ""


@dataclass(frozen=True)
class SwitchFormat:
    """A way switches write call records: its name, the inputs it reads from the paths given
    (each ``(name, files)`` one check), and its reader."""

    name: str
    summary: str
    groups: Callable[[Sequence[Path]], list[tuple[str, list[Path]]]]
    read: Callable[[list[Path], FileCheck, duckdb.DuckDBPyConnection], Staged | None]


@dataclass(frozen=True)
class SwitchRecords:
    """A provider's switch records: their format, its trunk map, and whose they are
    (``provider`` — the agent's own — wins over the trunk map's)."""

    format: SwitchFormat
    trunks: TrunkMap = field(default_factory=TrunkMap)
    provider: str = ""

    @property
    def owner(self) -> str:
        return self.provider or self.trunks.provider

    def owner_or_raise(self) -> str:
        if not self.owner:
            raise ValueError(
                "whose records are these? The trunk map must name the provider "
                '(provider = "<your OCN or robotrace key>") to import switch records'
            )
        return self.owner


def check_switch(
    sources: Sequence[str | Path],
    records: SwitchRecords,
    keep_tables: bool = False,
    progress: Progress | None = None,
) -> list[FileCheck]:
    """Read and check every input of ``records.format`` under ``sources``; with
    ``keep_tables`` the good ones carry their canonical table (the owner must be known)."""
    owner = records.owner_or_raise() if keep_tables else records.owner or UNNAMED_PROVIDER
    groups = records.format.groups([Path(s) for s in sources])
    if not groups:
        named = ", ".join(str(s) for s in sources)
        raise ValueError(f"{named}: no {records.format.name} records ({records.format.summary})")
    checks, connection = [], connect()
    try:
        for n, (name, files) in enumerate(groups, start=1):
            checks.append(_check_group(name, files, records, owner, connection, keep_tables))
            if progress:
                progress(f"checked {name}", n, len(groups))
    finally:
        connection.close()
    return checks


def _check_group(
    name: str,
    files: list[Path],
    records: SwitchRecords,
    owner: str,
    connection: duckdb.DuckDBPyConnection,
    keep_table: bool,
) -> FileCheck:
    check = FileCheck(name)
    staged = records.format.read(files, check, connection)
    if staged is None:
        return check
    locate = staged.locate
    try:
        check.rows = _check_staged(connection, staged, records.trunks, owner)
        del staged  # only ``checked`` holds the legs now (10^7 of them: gigabytes)
        count, listed = rules.bad_rows(connection, MAX_ERRORS_PER_FILE)
        if count == 0 and not check.errors:  # rows of the wrong width were left out
            check.unmapped = rules.unmapped_trunks(connection)
            if keep_table:
                check.table = rules.canonical_table(connection)
    finally:
        rules.forget_checked(connection)
    _report(check, locate, count, listed)
    return check


def _check_staged(
    connection: duckdb.DuckDBPyConnection, staged: Staged, trunks: TrunkMap, owner: str
) -> int:
    """The rules applied to ``staged`` read through ``trunks``, into ``checked``; the legs
    are materialised once, there. Returns how many legs there are."""
    connection.register("switch_rows", staged.source)
    try:
        connection.execute(f"CREATE OR REPLACE TEMP VIEW staged AS {staged.select}")
        connection.register("routes", routes_of(connection, trunks))
        zone = staged.time_zone or trunks.time_zone
        connection.execute(f"CREATE OR REPLACE TEMP VIEW raw AS {_raw_sql(owner, staged, zone)}")
        rules.check_raw(connection, _shape(staged.time_format))
        counted = connection.sql("SELECT count(*) FROM checked").fetchone()
    finally:
        connection.execute("DROP VIEW IF EXISTS raw")
        connection.execute("DROP VIEW IF EXISTS staged")
        connection.unregister("routes")
        connection.unregister("switch_rows")
    return int(counted[0]) if counted else 0


def _shape(time_format: str) -> rules.RawShape:
    expected = f"a time like {time_format!r}" if time_format else None
    return rules.RawShape(
        time_is_timestamp=True,
        time_text=True,
        problems=True,
        time_expected=expected or "epoch seconds, ISO-8601 or 'YYYY-MM-DD HH:MM:SS'",
    )


def _report(check: FileCheck, locate: Locate, count: int, listed: list[tuple[int, str]]) -> None:
    where = locate([r for r, _ in listed]) if listed else {}
    for row, why in listed:
        file, line = where.get(row, (check.name, row + 1))
        check.errors.append(RowError(file, line, why))
    check.errors.sort(key=lambda e: (e.file, e.line))
    if count > len(listed):
        more = count - len(listed)
        check.errors.append(RowError(check.name, 0, f"… and {more} more bad rows not listed"))


# --- the trunk map, once per distinct ingress -----------------------------------------------

_ROUTES = pa.schema(
    [
        *((name, pa.string()) for name in _INGRESS),
        ("from_provider", pa.string()),
        ("customer", pa.string()),
        ("label", pa.string()),
        ("problem", pa.string()),
    ]
)


def routes_of(connection: duckdb.DuckDBPyConnection, trunks: TrunkMap) -> pa.Table:
    """Every distinct ingress of the ``staged`` legs with what the trunk map makes of it."""
    columns = ", ".join(_INGRESS)
    distinct = connection.sql(f"SELECT DISTINCT {columns} FROM staged").to_arrow_table()
    rows: dict[str, list[str | None]] = {name: [] for name in _ROUTES.names}
    for values in distinct.to_pylist():
        ingress = Ingress(**values)
        entry, problem = trunks.route(ingress)
        for name in _INGRESS:
            rows[name].append(values[name])
        upstream = entry.upstream if entry is not None else None
        rows["from_provider"].append(upstream.label if upstream is not None else "")
        rows["customer"].append(entry.customer if entry is not None else "")
        rows["label"].append(ingress.label)
        rows["problem"].append(problem)
    return pa.table(rows, schema=_ROUTES)


# --- staged legs to raw canonical rows --------------------------------------------------------


def _raw_sql(owner: str, staged: Staged, zone: str) -> str:
    """``raw`` for the rules: the canonical columns, the time read, the ingress routed."""
    joined = " AND ".join(f"s.{c} = r.{c}" for c in _INGRESS)
    return f"""
    SELECT {sql_text(owner)} AS provider, {time_sql("trim(s.call_time)", staged.time_format, zone)}
        AS call_time, s.calling_number, s.called_number, r.from_provider,
        NULL::VARCHAR AS to_provider, r.customer, s.duration_s, s.disposition, s.identity,
        s.sip_call_id, r.label AS trunk, s._row, trim(s.call_time) AS _time_text,
        concat_ws('; ', nullif(s._problem, ''), nullif(r.problem, '')) AS _problem
    FROM staged s JOIN routes r ON {joined}
    ORDER BY s._row"""


_EPOCH = "[0-9]{1,12}(\\.[0-9]*)?"
_OFFSET = "(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)$"


def time_sql(text: str, time_format: str, zone: str) -> str:
    """SQL reading ``text`` as a TIMESTAMPTZ (NULL where it does not read): by the
    ``strptime`` pattern ``time_format``, or as epoch seconds, ISO-8601 with an offset, or
    a local time in ``zone``."""
    in_zone = sql_text(zone)
    if time_format:
        parsed = f"try_strptime({text}, {sql_text(time_format)})"
        if "%z" in time_format or "%Z" in time_format:
            return f"CAST({parsed} AS TIMESTAMPTZ)"
        return f"timezone({in_zone}, {parsed})"
    epoch_us = f"CAST(TRY_CAST({text} AS DECIMAL(18, 3)) * 1000 AS BIGINT) * 1000"
    local = f"TRY_CAST({text} AS TIMESTAMP)"
    # The connection's own zone is UTC (robotrace.cdr.duck): no per-row ICU call for it.
    in_utc = f"CAST({local} AS TIMESTAMPTZ)" if zone == "UTC" else f"timezone({in_zone}, {local})"
    return (
        f"CASE WHEN regexp_full_match({text}, '{_EPOCH}') "
        f"THEN CAST(make_timestamp({epoch_us}) AS TIMESTAMPTZ) "
        f"WHEN regexp_matches({text}, '{_OFFSET}') THEN TRY_CAST({text} AS TIMESTAMPTZ) "
        f"ELSE {in_utc} END"
    )
