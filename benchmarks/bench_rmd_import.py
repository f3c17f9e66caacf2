"""RMD export import: wall time, filings per second and peak memory, first import and re-import.

    .venv/bin/python benchmarks/bench_rmd_import.py                 # 8,000 filings, 3 runs
    .venv/bin/python benchmarks/bench_rmd_import.py --rows 2000 --runs 1 --json
    .venv/bin/python benchmarks/bench_rmd_import.py --db postgresql+psycopg://u:p@host/db

1. Writes an export with ``benchmarks/rmd_export.py`` (``generate_export``: ``--rows``
   filings, free text up to ``--long-field`` characters, names in several scripts), and a
   copy with one byte changed where no filing changes (the header's first letter in upper
   case: columns are matched case-insensitively), so the copy is not skipped as the same
   file but every filing in it is unchanged.
2. Each run starts from a fresh database — a new SQLite file, and on PostgreSQL (``--db``,
   else ``ROBOTRACE_TEST_POSTGRES_URL``; ``--no-postgres`` leaves it out) a new schema,
   dropped after — migrated before the clock starts. A child process imports the export
   (``import_registry_file`` in one transaction, committed: what ``robotrace providers
   import`` runs), then another child imports the copy into the same database. Each child
   prints the import's seconds; its peak RSS comes from ``os.wait4``.
3. Prints per database each run and the medians of ``--runs``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rmd_export import generate_export  # beside this script

POSTGRES_URL_VARIABLE = "ROBOTRACE_TEST_POSTGRES_URL"
URL_VARIABLE = "BENCH_RMD_IMPORT_URL"


def child(path: Path) -> None:
    """Run in the child: import ``path`` into the database that ``BENCH_URL`` names (not on
    the command line, where ``ps`` shows a password) and print seconds and counts as JSON."""
    url = os.environ[URL_VARIABLE]
    from robotrace.clock import SystemClock
    from robotrace.providers.imports import import_registry_file
    from robotrace.store.db import make_engine, transaction

    engine = make_engine(url)
    started = time.perf_counter()
    with transaction(engine) as session:
        done = import_registry_file(session, path, actor="bench:rmd-import", clock=SystemClock())
    seconds = time.perf_counter() - started
    engine.dispose()
    print(json.dumps({"seconds": seconds, **done.as_dict()}))


def run_child(url: str, path: Path) -> dict[str, object]:
    command = [sys.executable, __file__, "--child", str(path)]
    environment = {**os.environ, URL_VARIABLE: url}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=environment)
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"the import of {path} failed")
    result = json.loads(output)
    result["peak_rss_mib"] = usage.ru_maxrss / 1024  # KiB on Linux
    return result


def changed_copy(path: Path, out: Path) -> Path:
    """``path`` with its header's first byte upper-cased: another file, the same filings."""
    data = path.read_bytes()
    out.write_bytes(data[:1].upper() + data[1:])
    return out


@contextmanager
def fresh_database(kind: str, workdir: Path, postgres_url: str | None) -> Iterator[str]:
    """The URL of a new, migrated database of ``kind`` (``sqlite`` or ``postgresql``)."""
    from sqlalchemy import create_engine, make_url, text

    from robotrace.store.db import upgrade

    if kind == "sqlite":
        path = workdir / f"bench-{uuid.uuid4().hex[:8]}.db"
        url = f"sqlite:///{path}"
        upgrade(url)
        try:
            yield url
        finally:
            path.unlink(missing_ok=True)
        return
    assert postgres_url is not None
    schema = f"bench_rmd_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(postgres_url).update_query_dict({"options": f"-csearch_path={schema}"})
        shown = url.render_as_string(hide_password=False)
        upgrade(shown)
        yield shown
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def one_run(kind: str, export: Path, copy: Path, workdir: Path, pg: str | None) -> dict:
    with fresh_database(kind, workdir, pg) as url:
        first = run_child(url, export)
        again = run_child(url, copy)
    return {"first": first, "again": again}


def summary(rows: int, runs: list[dict]) -> dict[str, object]:
    """Each import's seconds per run, and the medians of seconds, rows/s and peak RSS."""
    out: dict[str, object] = {}
    for step in ("first", "again"):
        seconds = [run[step]["seconds"] for run in runs]
        rss = [run[step]["peak_rss_mib"] for run in runs]
        median = statistics.median(seconds)
        out[step] = {
            "runs_s": [round(s, 2) for s in seconds],
            "median_s": round(median, 2),
            "rows_per_s": round(rows / median),
            "median_peak_rss_mib": round(statistics.median(rss), 1),
            "counts": {k: runs[-1][step][k] for k in ("added", "updated", "unchanged")},
        }
    return out


def check(rows: int, run: dict) -> None:
    """The benchmark measures what it says: every filing added, then every one unchanged."""
    first, again = run["first"], run["again"]
    if first["added"] != rows or first["refused"] or again["unchanged"] != rows:
        raise SystemExit(f"unexpected counts: {first} / {again}")
    if again["same_as"] is not None:
        raise SystemExit("the copy was skipped as the same file")


def measure(args: argparse.Namespace, workdir: Path) -> dict[str, object]:
    export = workdir / "rmd-export.csv"
    started = time.perf_counter()
    generate_export(export, rows=args.rows, seed=args.seed, long_field=args.long_field)
    generated = time.perf_counter() - started
    copy = changed_copy(export, workdir / "rmd-export-again.csv")
    pg = None if args.no_postgres else (args.db or os.environ.get(POSTGRES_URL_VARIABLE))
    kinds = ["sqlite", *(["postgresql"] if pg else [])]
    result: dict[str, object] = {
        "rows": args.rows,
        "csv_mib": round(export.stat().st_size / 2**20, 1),
        "long_field": args.long_field,
        "generate_s": round(generated, 2),
    }
    for kind in kinds:
        runs = [one_run(kind, export, copy, workdir, pg) for _ in range(args.runs)]
        for run in runs:
            check(args.rows, run)
        result[kind] = summary(args.rows, runs)
    return result


def report(result: dict) -> str:
    lines = [
        f"RMD export: {result['rows']:,} filings, {result['csv_mib']} MiB, free text up to "
        f"{result['long_field']:,} characters (generated in {result['generate_s']} s)"
    ]
    for kind in ("sqlite", "postgresql"):
        if kind not in result:
            continue
        for step, said in (("first", "first import"), ("again", "re-import, all unchanged")):
            figures = result[kind][step]
            runs = ", ".join(f"{s} s" for s in figures["runs_s"])
            lines.append(
                f"{kind} {said}: {runs}; median {figures['median_s']} s, "
                f"{figures['rows_per_s']:,} filings/s, peak RSS "
                f"{figures['median_peak_rss_mib']} MiB; {figures['counts']}"
            )
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(Path(sys.argv[2]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=8000)
    parser.add_argument("--long-field", type=int, default=20000, help="longest free text")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--db", metavar="URL", help=f"PostgreSQL (default: ${POSTGRES_URL_VARIABLE})"
    )
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--workdir", type=Path, help="keep the export files here")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()
    if args.db and not args.db.startswith("postgresql"):
        parser.error("--db must be a PostgreSQL URL (SQLite runs anyway, in a new file)")
    with tempfile.TemporaryDirectory(prefix="bench-rmd-") as temp:
        workdir = args.workdir or Path(temp)
        workdir.mkdir(parents=True, exist_ok=True)
        result = measure(args, workdir)
    print(json.dumps(result, indent=2) if args.json else report(result))


if __name__ == "__main__":
    main()
