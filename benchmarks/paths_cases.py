"""The measured cases of ``bench_paths.py``, each run alone in a child process:

    .venv/bin/python benchmarks/paths_cases.py CASE --store DIR --calls FILE --out FILE \\
        --tolerance-ms 5000 [--foreign F000,F001]

``CASE`` is ``duckdb`` or ``spark`` (robotrace's engines: ``read_calls``, ``trace_paths``,
``providers_with_records``, ``assemble_paths``), ``floor`` (one hand-written DuckDB query)
or ``pandas`` (what an analyst would write). Each writes ``call_id, path, status,
customer`` (path as ``A>B>C``, origin first; the origin's customer) to ``--out`` and prints
one JSON line: the seconds from reading the calls file to the paths in memory (``wall_s``;
imports and writing the result are left out, starting Spark is in) and its phases.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from robotrace.cdr.duck import connect, sql_text
from robotrace.paths.duck import store_files
from robotrace.paths.engine import DEFAULT_MAX_HOPS

Phases = dict[str, float]
OUT_SCHEMA = pa.schema(
    [
        ("call_id", pa.string()),
        ("path", pa.string()),
        ("status", pa.string()),
        ("customer", pa.string()),
    ]
)


# --- robotrace's engines -------------------------------------------------------------------


def run_engine(
    name: str, store: Path, calls_file: Path, tolerance_ms: int, foreign: list[str]
) -> tuple[pa.Table, Phases]:
    from robotrace.paths.assemble import assemble_paths
    from robotrace.paths.calls import read_calls
    from robotrace.paths.engine import engine_named, trace_paths

    phases: Phases = {}
    clock = time.perf_counter()

    def lap(what: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        phases[what] = round(now - clock, 3)
        clock = now

    calls = read_calls(calls_file)
    lap("read_calls")
    engine = engine_named(name)
    lap("engine_start")
    try:
        hops = trace_paths(engine, store, calls, tolerance_ms, DEFAULT_MAX_HOPS)
        lap("trace_paths")
        recorded = engine.providers_with_records(store)
        lap("providers_with_records")
        found = assemble_paths(hops, calls, recorded, foreign)
        lap("assemble_paths")
    finally:
        engine.close()
    paths = pc.binary_join(found.column("path"), ">")  # as the floor writes it, in C++
    columns = [found.column("call_id"), paths, found.column("status"), found.column("customer")]
    return pa.table(columns, OUT_SCHEMA), phases


# --- the floor: one hand-written DuckDB query ----------------------------------------------


def floor_sql(store: Path, calls_file: Path, tolerance_ms: int) -> str:
    """Every call's best leg at every provider of its band (one band join over all
    providers at once, the nearest by ``arg_min_null``: a leg is the same best leg whichever
    hop asks for it), then the walk along ``from_provider`` as a recursive CTE over those
    few rows; the origin's customer with the status. Keys are cut from E.164 numbers
    directly, the providers with records are the store's file names."""
    files = ", ".join(sql_text(str(f)) for f in store_files(store))
    recorded = ", ".join(f"({sql_text(f.stem)})" for f in store_files(store))
    bucket = max(tolerance_ms, 1)

    def key(column: str) -> str:
        return f"CASE WHEN {column} LIKE '+1%' THEN {column}[3:] ELSE coalesce({column}, '') END"

    return f"""
    WITH RECURSIVE calls AS MATERIALIZED (
      SELECT call_id, terminating_provider AS term, {key("called_number")} AS called_key,
        {key("calling_number")} AS calling_key, epoch_ms(call_time) AS t_ms
      FROM read_parquet({sql_text(str(calls_file))})
    ),
    legs AS MATERIALIZED (
      SELECT provider, called_key, epoch_ms(call_time) AS leg_ms,
        epoch_ms(call_time) // {bucket} AS bucket, coalesce(calling_key, '') AS calling_key,
        nullif(from_provider, '') AS from_provider, customer,
        coalesce(sip_call_id, '') AS sip_call_id
      FROM read_parquet([{files}])
      WHERE called_key IN (SELECT called_key FROM calls)
    ),
    best AS MATERIALIZED (
      SELECT c.call_id, l.provider,
        arg_min_null({{'up': l.from_provider, 'customer': l.customer}}, (abs(l.leg_ms - c.t_ms),
           NOT (c.calling_key <> '' AND l.calling_key = c.calling_key), l.leg_ms,
           l.sip_call_id)) AS leg
      FROM calls c, (VALUES (-1), (0), (1)) o(shift), legs l
      WHERE l.called_key = c.called_key AND l.bucket = c.t_ms // {bucket} + o.shift
        AND abs(l.leg_ms - c.t_ms) <= {tolerance_ms}
      GROUP BY c.call_id, l.provider
    ),
    walk AS (
      SELECT call_id, 0 AS hop, term AS provider, [term] AS path FROM calls
      UNION ALL
      SELECT w.call_id, w.hop + 1, b.leg.up, list_prepend(b.leg.up, w.path)
      FROM walk w JOIN best b ON b.call_id = w.call_id AND b.provider = w.provider
      WHERE b.leg.up IS NOT NULL AND NOT list_contains(w.path, b.leg.up)
        AND w.hop < {DEFAULT_MAX_HOPS - 1}
    ),
    ends AS (
      SELECT call_id, arg_max(path, hop) AS path, arg_max(provider, hop) AS provider,
        max(hop) AS hop
      FROM walk GROUP BY call_id
    )
    SELECT e.call_id, array_to_string(e.path, '>') AS path,
      CASE WHEN b.call_id IS NULL AND e.provider IN (SELECT * FROM (VALUES {recorded}))
             THEN 'no_match'
           WHEN b.call_id IS NULL THEN 'no_records'
           WHEN b.leg.up IS NULL THEN 'origin'
           WHEN list_contains(e.path, b.leg.up) THEN 'loop'
           ELSE 'hop_limit' END AS status,
      CASE WHEN b.leg.up IS NULL THEN b.leg.customer END AS customer
    FROM ends e LEFT JOIN best b ON b.call_id = e.call_id AND b.provider = e.provider"""


