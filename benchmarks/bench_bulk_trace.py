"""Federated bulk tracing (issue 21) against ``robotrace paths`` on the same records pooled:
wall time of each, their ratio, and whether every call gets the same path.

    .venv/bin/python benchmarks/bench_bulk_trace.py            # 10^5 calls, 40 agents
    .venv/bin/python benchmarks/bench_bulk_trace.py --quick    # 2,000 calls, 8 agents
    .venv/bin/python benchmarks/bench_bulk_trace.py --calls 3e4 --agents 20 --json

1. Generates (or reuses, under ``--work``) a ``paths_world.py`` world — the one
   ``bench_paths.py`` traces: paths of 2–6 providers, clock skew within ±4 s, one called
   number with 1 % of the calls, spoofed calling numbers reused, foreign providers of whom
   most keep no records — with as many providers as make exactly ``--agents`` of them keep
   records, ``--legs`` legs in all, and a calls file of ``--calls`` calls.
2. **Pooled**: ``robotrace paths --cdrs STORE --calls FILE --providers providers.csv
   --no-png --no-publish`` over the whole store, timed as a process (start to exit).
3. **Federated**: ``robotrace serve`` on a fresh store (a SQLite file, or a scratch schema
   of ``--database-url`` with ``--workers``) knowing the same providers; one ``robotrace
   agent --watch`` process per provider that keeps records, each with a folder holding only
   its own store file; then ``robotrace bulk-trace --calls FILE --json --poll 0.5``, timed as
   a process (start to exit: submission, every batch round, the results fetched). The
   agents are started, and connected, before the clock starts.
4. Compares the two ``paths.parquet`` call by call (every column), and both with the
   world's truth; lists the calls that differ, by column and status, with examples.

Every child process is bounded: ``--timeout`` for each timed command; agents and the
server are stopped at the end (SIGTERM, then SIGKILL). The target: federated ≤ 3 × pooled,
agreement 100 %.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import psutil

from bench_paths import machine, parse_counts
from bench_portal import _wait_until_up, free_port, fresh_store
from bench_time_to_origin import robotrace  # one way to start a robotrace child
from paths_world import Generated, WorldSpec, ensure_world, make_providers
from robotrace.accounts.tokens import create_token
from robotrace.accounts.users import create_user
from robotrace.clock import SystemClock
from robotrace.providers.registry import Provider, write_providers_csv
from robotrace.providers.store import upsert_providers
from robotrace.store.db import make_engine, transaction, upgrade

TARGET_RATIO = 3.0
#: Columns of paths.parquet compared call by call (call_id is the key).
COMPARED = (
    "path",
    "status",
    "customer",
    "origin_provider",
    "gateway_provider",
    "dead_end_provider",
    "legs_found",
    "max_delta_ms",
    "campaign",
    "call_time",
    "called_number",
    "calling_number",
    "terminating_provider",
)


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# --- the world ---------------------------------------------------------------------------


def providers_for(agents: int, legs: int, seed: int) -> int:
    """The fewest providers of which exactly ``agents`` keep records (paths_world decides
    who does from the seed)."""
    for count in range(agents, 4 * agents + 10):
        if int(make_providers(WorldSpec(legs, count, seed=seed)).records.sum()) == agents:
            return count
    raise SystemExit(f"no world of seed {seed} has exactly {agents} providers with records")


def registry(world: Generated) -> list[Provider]:
    """The world's providers as the portal and ``robotrace paths --providers`` know them."""
    described = json.loads((world.folder / "world.json").read_text())
    return [
        Provider(
            p["ocn"],
            f"{p['kind'].title()} {p['ocn']}",
            country="United Kingdom" if p["kind"] == "foreign" else "United States",
            foreign=p["kind"] == "foreign",
            ocns=(p["ocn"],),
            gateway_provider=p["kind"] == "gateway",
        )
        for p in described["providers"]
    ]


def record_keepers(world: Generated) -> list[str]:
    return sorted(p.stem for p in world.store.glob("*.parquet"))


def own_store(world: Generated, provider: str, folder: Path) -> Path:
    """A folder holding only ``provider``'s store file (a hard link where possible)."""
    own = folder / "agents" / provider
    own.mkdir(parents=True, exist_ok=True)
    target, source = own / f"{provider}.parquet", world.store / f"{provider}.parquet"
    if not target.exists():
        try:
            os.link(source, target)
        except OSError:
            shutil.copy(source, target)
    return own


