"""Bulk tracing (issue 8): wall time, peak RSS and accuracy of every listed call's path,
per engine, beside one hand-written DuckDB query (the floor) and pandas.

    .venv/bin/python benchmarks/bench_paths.py        # 10^6 and 10^7 legs, 10^5 calls, all
    .venv/bin/python benchmarks/bench_paths.py --legs 1e8 --calls 1e6 --engines duckdb,floor
    .venv/bin/python benchmarks/bench_paths.py --skew-curve    # accuracy against clock skew

1. Generates (or reuses, under ``--work``) a world per ``--legs``: a canonical store of that
   many legs and calls files of ``--calls`` calls with their true paths (``paths_world.py``:
   numpy, ~120 providers, paths of 2–6, clock skew within ±4 s, one called number with 1 %
   of the calls, spoofed calling numbers reused across many calls).
2. Runs each case in its own child process (``paths_cases.py``), one at a time: ``duckdb``
   and ``spark`` (robotrace's engines, read_calls → trace_paths → assemble_paths),
   ``floor`` (one hand-written DuckDB query) and ``pandas`` (merges per hop, what an analyst
   would write; under a ``--pandas-memory`` address-space limit). Peak RSS is the largest
   of the child's ``ru_maxrss`` (``os.wait4``) and its process tree's RSS polled with
   psutil (Spark's JVM is a grandchild). A case past ``--timeout`` is killed and reported
   as not finished.
3. Reports per case the median wall time of ``--repeat`` runs (from reading the calls file
   to the paths in memory, inside the child), peak RSS, the share of paths equal to the
   truth (path and status), and how many paths (path, status or customer) differ from the
   duckdb engine's — duckdb, spark and floor must agree on every one; then the ratios
   duckdb/floor and pandas/duckdb. ``--once`` cases (spark, pandas) run once.

``--skew-curve`` instead generates one world per maximum clock skew (0 … 30 s) and reports
the duckdb engine's accuracy at the default tolerance (setting ``cdr_skew_seconds``) and
at the skew + 0.5 s.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import platform
import resource
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb
import psutil

from paths_world import Generated, WorldSpec, ensure_world
from robotrace.settings import Settings

HERE = Path(__file__).resolve().parent
ENGINES = ("duckdb", "spark", "floor", "pandas")
SKEWS_S = (0, 1, 2, 4, 5, 8, 10, 15, 20, 30)


@dataclass
class CaseResult:
    case: str
    legs: int
    calls: int
    tolerance_ms: int
    outcome: str = "ok"  # or "did not finish (…)", "skipped (…)", "failed (…)"
    runs_s: list[float] = field(default_factory=list)
    wall_s: float | None = None
    process_s: float | None = None
    peak_rss_mib: float | None = None
    accuracy: float | None = None
    accuracy_heavy: float | None = None  # calls to the numbers with ≥ 0.05 % of the calls
    accuracy_rest: float | None = None
    differs_from_duckdb: int | None = None
    phases: dict[str, float] = field(default_factory=dict)
    out: str | None = None

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


def parse_counts(text: str) -> list[int]:
    return [int(float(part)) for part in text.split(",") if part.strip()]


# --- one child -----------------------------------------------------------------------------


class TreeRss:
    """Polls the summed RSS of a process and its descendants until stopped."""

    def __init__(self, pid: int, every_s: float = 0.2) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, args=(pid, every_s), daemon=True)
        self._thread.start()

    def _poll(self, pid: int, every_s: float) -> None:
        try:
            root = psutil.Process(pid)
        except psutil.NoSuchProcess:
            return
        while not self._stop.is_set():
            try:
                members = [root, *root.children(recursive=True)]
                total = sum(_rss(p) for p in members)
            except psutil.NoSuchProcess:
                return
            self.peak = max(self.peak, total)
            self._stop.wait(every_s)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def _rss(process: psutil.Process) -> int:
    try:
        return int(process.memory_info().rss)
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return 0


@dataclass
class ChildRun:
    code: int | None  # None: killed at the timeout
    output: str
    errors: str
    seconds: float
    peak_rss: int


def run_child(
    command: list[str], timeout_s: float, log: Path, env: dict[str, str], memory: int | None
) -> ChildRun:
    """Run ``command`` in its own session; kill its process group at ``timeout_s``."""

    def limit() -> None:
        if memory:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    started = time.perf_counter()
    with open(log, "w") as errors:
        child = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=errors, text=True, env=env,
            start_new_session=True, preexec_fn=limit,
        )  # fmt: skip
        poller = TreeRss(child.pid)
        timer = threading.Timer(timeout_s, _kill_group, args=(child.pid,))
        timer.start()
        assert child.stdout is not None
        output = child.stdout.read()
        _, status, usage = os.wait4(child.pid, 0)
        killed = not timer.is_alive()
        timer.cancel()
        _kill_group(child.pid)  # whatever it left running (Spark's JVM)
    peak = max(poller.stop(), usage.ru_maxrss * 1024)
    code = None if killed else os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    return ChildRun(code, output, log.read_text(errors="replace"), seconds, peak)


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def case_command(
    case: str, world: Generated, calls: int, tolerance_ms: int, out: Path
) -> list[str]:
    return [
        sys.executable, str(HERE / "paths_cases.py"), case, "--store", str(world.store),
        "--calls", str(world.calls_file(calls)), "--out", str(out),
        "--tolerance-ms", str(tolerance_ms), "--foreign", ",".join(world.foreign),
    ]  # fmt: skip


def unavailable(case: str) -> str | None:
    """Why ``case`` cannot run here, or None."""
    if case == "spark":
        for module in ("pyspark", "robotrace.paths.spark"):
            if importlib.util.find_spec(module) is None:
                return f"skipped ({module} is not installed: pip install 'robotrace[spark]')"
    if case == "pandas" and importlib.util.find_spec("pandas") is None:
        return "skipped (pandas is not installed)"
    return None


def measure_case(
    case: str, world: Generated, calls: int, tolerance_ms: int, args: argparse.Namespace
) -> CaseResult:
    result = CaseResult(case, world.legs, calls, tolerance_ms)
    why = unavailable(case)
    if why:
        result.outcome = why
        return result
    out = world.folder / f"out-{case}-{calls}-{tolerance_ms}.parquet"
    env = dict(os.environ, SPARK_DRIVER_MEMORY=args.spark_memory)
    memory = int(args.pandas_memory * 2**30) if case == "pandas" else None
    peaks, processes = [], []
    for _ in range(1 if case in args.once_list else args.repeat):
        log = world.folder / f"out-{case}.log"
        run = run_child(
            case_command(case, world, calls, tolerance_ms, out), args.timeout, log, env, memory
        )
        peaks.append(run.peak_rss)
        processes.append(run.seconds)
        if run.code != 0:
            result.outcome = _not_finished(run, args)
            break
        report = json.loads(run.output.strip().splitlines()[-1])
        result.runs_s.append(report["wall_s"])
        result.phases = report["phases"]
    result.peak_rss_mib = round(max(peaks) / 2**20, 1)
    if result.ok:
        result.wall_s = round(statistics.median(result.runs_s), 3)
        result.process_s = round(statistics.median(processes), 3)
        result.out = str(out)
    return result


def _not_finished(run: ChildRun, args: argparse.Namespace) -> str:
    if run.code is None:
        return f"did not finish (killed at the {args.timeout:g} s timeout)"
    if "MemoryError" in run.errors or "std::bad_alloc" in run.errors:
        return f"did not finish (out of memory at the {args.pandas_memory:g} GiB limit)"
    if "Out of Memory" in run.errors or "OutOfMemory" in run.errors:
        return "did not finish (out of memory)"
    if run.code < 0:
        return f"did not finish (killed by signal {-run.code})"
    last = [line for line in run.errors.strip().splitlines() if line.strip()][-1:]
    return f"failed (exit {run.code}: {last[0][:160] if last else 'no message'})"


# --- checking the paths --------------------------------------------------------------------


def check(results: list[CaseResult], truth: Path, calls: Path) -> None:
    """Accuracy against the truth (all calls; those to the heavy numbers, which take
    ≥ 0.05 % of the listed calls each; the rest), and paths that differ from the duckdb
    engine's."""
    connection = duckdb.connect()
    connection.execute(
        f"""CREATE TABLE listed AS
            SELECT call_id, count(*) OVER (PARTITION BY called_number)
                     >= greatest(20, count(*) OVER () / 2000) AS heavy
            FROM read_parquet('{calls}')"""
    )
    reference = next((r for r in results if r.case == "duckdb" and r.ok), None)
    for r in results:
        if not r.ok:
            continue
        r.accuracy, r.accuracy_heavy, r.accuracy_rest = connection.execute(
            f"""SELECT avg(hit), avg(hit) FILTER (WHERE heavy),
                  avg(hit) FILTER (WHERE NOT heavy)
                FROM (SELECT l.heavy, CASE WHEN o.path = t.path AND o.status = t.status
                                      THEN 1 ELSE 0 END AS hit
                      FROM read_parquet('{truth}') t JOIN listed l USING (call_id)
                      LEFT JOIN read_parquet('{r.out}') o USING (call_id))"""
        ).fetchone()
        if reference is not None:
            r.differs_from_duckdb = connection.execute(
                f"""SELECT count(*) FROM read_parquet('{reference.out}') a
                    FULL JOIN read_parquet('{r.out}') b USING (call_id)
                    WHERE a.path IS DISTINCT FROM b.path OR a.status IS DISTINCT FROM b.status
                      OR a.customer IS DISTINCT FROM b.customer"""
            ).fetchone()[0]
    connection.close()


