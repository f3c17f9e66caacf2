"""The SIP blocker held at its benchmarked rate for minutes: failed calls and memory over time.

    .venv/bin/python benchmarks/soak_blocker.py                    # 10 minutes at 4,800 calls/s
    .venv/bin/python benchmarks/soak_blocker.py --minutes 1 --rate 1000 --json

1. Starts the same pair as ``bench_blocking.py`` (a temporary SQLite portal with ``BBBB``
   under a ``no_direct_traffic`` authorization, ``robotrace serve`` and ``robotrace blocker
   --sip-listen``; the blocker polls the portal's list every 30 s throughout).
2. Runs SIPp (``-t u1``, ``benchmarks/blocking/block.xml``: INVITE → 603 with its Reason
   checked → ACK) at ``--rate`` calls/s for ``--minutes`` — by default 4,800/s, the highest
   rate that passed in ``bench_blocking.py`` (docs/benchmarks.md) — with SIPp's counters
   written to its statistics CSV every 10 s.
3. Samples the blocker process' resident memory (RSS, with any children; psutil) every
   ``--sample-seconds`` from before the first call to the last, and fits a line (least
   squares) to the samples after ``--warmup-seconds``: its slope in MiB per minute says
   whether memory stays flat.

Reports total, successful and failed calls, retransmissions, the achieved rate, SIPp's mean
response time, RSS at the start, after the warm-up and at the end, and the slope.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_blocking import (  # the benchmarks folder is no package
    BLOCKED,
    SCENARIO,
    _stat_row,
    blocking_service,
    free_udp_port,
    invite,
)

#: calls/s: the highest passing step of ``bench_blocking.py`` (docs/benchmarks.md, 2026-11-28).
BENCHMARKED_RATE = 4800
MIB = 1024 * 1024


@dataclass
class Soak:
    """What one soak measured; memory in MiB, times in seconds from the first call."""

    rate: int
    seconds: float
    warmup_s: float
    calls: int = 0
    successful: int = 0
    failed: int = 0
    retransmissions: int = 0
    achieved_per_s: float = 0.0
    mean_response_ms: float | None = None
    sipp_exit: int | None = None
    rss_start_mib: float = 0.0
    rss_after_warmup_mib: float = 0.0
    rss_end_mib: float = 0.0
    rss_peak_mib: float = 0.0
    slope_mib_per_min: float | None = None
    samples: list[tuple[float, float]] = field(default_factory=list)


def blocker_process() -> psutil.Process:
    """The ``robotrace blocker`` child of this process."""
    for process in psutil.Process().children(recursive=True):
        if "blocker" in process.cmdline():
            return process
    raise RuntimeError("no robotrace blocker among this process' children")


def rss_mib(process: psutil.Process) -> float:
    tree = [process, *process.children(recursive=True)]
    return sum(p.memory_info().rss for p in tree) / MIB


def sipp_command(port: int, rate: int, seconds: float, work: Path) -> list[str]:
    scenario = work / "block.xml"
    shutil.copy(SCENARIO, scenario)
    sipp = shutil.which("sipp") or "/usr/bin/sipp"
    return [
        sipp, f"127.0.0.1:{port}", "-sf", str(scenario), "-t", "u1", "-i", "127.0.0.1",
        "-p", str(free_udp_port()), "-r", str(rate), "-rp", "1000",
        "-m", str(round(rate * seconds)), "-l", str(max(rate * 5, 100)),
        "-recv_timeout", "5000", "-timeout", f"{round(seconds) + 60}s", "-timeout_error",
        "-nostdin", "-trace_stat", "-stf", str(work / "stat.csv"), "-fd", "10",
        "-trace_err", "-error_file", str(work / "err.log"),
    ]  # fmt: skip


def _mean_ms(value: str) -> float | None:
    """Milliseconds of SIPp's ``HH:MM:SS:microseconds``."""
    parts = value.split(":")
    if len(parts) != 4 or not all(p.isdigit() for p in parts):
        return None
    h, m, s, us = (int(p) for p in parts)
    return round((h * 3600 + m * 60 + s) * 1000 + us / 1000, 3)


def read_counts(soak: Soak, stat_csv: Path, wall: float) -> None:
    stat = _stat_row(stat_csv) if stat_csv.exists() else {}
    soak.successful = int(stat.get("SuccessfulCall(C)", 0) or 0)
    soak.failed = int(stat.get("FailedCall(C)", 0) or 0)
    soak.calls = int(stat.get("TotalCallCreated", 0) or 0) or soak.successful + soak.failed
    soak.retransmissions = int(stat.get("Retransmissions(C)", 0) or 0)
    elapsed_ms = _mean_ms(stat.get("ElapsedTime(C)", ""))  # SIPp's own clock, not start-up
    elapsed = elapsed_ms / 1000 if elapsed_ms else wall
    soak.achieved_per_s = round(soak.calls / elapsed, 1) if elapsed > 0 else 0.0
    soak.mean_response_ms = _mean_ms(stat.get("ResponseTime1(C)", ""))