# --- processes ---------------------------------------------------------------------------


def stop(process: subprocess.Popen[bytes], grace: float = 15) -> None:
    """SIGTERM to the process group, SIGKILL after ``grace`` seconds."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def timed_command(
    args: list[str], cwd: Path, timeout: float, **env: str
) -> tuple[float, dict[str, Any]]:
    """Run ``robotrace ARGS --json``; its wall seconds and its JSON summary."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "robotrace.cli", *args, "--json"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **env},
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"robotrace {args[0]} exited {done.returncode}: {done.stderr[-2000:]}")
    return seconds, json.loads(done.stdout.strip().splitlines()[-1])


def tree_of(pids: list[int]) -> dict[str, float]:
    """Summed RSS and CPU seconds (user + system) of the given processes and their
    children."""
    rss, cpu = 0, 0.0
    for pid in pids:
        with contextlib.suppress(psutil.NoSuchProcess):
            root = psutil.Process(pid)
            for member in [root, *root.children(recursive=True)]:
                with contextlib.suppress(psutil.NoSuchProcess):
                    rss += member.memory_info().rss
                    times = member.cpu_times()
                    cpu += times.user + times.system
    return {"rss_mib": round(rss / 2**20, 1), "cpu_s": round(cpu, 1)}


def cpu_during(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {"rss_mib": after["rss_mib"], "cpu_s": round(after["cpu_s"] - before["cpu_s"], 1)}


# --- pooled ------------------------------------------------------------------------------


def run_pooled(world: Generated, calls: int, folder: Path, timeout: float) -> dict[str, Any]:
    out = folder / "pooled"
    args = ["paths", "--cdrs", str(world.store), "--calls", str(world.calls_file(calls))]
    args += ["--providers", str(folder / "providers.csv"), "--out", str(out)]
    args += ["--no-png", "--no-publish"]
    seconds, summary = timed_command(args, folder, timeout)
    return {"wall_s": round(seconds, 2), "summary": summary, "paths": str(out / "paths.parquet")}


# --- federated ---------------------------------------------------------------------------


def prepare_portal(url: str, providers: list[Provider], keepers: list[str]) -> dict[str, str]:
    """The providers, a coordinator, and a user and token for each record keeper's agent."""
    engine = make_engine(url)
    upgrade(engine)
    clock = SystemClock()
    tokens = {}
    with transaction(engine) as session:
        upsert_providers(session, providers, clock)
        coordinator = create_user(session, "coord@bench.example", "coordinator", None)
        tokens["coordinator"], _ = create_token(session, coordinator, "bulk", True, clock)
        for key in keepers:
            user = create_user(session, f"agent@{key.lower()}.example", "provider", None, key)
            tokens[key], _ = create_token(session, user, "agent", True, clock)
    engine.dispose()
    return tokens


@contextlib.contextmanager
def portal(url: str, workers: int, token: str, folder: Path) -> Iterator[tuple[str, int]]:
    port = free_port()
    args = ["serve", "--port", str(port), "--database-url", url, "--workers", str(workers)]
    server = robotrace(args, folder, folder / "serve.log", ROBOTRACE_ANALYTICS_DIR=str(folder))
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, token, server)
        yield base, server.pid
    finally:
        stop(server)


@contextlib.contextmanager
def agents(
    base: str, world: Generated, tokens: dict[str, str], folder: Path, within: float
) -> Iterator[list[subprocess.Popen[bytes]]]:
    """One ``robotrace agent --watch`` per record keeper, each connected to its stream."""
    started: list[subprocess.Popen[bytes]] = []
    keepers = record_keepers(world)
    try:
        for key in keepers:
            args = ["agent", "--watch", "--url", base, "--cdrs", str(own_store(world, key, folder))]
            args += ["--state", str(folder / f"{key}.state.json")]
            env = {"ROBOTRACE_AGENT_TOKEN": tokens[key]}
            started.append(robotrace(args, folder, folder / f"{key}.agent.log", **env))
        deadline = time.monotonic() + within
        for key, process in zip(keepers, started, strict=True):
            log = folder / f"{key}.agent.log"
            while "event stream connected" not in log.read_text(errors="replace"):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"agent {key} did not connect: {_tail(log)}")
                time.sleep(0.2)
        yield started
    finally:
        for process in started:
            stop(process)


