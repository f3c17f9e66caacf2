"""Benchmark ``robotrace simulate``: legs per second and peak memory at 10^6 and 10^7 legs.

Each size runs in its own child process (``python -m robotrace.cli simulate``), so its peak
RSS is measured alone (``os.wait4``). ``--calls`` is chosen from a small pilot run so that
the CDR rows written ("legs") come close to the target.

    .venv/bin/python benchmarks/bench_simulate.py              # 10^6 and 10^7 legs
    .venv/bin/python benchmarks/bench_simulate.py --quick      # 10^5 legs
    .venv/bin/python benchmarks/bench_simulate.py --legs 3000000 --format parquet --json
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

PILOT_CALLS = 20_000


@dataclass
class Result:
    target_legs: int
    calls: int
    legs: int
    wall_s: float
    legs_per_s: float
    peak_rss_mib: float
    file_format: str


def run_simulator(out: Path, calls: int, args: argparse.Namespace) -> tuple[dict, float, float]:
    """Run one child; returns its JSON summary, wall seconds and peak RSS in MiB."""
    command = [
        sys.executable, "-m", "robotrace.cli", "simulate", "--out", str(out), "--json",
        "--seed", str(args.seed), "--providers", str(args.providers), "--days", str(args.days),
        "--calls", str(calls), "--format", args.format, "--shaken", args.shaken,
    ]  # fmt: skip
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"simulate failed with exit code {child.returncode}")
    # ru_maxrss is in KiB on Linux.
    return json.loads(output), wall, usage.ru_maxrss / 1024


def legs_per_call(workdir: Path, args: argparse.Namespace) -> float:
    summary, _, _ = run_simulator(workdir / "pilot", PILOT_CALLS, args)
    return summary["cdr_rows"] / summary["calls"]


def measure(workdir: Path, target: int, ratio: float, args: argparse.Namespace) -> Result:
    calls = max(1000, round(target / ratio))
    summary, wall, rss = run_simulator(workdir / f"legs-{target}", calls, args)
    legs = summary["cdr_rows"]
    return Result(target, calls, legs, round(wall, 2), round(legs / wall), round(rss, 1),
                  args.format)  # fmt: skip


def table(results: list[Result]) -> str:
    lines = [f"{'legs':>12} {'calls':>11} {'wall s':>8} {'legs/s':>10} {'peak RSS MiB':>13}"]
    for r in results:
        lines.append(
            f"{r.legs:>12,} {r.calls:>11,} {r.wall_s:>8.1f} {r.legs_per_s:>10,} "
            f"{r.peak_rss_mib:>13.1f}"
        )
    return "\n".join(lines)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--legs", type=int, action="append", help="target legs (repeatable)")
    parser.add_argument("--quick", action="store_true", help="one small run of 10^5 legs")
    parser.add_argument("--format", choices=("csv", "parquet"), default="csv")
    parser.add_argument("--providers", type=int, default=40)
    parser.add_argument("--days", type=float, default=7.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--shaken", choices=("auto", "all", "evidence", "off"), default="auto")
    parser.add_argument("--workdir", type=Path, help="keep outputs here (default: temp dir)")
    parser.add_argument("--json", action="store_true", help="print results as JSON")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    targets = args.legs or ([100_000] if args.quick else [1_000_000, 10_000_000])
    with tempfile.TemporaryDirectory(prefix="bench-simulate-") as temp:
        workdir = args.workdir or Path(temp)
        ratio = legs_per_call(workdir, args)
        results = [measure(workdir, target, ratio, args) for target in targets]
    if args.json:
        print(json.dumps([asdict(r) for r in results], indent=2))
    else:
        print(table(results))


if __name__ == "__main__":
    main()