def summarise_memory(soak: Soak) -> None:
    """RSS at the start, after the warm-up and at the end, and the slope after the warm-up."""
    samples = soak.samples
    soak.rss_start_mib = round(samples[0][1], 1)
    soak.rss_end_mib = round(samples[-1][1], 1)
    soak.rss_peak_mib = round(max(r for _, r in samples), 1)
    settled = [(t, r) for t, r in samples if t >= soak.warmup_s] or samples[-1:]
    soak.rss_after_warmup_mib = round(settled[0][1], 1)
    if len(settled) >= 3:
        fit = statistics.linear_regression([t for t, _ in settled], [r for _, r in settled])
        soak.slope_mib_per_min = round(fit.slope * 60, 3)


def load_and_sample(
    soak: Soak, blocker: psutil.Process, command: list[str], work: Path, every: float
) -> None:
    """Run SIPp to the end, sampling the blocker's RSS every ``every`` seconds meanwhile."""
    soak.samples.append((0.0, rss_mib(blocker)))
    with (work / "sipp.out").open("wb") as out:
        sipp = subprocess.Popen(command, cwd=work, stdout=out, stderr=subprocess.STDOUT)
    started = time.monotonic()
    deadline = started + soak.seconds + 120
    try:
        while sipp.poll() is None and time.monotonic() < deadline:
            time.sleep(every)
            soak.samples.append((time.monotonic() - started, rss_mib(blocker)))
    finally:
        if sipp.poll() is None:
            sipp.kill()
        soak.sipp_exit = sipp.wait()
    read_counts(soak, work / "stat.csv", time.monotonic() - started)
    soak.samples.append((time.monotonic() - started, rss_mib(blocker)))


def soak_blocker(
    minutes: float, rate: int, warmup_s: float = 60.0, every: float = 5.0, keep: Path | None = None
) -> Soak:
    """Start portal and blocker, hold SIPp at ``rate`` for ``minutes``, and measure."""
    soak = Soak(rate=rate, seconds=minutes * 60, warmup_s=warmup_s)
    with tempfile.TemporaryDirectory(prefix="soak-blocker-") as tmp:
        folder = Path(tmp)
        with blocking_service(folder) as (_, sip_port):
            if not invite(sip_port, BLOCKED).startswith("SIP/2.0 603"):
                raise RuntimeError("the blocker did not block BBBB")
            command = sipp_command(sip_port, rate, soak.seconds, folder)
            load_and_sample(soak, blocker_process(), command, folder, every)
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            for name in ("blocker.log", "serve.log", "stat.csv", "err.log", "sipp.out"):
                if (folder / name).exists():
                    shutil.copy(folder / name, keep / name)
    summarise_memory(soak)
    return soak


def print_report(soak: Soak) -> None:
    print(f"SIP INVITE → 603 → ACK at {soak.rate} calls/s for {soak.seconds / 60:g} min (sipp)")
    print(
        f"calls {soak.calls:,}: {soak.successful:,} successful, {soak.failed:,} failed, "
        f"{soak.retransmissions:,} retransmissions; achieved {soak.achieved_per_s:,} calls/s; "
        f"mean response {soak.mean_response_ms} ms; sipp exit {soak.sipp_exit}"
    )
    print(
        f"blocker RSS: start {soak.rss_start_mib} MiB, after {soak.warmup_s:g} s warm-up "
        f"{soak.rss_after_warmup_mib} MiB, end {soak.rss_end_mib} MiB, peak "
        f"{soak.rss_peak_mib} MiB; slope after warm-up {soak.slope_mib_per_min} MiB/min "
        f"({len(soak.samples)} samples)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="how long SIPp runs")
    parser.add_argument("--rate", type=int, default=BENCHMARKED_RATE, help="calls/s")
    parser.add_argument("--warmup-seconds", type=float, default=60.0)
    parser.add_argument("--sample-seconds", type=float, default=5.0, help="RSS sampling period")
    parser.add_argument("--keep-logs", type=Path, help="a folder to copy logs and sipp's CSV to")
    parser.add_argument("--json", action="store_true", help="one JSON object, samples included")
    args = parser.parse_args()
    soak = soak_blocker(
        args.minutes, args.rate, args.warmup_seconds, args.sample_seconds, args.keep_logs
    )
    if args.json:
        result: dict[str, Any] = asdict(soak)
        print(json.dumps(result))
    else:
        print_report(soak)
    sys.exit(0 if soak.failed == 0 and soak.sipp_exit == 0 else 1)


if __name__ == "__main__":
    main()