def _tail(log: Path, lines: int = 15) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def run_federated(
    world: Generated, calls: int, folder: Path, args: argparse.Namespace
) -> dict[str, Any]:
    providers = registry(world)
    backend = "sqlite" if not args.database_url else "postgresql"
    workers = 1 if backend == "sqlite" else args.workers
    with fresh_store(args.database_url) as url:
        tokens = prepare_portal(url, providers, record_keepers(world))
        with portal(url, workers, tokens["coordinator"], folder) as (base, server_pid):
            started = time.perf_counter()
            with agents(base, world, tokens, folder, args.timeout) as running:
                say(f"  {len(running)} agents connected in {time.perf_counter() - started:.0f} s")
                out = folder / "federated"
                command = ["bulk-trace", "--url", base, "--calls", str(world.calls_file(calls))]
                command += ["--out", str(out), "--poll", str(args.poll)]
                env = {"ROBOTRACE_TOKEN": tokens["coordinator"]}
                agent_pids = [p.pid for p in running]
                before = {"server": tree_of([server_pid]), "agents": tree_of(agent_pids)}
                seconds, summary = timed_command(command, folder, args.timeout, **env)
                memory = {
                    "server": cpu_during(before["server"], tree_of([server_pid])),
                    "agents": cpu_during(before["agents"], tree_of(agent_pids)),
                }
    return {
        "backend": backend,
        "workers": workers,
        "agents": len(record_keepers(world)),
        "wall_s": round(seconds, 2),
        "summary": summary,
        "during": memory,
        "paths": str(out / "paths.parquet"),
    }


# --- agreement ---------------------------------------------------------------------------


def compare(pooled: str, federated: str, truth: Path, examples: int = 5) -> dict[str, Any]:
    """Calls whose row differs between the two results, by column and by status pair;
    each result's accuracy against the truth (path and status)."""
    db = duckdb.connect()
    db.execute(f"CREATE VIEW a AS SELECT * FROM read_parquet('{pooled}')")
    db.execute(f"CREATE VIEW b AS SELECT * FROM read_parquet('{federated}')")
    differs = " OR ".join(f"a.{c} IS DISTINCT FROM b.{c}" for c in COMPARED)
    total = db.execute("SELECT count(*) FROM a FULL JOIN b USING (call_id)").fetchone()[0]
    missing = db.execute(
        "SELECT count(*) FILTER (WHERE a.call_id IS NULL), count(*) FILTER (WHERE b.call_id "
        "IS NULL) FROM a FULL JOIN b USING (call_id)"
    ).fetchone()
    by_column = {
        c: db.execute(
            f"SELECT count(*) FROM a JOIN b USING (call_id) WHERE a.{c} IS DISTINCT FROM b.{c}"
        ).fetchone()[0]
        for c in COMPARED
    }
    differing = db.execute(
        f"SELECT count(*) FROM a JOIN b USING (call_id) WHERE {differs}"
    ).fetchone()[0]
    pairs = db.execute(
        f"SELECT a.status, b.status, count(*) FROM a JOIN b USING (call_id) WHERE {differs} "
        "GROUP BY ALL ORDER BY 3 DESC"
    ).fetchall()
    shown = db.execute(
        f"SELECT call_id, a.path, a.status, b.path, b.status, a.max_delta_ms, b.max_delta_ms "
        f"FROM a JOIN b USING (call_id) WHERE {differs} ORDER BY call_id LIMIT {examples}"
    ).fetchall()
    accuracy = {
        name: db.execute(
            f"""SELECT avg(CASE WHEN array_to_string(r.path, '>') = t.path
                                 AND r.status = t.status THEN 1 ELSE 0 END)
                FROM read_parquet('{truth}') t LEFT JOIN {name} r USING (call_id)"""
        ).fetchone()[0]
        for name in ("a", "b")
    }
    db.close()
    return {
        "calls": total,
        "only_federated": missing[0],
        "only_pooled": missing[1],
        "differing": differing,
        "agreement": round(1 - (differing + missing[0] + missing[1]) / max(total, 1), 6),
        "differing_by_column": {c: n for c, n in by_column.items() if n},
        "status_pairs": [{"pooled": a, "federated": b, "calls": n} for a, b, n in pairs],
        "examples": [
            {
                "call_id": row[0],
                "pooled": {"path": row[1], "status": row[2], "max_delta_ms": row[5]},
                "federated": {"path": row[3], "status": row[4], "max_delta_ms": row[6]},
            }
            for row in shown
        ],
        "accuracy_vs_truth": {"pooled": accuracy["a"], "federated": accuracy["b"]},
    }


