"""The portal under load: coordinators and provider agents (locust) on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/load_portal.py                     # 60 s, 20 users, SQLite
    source /tmp/pgdev/env                                          # or any PostgreSQL URL:
    .venv/bin/python benchmarks/load_portal.py --databases sqlite,postgresql --seconds 300
    .venv/bin/python benchmarks/load_portal.py --users 40 --coordinators 8 --json

For each database:

1. Builds a world in an empty store (a temporary SQLite file, or a fresh schema in the
   PostgreSQL database of ``--database-url`` / ``ROBOTRACE_TEST_POSTGRES_URL``, dropped
   afterwards) with ``benchmarks/load/world.py``: 16 providers (terminating, intermediate,
   originating), a provider user with a read-write API token per provider, coordinators
   (password and token), eight campaigns with their honeypot calls, and 200 open tracebacks
   waiting at their terminating providers; every call's true path is known.
2. Starts ``robotrace serve`` as a subprocess (``--workers``: 1 on SQLite, which allows
   no more, ``--pg-workers`` on PostgreSQL).
3. Runs ``locust --headless`` with ``benchmarks/load/locustfile.py``: ``--coordinators``
   users sign in through the form with its CSRF token, read the dashboard, traceback lists
   and pages, campaign pages and statistics, and open tracebacks for the world's calls
   through the API; the other users are provider agents that poll their providers' open hop
   requests through the API and answer each with the true next hop (or the customer), so
   tracebacks walk to their origin.
4. Prints users, duration, requests, requests/s, error rate and p50/p95/p99 per endpoint
   group (locust's CSV), the server log's errors, and the SQL check: every answer that got
   a 200 is stored exactly once (one answered hop, one audit event, one next hop), nothing
   else is stored, and every traceback opened (201) is stored once.

Exits non-zero when a request failed or the check did not hold.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_portal import fresh_store, serving  # the benchmarks folder is no package
from load.world import Sizes, build_world, check_answers, exactly_once

LOCUSTFILE = Path(__file__).resolve().parent / "load" / "locustfile.py"
POSTGRES_URL_VARIABLE = "ROBOTRACE_TEST_POSTGRES_URL"
PERCENTILES = ("50%", "95%", "99%")


def run_locust(base: str, world: Path, args: argparse.Namespace, folder: Path) -> Path:
    """``locust --headless`` against ``base``; returns the results file the users wrote."""
    results = folder / "results.json"
    agents = args.users - args.coordinators
    env = {
        **os.environ,
        "LOAD_WORLD": str(world),
        "LOAD_RESULTS": str(results),
        "LOAD_COORDINATORS": str(args.coordinators),
        "LOAD_AGENTS": str(agents),
    }
    locust = Path(sys.executable).with_name("locust")
    command = [
        str(locust), "-f", str(LOCUSTFILE), "--headless", "--host", base,
        "-u", str(args.users), "-r", str(args.spawn_rate), "-t", f"{args.seconds}s",
        # Users finish the task they are in: an answer cut off mid-request would be stored
        # with no 200 seen, which the check would take for a lost response.
        "--stop-timeout", "30", "--csv", str(folder / "locust"), "--only-summary",
        "--loglevel", "WARNING",
    ]  # fmt: skip
    with (folder / "locust.log").open("wb") as log:
        subprocess.run(
            command, env=env, stdout=log, stderr=subprocess.STDOUT, timeout=args.seconds + 120
        )
    return results


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def read_stats(folder: Path) -> dict[str, Any]:
    """Per endpoint group and in all: requests, failures, requests/s, p50/p95/p99 (ms)."""
    groups: dict[str, Any] = {}
    with (folder / "locust_stats.csv").open() as file:
        for row in csv.DictReader(file):
            groups[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "requests_per_s": round(float(row["Requests/s"]), 2),
                **{f"p{p.rstrip('%')}_ms": _number(row[p]) for p in PERCENTILES},
            }
    failures = []
    failures_csv = folder / "locust_failures.csv"
    if failures_csv.exists():
        with failures_csv.open() as file:
            failures = [
                {"name": r["Name"], "error": r["Error"][:300], "count": int(r["Occurrences"])}
                for r in csv.DictReader(file)
            ]
    return {"total": groups.pop("Aggregated", {}), "groups": groups, "failures": failures}


def server_errors(log: Path, keep: int = 5) -> dict[str, Any]:
    """How many tracebacks and 5xx access lines the server logged, and the last lines of a few."""
    text = log.read_text(errors="replace") if log.exists() else ""
    fives = re.findall(r'" 5\d\d\b', text)
    errors = re.findall(r"^\S+ \S+ (?:ERROR|CRITICAL) .*$", text, re.M)
    errors += re.findall(r"^\S+ \S+ WARNING .*database unavailable.*$", text, re.M)
    exceptions = re.findall(r"^(\w+(?:\.\w+)*(?:Error|Exception|Locked)\b.*)$", text, re.M)
    return {
        "5xx_lines": len(fives),
        "error_lines": len(errors),
        "exceptions": len(exceptions),
        "examples": exceptions[:keep] or errors[:keep],
    }


def backend_of(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"


def run_once(database_url: str | None, args: argparse.Namespace) -> dict[str, Any]:
    """Build, serve, load, check — one database, in a fresh store made for it."""
    with fresh_store(database_url) as url:
        return run_on(url, args)


def run_on(url: str, args: argparse.Namespace) -> dict[str, Any]:
    """Build the world in the empty store at ``url``, serve it, load it, check it."""
    with tempfile.TemporaryDirectory(prefix="load-portal-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        sizes = Sizes(coordinators=args.coordinators, open_tracebacks=args.open_tracebacks,
                      calls_to_open=args.calls_to_open)  # fmt: skip
        world = build_world(url, sizes)
        world.save(folder / "world.json")
        built_s = time.perf_counter() - started
        workers = 1 if backend_of(url) == "sqlite" else args.pg_workers
        token = world.coordinators[0]["token"]
        with serving(url, workers, token, folder / "serve.log") as base:
            results_file = run_locust(base, folder / "world.json", args, folder)
        if args.keep_logs:
            keep_logs(folder, args.keep_logs, backend_of(url))
        results = json.loads(results_file.read_text()) if results_file.exists() else {}
        check = check_answers(
            url, results.get("answered_hops", []), results.get("opened_tracebacks", [])
        )
        return {
            "backend": backend_of(url),
            "workers": workers,
            "users": args.users,
            "coordinators": args.coordinators,
            "seconds": args.seconds,
            "world_built_s": round(built_s, 1),
            **read_stats(folder),
            "server": server_errors(folder / "serve.log"),
            "check": check,
            "exactly_once": exactly_once(check),
        }


def keep_logs(folder: Path, keep: Path, backend: str) -> None:
    keep.mkdir(parents=True, exist_ok=True)
    for name in ("serve.log", "locust.log", "locust_stats.csv", "locust_failures.csv"):
        if (folder / name).exists():
            (keep / f"{backend}-{name}").write_bytes((folder / name).read_bytes())


def passed(result: dict[str, Any]) -> bool:
    total = result["total"]
    return bool(total) and total["failures"] == 0 and result["exactly_once"]


def print_result(r: dict[str, Any]) -> None:
    total, check = r["total"], r["check"]
    rate = total["failures"] / total["requests"] if total.get("requests") else 0.0
    print(
        f"\n{r['backend']} ({r['workers']} worker{'s' if r['workers'] > 1 else ''}): "
        f"{r['users']} users ({r['coordinators']} coordinators), {r['seconds']} s — "
        f"{total['requests']:,} requests, {total['requests_per_s']} req/s, "
        f"{total['failures']} failed ({rate:.2%})"
    )
    print("| endpoint group | requests | failed | req/s | p50 ms | p95 ms | p99 ms |")
    print("|---|---|---|---|---|---|---|")
    for name, g in sorted(r["groups"].items()):
        print(
            f"| {name} | {g['requests']:,} | {g['failures']} | {g['requests_per_s']} "
            f"| {g['p50_ms']:g} | {g['p95_ms']:g} | {g['p99_ms']:g} |"
        )
    for failure in r["failures"]:
        print(f"  failure ×{failure['count']} {failure['name']}: {failure['error']}")
    server = r["server"]
    print(
        f"server log: {server['5xx_lines']} 5xx responses, {server['error_lines']} errors, "
        f"{server['exceptions']} exceptions"
    )
    for line in server["examples"]:
        print(f"  {line[:300]}")
    print(
        f"answers: {check['answers_posted']:,} answered with 200, {check['answers_stored']:,} "
        f"stored, {check['audit_events']:,} audit events; {check['tracebacks_opened']:,} "
        f"tracebacks opened, {check['tracebacks_opened_stored']:,} stored; outcomes "
        f"{check['outcomes']} — exactly once: {'yes' if r['exactly_once'] else 'NO'}"
    )
    if not r["exactly_once"]:
        print(f"  check: {json.dumps(check)}")


def database_urls(args: argparse.Namespace) -> list[str | None]:
    urls: list[str | None] = []
    for name in args.databases.split(","):
        if name == "sqlite":
            urls.append(None)
        elif name == "postgresql":
            url = args.database_url or os.environ.get(POSTGRES_URL_VARIABLE)
            if not url:
                raise SystemExit(f"postgresql: give --database-url or set {POSTGRES_URL_VARIABLE}")
            urls.append(url)
        else:
            raise SystemExit(f"unknown database {name!r}: sqlite or postgresql")
    return urls


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_dbs = "sqlite,postgresql" if os.environ.get(POSTGRES_URL_VARIABLE) else "sqlite"
    parser.add_argument("--databases", default=default_dbs, help="sqlite,postgresql")
    parser.add_argument("--database-url", help=f"PostgreSQL (default: ${POSTGRES_URL_VARIABLE})")
    parser.add_argument("--users", type=int, default=20, help="locust users in all")
    parser.add_argument("--coordinators", type=int, default=4, help="of them, coordinators")
    parser.add_argument("--spawn-rate", type=float, default=10, help="users started per second")
    parser.add_argument("--seconds", type=int, default=60, help="how long the load runs")
    parser.add_argument("--open-tracebacks", type=int, default=200, help="open at the start")
    parser.add_argument("--calls-to-open", type=int, default=3000, help="calls left to open")
    parser.add_argument("--pg-workers", type=int, default=2, help="serve --workers on PostgreSQL")
    parser.add_argument("--keep-logs", type=Path, help="copy server and locust logs here")
    parser.add_argument("--json", action="store_true", help="one JSON object")
    args = parser.parse_args(argv)
    if not 0 < args.coordinators < args.users:
        parser.error("--coordinators must be at least 1 and fewer than --users")
    return args


def main() -> None:
    args = parse_args()
    results = []
    for url in database_urls(args):
        results.append(run_once(url, args))
        print(json.dumps(results[-1]), file=sys.stderr)  # kept, should a later run fail
    if args.json:
        print(json.dumps({"runs": results}))
    else:
        for result in results:
            print_result(result)
    sys.exit(0 if all(passed(r) for r in results) else 1)


if __name__ == "__main__":
    main()
