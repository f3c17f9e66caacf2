"""Batch screening: which calls of a CDR set would the current list block, and why.

One DuckDB query over the canonical CDR files (CSV or Parquet, or the canonical store's files
with their ``calling_key``): the upstream is ``from_provider`` (the OCN that handed the call
over), the calling number is compared by :func:`robotrace.numbers.digits_key`, and the NANP
rules are :mod:`robotrace.numbering.nanp`'s SQL twin. Same rule order as
:func:`robotrace.blocking.decide.decide` (the STIR/SHAKEN hook is not applied to history).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from robotrace.blocking.counts import BLOCK_REASONS, BlockCounts, CountRow
from robotrace.blocking.decide import SCOPE_REASONS, Policy
from robotrace.blocking.emergency import emergency_destination_sql
from robotrace.blocking.model import BlockEntry, LoadedBlocklist, Reason
from robotrace.cdr.duck import connect, sql_text
from robotrace.cdr.readers import cdr_files
from robotrace.clock import as_utc
from robotrace.numbering.nanp import assignable_spelling_sql, number_class_sql
from robotrace.numbers import digits_key, fast_digits_key_sql


@dataclass
class ScreenResult:
    rows: int
    seconds: float
    by_reason: dict[str, int] = field(default_factory=dict)
    #: Calls blocked per reason and authorization or order (robotrace.blocking.counts).
    blocked_by: list[CountRow] = field(default_factory=list)

    @property
    def blocked(self) -> int:
        return sum(n for reason, n in self.by_reason.items() if reason != Reason.ALLOWED)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "rows": self.rows,
            "blocked": self.blocked,
            "by_reason": self.by_reason,
            "blocked_by": [row.as_json() for row in self.blocked_by],
            "seconds": round(self.seconds, 3),
            "rows_per_second": round(self.rows_per_second),
        }


def _list_tables(blocklist: LoadedBlocklist | None, policy: Policy) -> dict[str, pa.Table]:
    """The list as small tables: providers by key and by OCN; number entries by (upstream
    name, digits key), the earliest-effective per pair; the operator's numbers by digits key
    (on the DNO list, a critical caller); and the spellings ``+1…``, ``1…`` and bare of every
    10-digit key, for the fast path's raw join."""
    named = sorted(blocklist.providers.items()) if blocklist else []  # key and OCNs
    providers = [entry for _, entry in named]
    entries: dict[tuple[str, str], BlockEntry] = {}  # (upstream, digits key) → entry
    for (upstream, _), e in blocklist.numbers.items() if blocklist else []:
        pair = (upstream, digits_key(e.number))
        held = entries.get(pair)
        if held is None or as_utc(e.effective_at) < as_utc(held.effective_at):
            entries[pair] = e
    pairs = sorted(entries)
    dno = {digits_key(k) for k in policy.do_not_originate}
    critical = {digits_key(k) for k in policy.critical_callers}
    own = sorted(dno | critical)
    keys = sorted({k for _, k in pairs} | dno | critical)
    spellings = [(p + k, k) for k in keys if len(k) == 10 for p in ("+1", "1", "")]
    return {
        "screen_providers": pa.table(
            {
                "ocn": [name for name, _ in named],
                "reason": [
                    SCOPE_REASONS.get(e.scope, Reason.PROVIDER_BLOCKED).value for e in providers
                ],
                "authorization_id": pa.array([e.authorization_id for e in providers], pa.int64()),
                "rmd_order": pa.array([e.rmd_order for e in providers], pa.string()),
                "order_id": pa.array([e.order_id for e in providers], pa.int64()),
                "reason_code": pa.array([e.reason_code for e in providers], pa.string()),
                "effective_at": pa.array(
                    [e.effective_at for e in providers], pa.timestamp("us", "UTC")
                ),
            }
        ),
        "screen_number_entries": pa.table(
            {
                "upstream": pa.array([u for u, _ in pairs], pa.string()),
                "key": pa.array([k for _, k in pairs], pa.string()),
                "authorization_id": pa.array(
                    [entries[p].authorization_id for p in pairs], pa.int64()
                ),
                "effective_at": pa.array(
                    [entries[p].effective_at for p in pairs], pa.timestamp("us", "UTC")
                ),
            }
        ),
        "screen_numbers": pa.table(
            {
                "key": pa.array(own, pa.string()),
                "dno": pa.array([k in dno for k in own], pa.bool_()),
                "critical": pa.array([k in critical for k in own], pa.bool_()),
            }
        ),
        "screen_spellings": pa.table(
            {"spelling": [s for s, _ in spellings], "key": [k for _, k in spellings]}
        ),
    }


