"""FTC complaint CSV import rate into the analytics store: rows per second and peak memory.

    .venv/bin/python benchmarks/bench_evidence_import.py                # 10^6 rows, 3 runs
    .venv/bin/python benchmarks/bench_evidence_import.py --rows 100000 --runs 1 --json

1. Generates an FTC Do Not Call CSV of ``--rows`` complaints with DuckDB ``range()`` SQL and
   the real data's quirks: 30% empty phone numbers, 12% fragments (3, 6 or 7 digits), the
   rest in four spellings; subjects from the FTC's list (quoted where they hold commas), 10%
   "No Subject Provided", 15% of those with an "&" written with a double space; Y/N 85/15;
   consumer cities and states of 40 area codes; times over 30 days.
2. Imports it ``--runs`` times, each in a child process into an empty analytics store
   (``import_evidence``: read, check every row, hash, anti-join, write Parquet), and prints
   the import's seconds and rows/s per run, their median, and the child's peak RSS
   (``os.wait4``). Then one more child imports the same file into the last run's store,
   where every row is already stored (the idempotent re-import).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from robotrace.evidence.subjects import FTC_SUBJECTS

#: The FTC's subjects but COVID-19, whose share bench_stats sets apart.
SUBJECTS = [s for s in FTC_SUBJECTS if s != "Coronavirus (COVID-19)"]
PLACES = [
    ("201", "Jersey City", "New Jersey"), ("202", "Washington", "District of Columbia"),
    ("212", "New York", "New York"), ("213", "Los Angeles", "California"),
    ("214", "Dallas", "Texas"), ("215", "Philadelphia", "Pennsylvania"),
    ("216", "Cleveland", "Ohio"), ("217", "Springfield", "Illinois"),
    ("301", "Bethesda", "Maryland"), ("303", "Denver", "Colorado"),
    ("305", "Miami", "Florida"), ("312", "Chicago", "Illinois"),
    ("313", "Detroit", "Michigan"), ("404", "Atlanta", "Georgia"),
    ("415", "San Francisco", "California"), ("503", "Portland", "Oregon"),
    ("602", "Phoenix", "Arizona"), ("612", "Minneapolis", "Minnesota"),
    ("615", "Nashville", "Tennessee"), ("702", "Las Vegas", "Nevada"),
]  # fmt: skip


def sql_list(values: list[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def sql_pick(values: list[str], salt: int) -> str:
    return f"{sql_list(values)}[CAST(1 + hash(i * {salt}) % {len(values)} AS BIGINT)]"


def generate_sql(rows: int, path: Path) -> str:
    """COPY of ``rows`` FTC complaints to ``path`` (CSV, quoted only where needed)."""
    ten = "CAST(2000000000 + hash(i * 7) % 7999999999 AS VARCHAR)"
    number = f"""CASE
        WHEN hash(i) % 100 < 30 THEN ''
        WHEN hash(i) % 100 < 42 THEN left({ten}, [3, 6, 7][CAST(1 + hash(i * 3) % 3 AS BIGINT)])
        WHEN hash(i) % 100 < 60 THEN {ten}
        WHEN hash(i) % 100 < 75 THEN {ten}[1:3] || '-' || {ten}[4:6] || '-' || {ten}[7:10]
        WHEN hash(i) % 100 < 90 THEN '(' || {ten}[1:3] || ') ' || {ten}[4:6] || '-' || {ten}[7:10]
        ELSE '1' || {ten} END"""
    subject = f"""CASE
        WHEN hash(i * 13) % 100 < 10 THEN 'No Subject Provided'
        WHEN hash(i * 13) % 100 < 25 THEN replace({sql_pick(SUBJECTS, 17)}, ' &', '  &')
        ELSE {sql_pick(SUBJECTS, 17)} END"""
    place = f"CAST(1 + hash(i * 5) % {len(PLACES)} AS BIGINT)"
    seconds = 30 * 86_400
    return f"""COPY (
      SELECT {number} AS Company_Phone_Number,
        strftime(TIMESTAMP '2020-04-01' + to_seconds(CAST(i * {seconds} // {rows}
          + 3600 + hash(i * 11) % 172800 AS BIGINT)), '%Y-%m-%d %H:%M:%S') AS Created_Date,
        strftime(TIMESTAMP '2020-04-01' + to_seconds(CAST(i * {seconds} // {rows} AS BIGINT)),
          '%Y-%m-%d %H:%M:%S') AS Violation_Date,
        {sql_list([p[1] for p in PLACES])}[{place}] AS Consumer_City,
        {sql_list([p[2] for p in PLACES])}[{place}] AS Consumer_State,
        {sql_list([p[0] for p in PLACES])}[{place}] AS Consumer_Area_Code,
        {subject} AS Subject,
        CASE WHEN hash(i * 19) % 100 < 85 THEN 'Y' ELSE 'N' END AS Recorded_Message_Or_Robocall
      FROM range({rows}) t(i)
    ) TO '{path}' (HEADER, DELIMITER ',')"""


def generate(rows: int, path: Path) -> None:
    from robotrace.cdr.duck import connect

    connection = connect()
    try:
        connection.execute(generate_sql(rows, path))
    finally:
        connection.close()


def child(path: Path, store: Path) -> None:
    """Run in the child: import the file, print seconds and counts as JSON."""
    from robotrace.evidence.imports import evidence_files, import_evidence

    files = evidence_files([path], "ftc")
    started = time.perf_counter()
    summary = import_evidence(files, store)
    seconds = time.perf_counter() - started
    if summary.errors:
        raise SystemExit(f"unexpected bad rows: {summary.errors[:3]}")
    print(json.dumps({"seconds": seconds, "added": summary.added, "skipped": summary.skipped}))


def run_child(path: Path, store: Path) -> dict[str, float]:
    command = [sys.executable, __file__, "--child", str(path), str(store)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit("the import failed")
    result = json.loads(output)
    result["peak_rss_mib"] = usage.ru_maxrss / 1024  # KiB on Linux
    return result


def measure(rows: int, runs: int, workdir: Path) -> dict[str, object]:
    path = workdir / "complaints.csv"
    started = time.perf_counter()
    generate(rows, path)
    generated = time.perf_counter() - started
    stores = [workdir / f"store-{n}" for n in range(runs)]
    for store in stores:
        shutil.rmtree(store, ignore_errors=True)  # every run starts from an empty store
    results = [run_child(path, store) for store in stores]
    again = run_child(path, stores[-1])
    rates = [rows / r["seconds"] for r in results]
    return {
        "rows": rows,
        "csv_mib": round(path.stat().st_size / 2**20, 1),
        "generate_s": round(generated, 2),
        "runs_s": [round(r["seconds"], 2) for r in results],
        "rows_per_s": [round(rate) for rate in rates],
        "median_rows_per_s": round(statistics.median(rates)),
        "peak_rss_mib": round(max(r["peak_rss_mib"] for r in results), 1),
        "reimport_s": round(again["seconds"], 2),
        "reimport_skipped": again["skipped"],
        "added": results[0]["added"],
    }


def report(result: dict[str, object]) -> str:
    runs = ", ".join(f"{s} s" for s in result["runs_s"])  # type: ignore[attr-defined]
    return "\n".join(
        [
            f"FTC CSV: {result['rows']:,} rows, {result['csv_mib']} MiB "
            f"(generated in {result['generate_s']} s)",
            f"import into an empty store: {runs}; {result['added']:,} rows added",
            f"median: {result['median_rows_per_s']:,} rows/s; peak RSS "
            f"{result['peak_rss_mib']} MiB",
            f"re-import, every row already stored: {result['reimport_s']} s "
            f"({result['reimport_skipped']:,} skipped)",
        ]
    )


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(Path(sys.argv[2]), Path(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", type=Path, help="keep the CSV and stores here")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-evidence-") as temp:
        workdir = args.workdir or Path(temp)
        workdir.mkdir(parents=True, exist_ok=True)
        result = measure(args.rows, args.runs, workdir)
    print(json.dumps(result, indent=2) if args.json else report(result))


if __name__ == "__main__":
    main()
