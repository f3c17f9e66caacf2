"""Benchmark ``robotrace screen``'s query: rows per second on a hard mix of caller IDs.

    .venv/bin/python benchmarks/bench_screen.py                 # 10^7 rows, 2 threads, 3 runs
    .venv/bin/python benchmarks/bench_screen.py --rows 1000000 --json

1. Writes a canonical CDR Parquet file (DuckDB, seeded by row number): eight upstream OCNs
   in turn; calling numbers drawn uniformly from 200-000-0000 … 999-999-9999 (about a
   quarter of them unassignable: N11, N9X, 37X, 96X, NXX 0/1), written ``+1…`` (60%), bare
   (20%), ``1…`` (10%) and ``+44…`` (10%) — harder than real traffic, where most caller IDs
   are assignable ``+1`` numbers that the fast path settles with one match. A second file
   carries the store's ``calling_key`` column (as ``robotrace cdr import`` writes it).
2. Screens each file ``--runs`` times against a list of two blocked providers, 1,000 blocked
   numbers and a Do-Not-Originate number, with ``--threads`` DuckDB threads: median wall
   time and rows/s (the target is ≥ 5 million rows/s on 2 cores).
3. The floor: the same file's three columns scanned and grouped by upstream, no decisions.
4. Peak RSS of the process.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from robotrace.blocking.decide import Policy, load_numbers
from robotrace.blocking.listfile import parse
from robotrace.blocking.screen import screen
from robotrace.enforcement.blocklist import json_body

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def write_cdrs(path: Path, rows: int, with_key: bool) -> None:
    key = ", CAST(2000000000 + hash(i) % 7999999999 AS VARCHAR) AS calling_key" if with_key else ""
    duckdb.execute(
        f"""
        COPY (
          SELECT 'ZZZZ' AS provider,
            TIMESTAMPTZ '2026-11-01 00:00:00+00' + to_seconds(i // 50) AS call_time,
            CASE WHEN i % 10 < 6 THEN '+1' WHEN i % 10 < 8 THEN '' WHEN i % 10 = 8 THEN '1'
                 ELSE '+44' END || CAST(2000000000 + hash(i) % 7999999999 AS VARCHAR)
              AS calling_number,
            '+1312' || lpad(CAST(hash(i + 1) % 10000000 AS VARCHAR), 7, '0') AS called_number,
            ['AAAA', 'BBBB', 'CCCC', 'DDDD', 'EEEE', 'FFFF', 'GGGG', 'HHHH'][1 + i % 8]
              AS from_provider{key}
          FROM range({rows}) t(i)
        ) TO '{path}' (FORMAT parquet)
        """
    )


def blocklist_and_policy():
    def entry(ocn: str, scope: str, number: str | None, authorization_id: int) -> dict:
        return {
            "kind": "number" if number else "provider",
            "scope": "numbers" if number else scope,
            "provider": ocn,
            "ocns": [ocn],
            "name": ocn,
            "number": number,
            "authorization_id": authorization_id,
            "effective_at": "2026-01-01T00:00:00Z",
            "reason": "benchmark",
            "contact": "noc@example.org",
        }

    entries = [entry("BBBB", "provider", None, 7), entry("DDDD", "no_direct_traffic", None, 9)]
    entries += [entry("CCCC", "numbers", f"+1312555{n:04d}", 8) for n in range(1000)]
    policy = Policy(do_not_originate=load_numbers(["+18005550111"]))
    return parse(json_body(2, T0, entries)), policy


def floor(path: Path, threads: int) -> float:
    connection = duckdb.connect()
    connection.execute(f"SET threads = {threads}")
    started = time.perf_counter()
    connection.sql(
        f"SELECT from_provider, count(*), count(calling_number), count(call_time) "
        f"FROM read_parquet('{path}') GROUP BY 1"
    ).fetchall()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    blocklist, policy = blocklist_and_policy()
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-screen-") as tmp:
        for label, with_key in (("raw caller IDs", False), ("store files (calling_key)", True)):
            path = Path(tmp) / f"cdrs-{int(with_key)}.parquet"
            write_cdrs(path, args.rows, with_key)
            runs = [screen([path], blocklist, policy, args.threads) for _ in range(args.runs)]
            seconds = statistics.median(r.seconds for r in runs)
            floor_s = statistics.median(floor(path, args.threads) for _ in range(args.runs))
            results.append(
                {
                    "input": label,
                    "rows": runs[0].rows,
                    "blocked": runs[0].blocked,
                    "by_reason": runs[0].by_reason,
                    "median_s": round(seconds, 3),
                    "rows_per_s": round(runs[0].rows / seconds),
                    "floor_s": round(floor_s, 3),
                    "ratio_to_floor": round(seconds / floor_s, 1),
                }
            )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if args.json:
        print(json.dumps({"threads": args.threads, "results": results, "peak_rss_mib": peak}))
        return
    for r in results:
        print(
            f"{r['input']:28s} {r['rows']:>12,} rows  {r['median_s']:6.3f} s  "
            f"{r['rows_per_s']:>12,} rows/s  (floor {r['floor_s']:.3f} s, "
            f"{r['ratio_to_floor']}x)  blocked {r['blocked']:,}"
        )
    print(f"threads {args.threads}, median of {args.runs}, peak RSS {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
