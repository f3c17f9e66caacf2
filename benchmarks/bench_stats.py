"""Complaint statistics over 10^7 stored complaints: seconds and peak memory.

    .venv/bin/python benchmarks/bench_stats.py                  # 10^7 rows, 3 runs
    .venv/bin/python benchmarks/bench_stats.py --rows 1000000 --runs 1 --json

1. Writes ``--rows`` canonical complaints straight into an analytics store's
   ``complaints/`` folder as one Parquet file (DuckDB ``range()``, values hashed from the row
   number; row groups and compression as ``robotrace evidence import`` writes them): filed
   over 365 days in file order; numbers 30% empty, 12% fragments (3, 6 or 7 digits), the rest
   drawn from 10^6 numbers with a heavy head (a few numbers draw most complaints, as real
   campaigns do); the FTC's subjects, 10% none and 3% "Coronavirus (COVID-19)"; 40 area codes
   and their states; robocall yes/no/unknown 80/15/5.
2. Computes the statistics page's data (``complaint_stats``: days, weeks, months, robocall
   share, subjects, states, area codes, top numbers, COVID-19 with 1,000 campaign numbers,
   change against the previous period) for the last 180 days, ``--runs`` times: median
   seconds (the target is ≤ 2 s on 2 cores) and the process's peak RSS.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from bench_evidence_import import SUBJECTS, sql_list, sql_pick
from robotrace.cdr.duck import connect
from robotrace.evidence.analytics import ROW_GROUP_ROWS, complaints_dir
from robotrace.stats.complaints import complaint_stats

PLACES = [
    ("201", "New Jersey"), ("202", "District of Columbia"), ("212", "New York"),
    ("213", "California"), ("214", "Texas"), ("215", "Pennsylvania"), ("216", "Ohio"),
    ("217", "Illinois"), ("301", "Maryland"), ("303", "Colorado"), ("305", "Florida"),
    ("312", "Illinois"), ("313", "Michigan"), ("404", "Georgia"), ("415", "California"),
    ("503", "Oregon"), ("602", "Arizona"), ("612", "Minnesota"), ("615", "Tennessee"),
    ("702", "Nevada"), ("704", "North Carolina"), ("713", "Texas"), ("718", "New York"),
    ("720", "Colorado"), ("727", "Florida"), ("732", "New Jersey"), ("757", "Virginia"),
    ("773", "Illinois"), ("786", "Florida"), ("801", "Utah"), ("804", "Virginia"),
    ("813", "Florida"), ("817", "Texas"), ("832", "Texas"), ("904", "Florida"),
    ("909", "California"), ("914", "New York"), ("916", "California"), ("919", "North Carolina"),
    ("954", "Florida"),
]  # fmt: skip
FIRST_DAY = date(2020, 1, 1)
DAYS = 365
CAMPAIGN_NUMBERS = 1_000


def _number_sql() -> str:
    """A key: 10^6 numbers, the n-th drawn about as often as 1/n^(2/3) (u³ over the pool)."""
    unit = "(hash(i * 7) % 1000000) / 1000000.0"
    return f"CAST(2000000000 + CAST(floor(pow({unit}, 3) * 1000000) AS BIGINT) AS VARCHAR)"


def generate_sql(rows: int, path: Path) -> str:
    """COPY of ``rows`` canonical complaints to ``path`` (Parquet, the store's layout)."""
    ten = _number_sql()
    key = f"""CASE WHEN hash(i) % 100 < 30 THEN ''
        WHEN hash(i) % 100 < 42 THEN left({ten}, [3, 6, 7][CAST(1 + hash(i * 3) % 3 AS BIGINT)])
        ELSE {ten} END"""
    subject = f"""CASE WHEN hash(i * 13) % 100 < 10 THEN NULL
        WHEN hash(i * 13) % 100 < 13 THEN 'Coronavirus (COVID-19)'
        ELSE {sql_pick(SUBJECTS, 17)} END"""
    place = f"CAST(1 + hash(i * 5) % {len(PLACES)} AS BIGINT)"
    seconds = DAYS * 86_400
    return f"""COPY (
      SELECT 'ftc' AS source, md5(CAST(i AS VARCHAR)) AS row_key,
        CAST(NULL AS VARCHAR) AS complaint_id, {key} AS company_phone_number,
        {key} AS company_key,
        TIMESTAMPTZ '{FIRST_DAY} 00:00:00+00'
          + to_seconds(CAST(i * {seconds} // {rows} AS BIGINT)) AS created_at,
        CAST(NULL AS TIMESTAMPTZ) AS violation_at, CAST(NULL AS VARCHAR) AS city,
        {sql_list([p[1] for p in PLACES])}[{place}] AS state,
        {sql_list([p[0] for p in PLACES])}[{place}] AS area_code,
        CAST(NULL AS VARCHAR) AS zip, {subject} AS subject,
        CASE WHEN hash(i * 19) % 100 < 80 THEN true
             WHEN hash(i * 19) % 100 < 95 THEN false END AS robocall,
        CAST(NULL AS VARCHAR) AS call_type, CAST(NULL AS VARCHAR) AS advertiser_number,
        CAST(NULL AS VARCHAR) AS advertiser_key,
        TIMESTAMPTZ '2021-01-01 00:00:00+00' AS imported_at
      FROM range({rows}) t(i)
    ) TO '{path}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {ROW_GROUP_ROWS})"""


def generate(rows: int, store: Path) -> None:
    folder = complaints_dir(store)
    folder.mkdir(parents=True, exist_ok=True)
    connection = connect()
    try:
        connection.execute(generate_sql(rows, folder / "20210101T000000Z-bench.parquet"))
    finally:
        connection.close()


def campaign_keys() -> set[str]:
    """Numbers of a made-up COVID-19 campaign: every 997th of the pool."""
    return {str(2000000000 + n * 997) for n in range(CAMPAIGN_NUMBERS)}


def measure(rows: int, runs: int, store: Path) -> dict[str, object]:
    started = time.perf_counter()
    generate(rows, store)
    generated = time.perf_counter() - started
    start, end = date(2020, 7, 4), date(2020, 12, 31)  # the last 180 days
    keys = campaign_keys()
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        stats = complaint_stats(store, start, end, covid_keys=keys)
        seconds.append(time.perf_counter() - started)
    return {
        "rows": rows,
        "parquet_mib": round(sum(f.stat().st_size for f in store.rglob("*.parquet")) / 2**20, 1),
        "generate_s": round(generated, 2),
        "runs_s": [round(s, 3) for s in seconds],
        "median_s": round(statistics.median(seconds), 3),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "period_complaints": stats.complaints,
        "previous_complaints": stats.change["complaints"].previous,
        "covid": stats.covid.complaints,
    }


def report(result: dict[str, object]) -> str:
    runs = ", ".join(f"{s} s" for s in result["runs_s"])  # type: ignore[attr-defined]
    return "\n".join(
        [
            f"store: {result['rows']:,} complaints, {result['parquet_mib']} MiB Parquet "
            f"(generated in {result['generate_s']} s)",
            f"statistics of 180 days ({result['period_complaints']:,} complaints; previous "
            f"period {result['previous_complaints']:,}): {runs}",
            f"median: {result['median_s']} s; peak RSS {result['peak_rss_mib']} MiB",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-stats-") as temp:
        result = measure(args.rows, args.runs, Path(temp))
    print(json.dumps(result, indent=2) if args.json else report(result))


if __name__ == "__main__":
    main()