# --- reporting -----------------------------------------------------------------------------


def machine() -> dict[str, object]:
    versions = {"duckdb": duckdb.__version__}
    for module in ("pyarrow", "pandas", "pyspark"):
        if importlib.util.find_spec(module) is not None:
            versions[module] = __import__(module).__version__
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "processor": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "versions": versions,
    }


def ratios(results: list[CaseResult]) -> list[dict[str, object]]:
    found = []
    for legs, calls in dict.fromkeys((r.legs, r.calls) for r in results):
        wall = {r.case: r.wall_s for r in results if (r.legs, r.calls) == (legs, calls) and r.ok}
        row: dict[str, object] = {"legs": legs, "calls": calls}
        for name, top, bottom in (
            ("duckdb_over_floor", "duckdb", "floor"),
            ("pandas_over_duckdb", "pandas", "duckdb"),
            ("spark_over_duckdb", "spark", "duckdb"),
        ):
            if wall.get(top) and wall.get(bottom):
                row[name] = round(wall[top] / wall[bottom], 2)
        found.append(row)
    return found


def table(results: list[CaseResult]) -> str:
    lines = [
        f"{'legs':>12} {'calls':>10} {'case':7} {'median s':>9} {'runs s':>22} "
        f"{'peak RSS':>10} {'accuracy':>9} {'heavy':>8} {'rest':>8} {'≠ duckdb':>8}  outcome"
    ]
    for r in results:
        runs = ", ".join(f"{s:.2f}" for s in r.runs_s)
        wall = f"{r.wall_s:.2f}" if r.wall_s is not None else "—"
        rss = f"{r.peak_rss_mib:,.0f} MiB" if r.peak_rss_mib is not None else "—"
        accuracy, heavy, rest = (
            _percent(value, 3) for value in (r.accuracy, r.accuracy_heavy, r.accuracy_rest)
        )
        differs = str(r.differs_from_duckdb) if r.differs_from_duckdb is not None else "—"
        lines.append(
            f"{r.legs:>12,} {r.calls:>10,} {r.case:7} {wall:>9} {runs:>22} {rss:>10} "
            f"{accuracy:>9} {heavy:>8} {rest:>8} {differs:>8}  {r.outcome}"
        )
    return "\n".join(lines)