def _source_sql(connection: duckdb.DuckDBPyConnection, paths: Sequence[Path]) -> str:
    """One relation of the files' ``call_time``, ``calling_number``, ``called_number``,
    ``from_provider`` and ``stored_key`` (the canonical store's ``calling_key``, else NULL)."""
    parts = []
    parquet = [str(p) for p in paths if p.suffix.lower() == ".parquet"]
    csv = [str(p) for p in paths if p.suffix.lower() == ".csv"]
    if parquet:
        parts.append(f"read_parquet({_list(parquet)}, union_by_name = true)")
    if csv:
        parts.append(f"read_csv({_list(csv)}, header = true, all_varchar = true)")
    selects = [_columns(connection, part) for part in parts]
    return " UNION ALL ".join(selects) if selects else _NO_ROWS


_NO_ROWS = (
    "SELECT NULL::TIMESTAMPTZ AS call_time, NULL::VARCHAR AS calling_number, "
    "NULL::VARCHAR AS called_number, NULL::VARCHAR AS upstream, "
    "NULL::VARCHAR AS stored_key LIMIT 0"
)


def _list(paths: list[str]) -> str:
    return "[" + ", ".join(sql_text(p) for p in paths) + "]"


def _columns(connection: duckdb.DuckDBPyConnection, relation: str) -> str:
    names = {row[0] for row in connection.sql(f"DESCRIBE SELECT * FROM {relation}").fetchall()}
    key = "calling_key" if "calling_key" in names else "NULL::VARCHAR"
    upstream = "upper(from_provider)" if "from_provider" in names else "NULL"
    return (
        f"SELECT TRY_CAST(call_time AS TIMESTAMPTZ) AS call_time, "
        f"CAST(calling_number AS VARCHAR) AS calling_number, "
        f"CAST(called_number AS VARCHAR) AS called_number, {upstream} AS upstream, "
        f"{key} AS stored_key FROM {relation}"
    )