# --- the run -----------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict[str, Any]:
    legs, calls = int(float(args.legs)), int(float(args.calls))
    spec = WorldSpec(legs, providers_for(args.agents, legs, args.seed), seed=args.seed)
    world = ensure_world(spec, [calls], args.work, say)
    say(f"{world.legs:,} legs of {spec.providers} providers, {calls:,} calls ({world.folder})")
    with tempfile.TemporaryDirectory(prefix="bench-bulk-") as tmp:
        folder = Path(tmp)
        write_providers_csv(folder / "providers.csv", registry(world))
        say("pooled: robotrace paths …")
        pooled = run_pooled(world, calls, folder, args.timeout)
        say(f"  {pooled['wall_s']} s")
        say("federated: robotrace serve, agents, robotrace bulk-trace …")
        federated = run_federated(world, calls, folder, args)
        say(f"  {federated['wall_s']} s")
        agreement = compare(pooled["paths"], federated["paths"], world.truth_file(calls))
        if args.keep:
            shutil.copytree(folder, args.keep, dirs_exist_ok=True)
    ratio = federated["wall_s"] / pooled["wall_s"]
    return {
        "machine": machine(),
        "legs": world.legs,
        "calls": calls,
        "providers": spec.providers,
        "pooled": pooled,
        "federated": federated,
        "ratio": round(ratio, 2),
        "agreement": agreement,
        "targets": {
            f"federated <= {TARGET_RATIO:g} x pooled": ratio <= TARGET_RATIO,
            "agreement 100 %": agreement["agreement"] == 1.0,
        },
    }


def report_text(r: dict[str, Any]) -> str:
    a = r["agreement"]
    lines = [
        f"{r['calls']:,} calls, {r['legs']:,} legs, {r['providers']} providers, "
        f"{r['federated']['agents']} agents ({r['federated']['backend']} "
        f"×{r['federated']['workers']})",
        f"pooled (robotrace paths):          {r['pooled']['wall_s']:>8.2f} s",
        f"federated (robotrace bulk-trace):  {r['federated']['wall_s']:>8.2f} s "
        f"({r['federated']['summary'].get('batches')} batch requests)",
        f"ratio {r['ratio']:.2f} (target ≤ {TARGET_RATIO:g})",
        f"agreement {100 * a['agreement']:.3f} % ({a['differing']} calls differ, "
        f"{a['only_pooled']} only pooled, {a['only_federated']} only federated)",
        f"accuracy vs truth: pooled {a['accuracy_vs_truth']['pooled']:.4f}, "
        f"federated {a['accuracy_vs_truth']['federated']:.4f}",
    ]
    if a["differing_by_column"]:
        lines.append(f"differing by column: {a['differing_by_column']}")
        lines.append(f"status pairs: {a['status_pairs']}")
        lines += [f"  {json.dumps(e)}" for e in a["examples"]]
    lines.append(f"RSS at the end, CPU during bulk-trace: {r['federated']['during']}")
    lines.append(f"targets: {r['targets']}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", default="1e5", help="calls to trace")
    parser.add_argument("--agents", type=int, default=40, help="providers with records")
    parser.add_argument("--legs", default="1e6", help="legs in the whole world")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--database-url", help="PostgreSQL for the portal (default: SQLite)")
    parser.add_argument("--workers", type=int, default=2, help="server workers on PostgreSQL")
    parser.add_argument("--poll", type=float, default=0.5, help="bulk-trace --poll, seconds")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per command")
    parser.add_argument("--work", type=Path, default=Path("/tmp/robotrace-bench-bulk"))
    parser.add_argument("--keep", type=Path, help="copy the run's folder (logs, results) here")
    parser.add_argument("--quick", action="store_true", help="2,000 calls, 8 agents, 10^5 legs")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    if args.quick:
        args.calls, args.agents, args.legs = "2000", 8, "1e5"
    parse_counts(args.calls)  # a bad count fails here, before any world is made
    result = run(args)
    print(json.dumps(result) if args.json else report_text(result))


if __name__ == "__main__":
    main()