def phases(results: list[CaseResult]) -> str:
    return "\n".join(
        f"{r.case} at {r.legs:,} legs / {r.calls:,} calls: "
        + ", ".join(f"{k} {v:.2f} s" for k, v in r.phases.items())
        for r in results
        if r.phases
    )


# --- the two modes -------------------------------------------------------------------------


def default_tolerance_ms() -> int:
    """The cdr_skew_seconds setting, in milliseconds (read once, as a command reads it)."""
    return round(Settings.from_environ().cdr_skew_seconds * 1000)


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def scale(args: argparse.Namespace) -> dict[str, object]:
    results: list[CaseResult] = []
    tolerance = default_tolerance_ms()
    for legs in parse_counts(args.legs):
        world = ensure_world(WorldSpec(legs, args.providers, seed=args.seed), args.calls_list,
                             args.work, say)  # fmt: skip
        say(f"{world.legs:,} legs, {world.calls:,} calls in the store ({world.folder})")
        for calls in args.calls_list:
            group = []
            for case in args.engine_list:
                say(f"  {case}: {calls:,} calls …")
                group.append(measure_case(case, world, calls, tolerance, args))
                say(f"    {group[-1].outcome}, {group[-1].runs_s} s")
            check(group, world.truth_file(calls), world.calls_file(calls))
            results += group
    return {
        "machine": machine(),
        "tolerance_ms": tolerance,
        "repeat": args.repeat,
        "results": [asdict(r) for r in results],
        "ratios": ratios(results),
        "_results": results,
    }