def decisions_sql(source: str, policy: Policy) -> str:
    """The per-row ``reason``, ``authorization_id``, ``rmd_order`` (an RMD removal's order,
    which blocks without an authorization), ``order_id`` (a final order's) and the list
    entry's ``reason_code``; ``allowed`` when nothing applies.

    Most caller IDs are an assignable NANP number written ``+1…``, ``1…`` or bare: one
    anchored match (``fast``) settles their class, and their key comes from a join of the
    raw text with the list's spellings, so the digits key is computed only for the rest.
    """
    fast = assignable_spelling_sql("calling_number", policy.nanp)
    slow_key = fast_digits_key_sql("c.calling_number")
    number_class = number_class_sql("c.calling_number", "c.calling_key", policy.nanp)
    invalid = ["'garbage'", "'invalid'"] if policy.block_invalid else []
    invalid += ["'empty'"] if policy.block_empty else []
    invalid_test = f"{number_class} IN ({', '.join(invalid)})" if invalid else "false"
    # Equality-only joins (hash joins); the effective time is checked after, like decide().
    p_hit = "(p.ocn IS NOT NULL AND (c.call_time IS NULL OR c.call_time >= p.effective_at))"
    n_hit = (
        "(e.authorization_id IS NOT NULL "
        "AND (c.call_time IS NULL OR c.call_time >= e.effective_at))"
    )
    emergency = emergency_destination_sql("c.called_number")
    protected = f"({emergency} OR coalesce(n.critical, false))"
    keyed = f"""
        SELECT c.call_time, c.calling_number, c.called_number, c.upstream, c.fast,
          coalesce(c.stored_key, s.key, CASE WHEN NOT c.fast THEN {slow_key} END) AS calling_key
        FROM (SELECT *, {fast} AS fast FROM ({source})) c
        LEFT JOIN screen_spellings s ON c.calling_number = s.spelling
    """
    return f"""
        SELECT c.call_time, c.calling_number, c.called_number, c.upstream,
          CASE WHEN {emergency} THEN '{Reason.EMERGENCY.value}'
               WHEN n.critical THEN '{Reason.CRITICAL_CALLER.value}'
               WHEN {p_hit} THEN p.reason
               WHEN {n_hit} THEN '{Reason.NUMBER_BLOCKED.value}'
               WHEN n.dno THEN '{Reason.DO_NOT_ORIGINATE.value}'
               WHEN c.fast THEN '{Reason.ALLOWED.value}'
               WHEN {invalid_test} THEN '{Reason.INVALID_NUMBER.value}'
               ELSE '{Reason.ALLOWED.value}' END AS reason,
          CASE WHEN {protected} THEN NULL WHEN {p_hit} THEN p.authorization_id
               WHEN {n_hit} THEN e.authorization_id END AS authorization_id,
          CASE WHEN {protected} THEN NULL WHEN {p_hit} THEN p.rmd_order END AS rmd_order,
          CASE WHEN {protected} THEN NULL WHEN {p_hit} THEN p.order_id END AS order_id,
          CASE WHEN {protected} THEN NULL WHEN {p_hit} THEN p.reason_code
               WHEN {n_hit} THEN 'authorization' END AS reason_code
        FROM ({keyed}) c
        LEFT JOIN screen_providers p ON c.upstream = p.ocn
        LEFT JOIN screen_number_entries e ON c.upstream = e.upstream AND c.calling_key = e.key
        LEFT JOIN screen_numbers n ON c.calling_key = n.key
    """


def screen(
    paths: Sequence[str | Path],
    blocklist: LoadedBlocklist | None,
    policy: Policy,
    threads: int | None = None,
    out: str | Path | None = None,
) -> ScreenResult:
    """Screen the CDR files in ``paths``; ``out`` also writes every row with its reason."""
    connection = connect()
    if threads:
        connection.execute(f"SET threads = {int(threads)}")
    for name, table in _list_tables(blocklist, policy).items():
        connection.register(name, table)
    started = time.perf_counter()
    decided = decisions_sql(_source_sql(connection, cdr_files(paths)), policy)
    if out:
        connection.execute(f"COPY ({decided}) TO {sql_text(str(out))} (FORMAT parquet)")
        decided = f"SELECT * FROM read_parquet({sql_text(str(out))})"
    grouped = f"SELECT reason, authorization_id, order_id, count(*) FROM ({decided}) GROUP BY ALL"
    counts = connection.sql(grouped).fetchall()
    seconds = time.perf_counter() - started
    return _result(counts, seconds)


def _result(counts: list[tuple[str, int | None, int | None, int]], seconds: float) -> ScreenResult:
    """The summary of ``(reason, authorization id, order id, rows)`` groups."""
    by_reason: dict[str, int] = {}
    tally = BlockCounts()
    for reason, authorization_id, order_id, n in counts:
        by_reason[str(reason)] = by_reason.get(str(reason), 0) + int(n)
        if str(reason) in BLOCK_REASONS:
            tally.add_count(str(reason), authorization_id, order_id, int(n))
    by_reason = dict(sorted(by_reason.items()))
    return ScreenResult(sum(by_reason.values()), seconds, by_reason, tally.snapshot())