def run_floor(
    store: Path, calls_file: Path, tolerance_ms: int, foreign: list[str]
) -> tuple[pa.Table, Phases]:
    connection = connect()
    try:
        table = connection.execute(floor_sql(store, calls_file, tolerance_ms)).to_arrow_table()
    finally:
        connection.close()
    return table.select(OUT_SCHEMA.names).cast(OUT_SCHEMA), {}


# --- pandas: what an analyst would write ---------------------------------------------------


def run_pandas(
    store: Path, calls_file: Path, tolerance_ms: int, foreign: list[str]
) -> tuple[pa.Table, Phases]:
    """Read the calls and every provider file, keep the legs to the listed numbers, then per
    hop: merge the open calls with the legs on provider and called number, keep those within
    the tolerance, take the nearest by ``idxmin``."""
    import pandas as pd

    def key(numbers: pd.Series) -> pd.Series:
        return numbers.fillna("").str.replace(r"\D", "", regex=True).str[-10:]

    calls = pd.read_parquet(calls_file)
    calls["called_key"] = key(calls["called_number"])
    calls["calling_key"] = key(calls["calling_number"])
    calls["t_ms"] = (calls["call_time"] - pd.Timestamp(0, tz="UTC")) // pd.Timedelta("1ms")
    wanted = set(calls["called_key"])
    columns = ["provider", "call_time", "called_key", "calling_key", "from_provider", "customer"]
    legs = pd.concat(
        [
            frame[frame["called_key"].isin(wanted)]
            for frame in (pd.read_parquet(f, columns=columns) for f in store_files(store))
        ],
        ignore_index=True,
    )
    legs["leg_ms"] = (legs["call_time"] - pd.Timestamp(0, tz="UTC")) // pd.Timedelta("1ms")
    recorded = {f.stem for f in store_files(store)}
    frontier = calls[["call_id", "terminating_provider", "called_key", "calling_key", "t_ms"]]
    frontier = frontier.rename(columns={"terminating_provider": "provider"})
    frontier["path"] = frontier["provider"]
    ended = []
    for _ in range(DEFAULT_MAX_HOPS):
        frontier, done = _pandas_hop(frontier, legs, tolerance_ms, recorded)
        ended.append(done)
        if frontier.empty:
            break
    if not frontier.empty:
        ended.append(frontier.assign(status="hop_limit", customer=None))
    result = pd.concat(ended, ignore_index=True)
    result["customer"] = result["customer"].where(result["status"] == "origin", None)
    result = result[["call_id", "path", "status", "customer"]]
    return pa.Table.from_pandas(result, OUT_SCHEMA, preserve_index=False), {}


def _pandas_hop(frontier, legs, tolerance_ms: int, recorded: set[str]):  # type: ignore[no-untyped-def]
    merged = frontier.merge(legs, on=["provider", "called_key"], suffixes=("", "_leg"))
    merged["delta"] = merged["leg_ms"] - merged["t_ms"]
    merged = merged[merged["delta"].abs() <= tolerance_ms]
    matched = (merged["calling_key"] != "") & (merged["calling_key"] == merged["calling_key_leg"])
    merged = merged.assign(
        rank=merged["delta"].abs() * 4 + (~matched) * 2 + (merged["delta"] > 0) * 1
    )
    nearest = merged.groupby("call_id")["rank"].idxmin()
    best = merged.loc[nearest, ["call_id", "from_provider", "customer"]]
    step = frontier.merge(best, on="call_id", how="left", indicator=True)
    found = (step["_merge"] == "both").to_numpy()
    upstream = step["from_provider"].fillna("")
    onward = found & (upstream != "").to_numpy()
    looped = onward & np.array(
        [u in p.split(">") for u, p in zip(upstream, step["path"], strict=True)], dtype=bool
    )
    unrecorded = ~step["provider"].isin(recorded).to_numpy()
    step["status"] = np.select(
        [~found & unrecorded, ~found, ~onward, looped],
        ["no_records", "no_match", "origin", "loop"],
        "go on",
    )
    going = step[step["status"] == "go on"].copy()
    going["provider"] = going["from_provider"]
    going["path"] = going["from_provider"] + ">" + going["path"]
    keep = ["call_id", "provider", "called_key", "calling_key", "t_ms", "path"]
    return going[keep], step[step["status"] != "go on"]


CASES: dict[str, Callable[..., tuple[pa.Table, Phases]]] = {
    "duckdb": lambda *a: run_engine("duckdb", *a),
    "spark": lambda *a: run_engine("spark", *a),
    "floor": run_floor,
    "pandas": run_pandas,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("case", choices=sorted(CASES))
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--calls", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--tolerance-ms", type=int, default=5000)
    parser.add_argument("--foreign", default="", help="OCNs of foreign providers, comma-separated")
    args = parser.parse_args()
    foreign = [o for o in args.foreign.split(",") if o]
    started = time.perf_counter()
    table, phases = CASES[args.case](args.store, args.calls, args.tolerance_ms, foreign)
    wall = time.perf_counter() - started
    pq.write_table(table, args.out)
    print(json.dumps({"wall_s": round(wall, 3), "paths": table.num_rows, "phases": phases}))


if __name__ == "__main__":
    main()