def skew_curve(args: argparse.Namespace) -> dict[str, object]:
    rows = []
    default = default_tolerance_ms()
    calls = args.calls_list[0]
    for skew in SKEWS_S:
        spec = WorldSpec(int(float(args.skew_legs)), args.providers, skew * 1000, args.seed)
        world = ensure_world(spec, [calls], args.work, say)
        row: dict[str, object] = {"max_skew_s": skew, "legs": world.legs, "calls": calls}
        for label, tolerance in (("default", default), ("skew_plus_half", skew * 1000 + 500)):
            result = measure_case("duckdb", world, calls, tolerance, args)
            check([result], world.truth_file(calls), world.calls_file(calls))
            row[f"accuracy_{label}"] = result.accuracy
            row[f"accuracy_{label}_rest"] = result.accuracy_rest
            row[f"tolerance_{label}_ms"] = tolerance
            row[f"wall_{label}_s"] = result.wall_s
        say(f"  skew {skew} s: {row}")
        rows.append(row)
    return {"machine": machine(), "curve": rows}


def curve_table(curve: list[dict[str, object]]) -> str:
    """Accuracy at each skew: all calls, and (in brackets) calls to all but the heavy numbers."""
    lines = [f"{'max skew':>8} {'tolerance 5 s (rest)':>22} {'tolerance skew + 0.5 s (rest)':>31}"]
    for row in curve:
        default = f"{_percent(row['accuracy_default'])} ({_percent(row['accuracy_default_rest'])})"
        wide = (
            f"{_percent(row['accuracy_skew_plus_half'])} "
            f"({_percent(row['accuracy_skew_plus_half_rest'])})"
        )
        lines.append(f"{row['max_skew_s']:>6} s {default:>22} {wide:>31}")
    return "\n".join(lines)


def _percent(value: object, digits: int = 2) -> str:
    return "—" if value is None else f"{100 * float(value):.{digits}f}%"  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--legs", default="1e6,1e7", help="store sizes, comma-separated")
    parser.add_argument("--calls", default="1e5", help="calls to trace, comma-separated")
    parser.add_argument("--engines", default=",".join(ENGINES), help="cases, comma-separated")
    parser.add_argument("--repeat", type=int, default=1, help="runs per case (median)")
    parser.add_argument("--once", default="spark,pandas", help="cases run once whatever --repeat")
    parser.add_argument("--work", type=Path, default=Path("/tmp/robotrace-bench-paths"))
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per run")
    parser.add_argument("--pandas-memory", type=float, default=16, metavar="GIB",
                        help="address-space limit of the pandas case")  # fmt: skip
    parser.add_argument("--spark-memory", default="8g", help="SPARK_DRIVER_MEMORY")
    parser.add_argument("--providers", type=int, default=120)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--skew-curve", action="store_true", help="accuracy against skew")
    parser.add_argument("--skew-legs", default="1e6", help="store size of the skew curve")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    args.calls_list = parse_counts(args.calls)
    args.engine_list = [e.strip() for e in args.engines.split(",") if e.strip()]
    args.once_list = [e.strip() for e in args.once.split(",") if e.strip()]
    unknown = set(args.engine_list) - set(ENGINES)
    if unknown:
        parser.error(f"unknown engines: {', '.join(sorted(unknown))}")
    if args.skew_curve:
        report = skew_curve(args)
        print(json.dumps(report) if args.json else curve_table(report["curve"]))  # type: ignore[arg-type]
        return
    report = scale(args)
    results: list[CaseResult] = report.pop("_results")  # type: ignore[assignment]
    if args.json:
        print(json.dumps(report))
        return
    print(table(results))
    print(phases(results))
    for row in report["ratios"]:  # type: ignore[attr-defined]
        print(", ".join(f"{k} {v:,}" if isinstance(v, int) else f"{k} {v}" for k, v in row.items()))
    print(f"tolerance {report['tolerance_ms']} ms, median of {args.repeat}, {machine()}")


if __name__ == "__main__":
    main()
