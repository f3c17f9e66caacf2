"""The blocking service under load: HTTP decisions with wrk, SIP INVITEs with SIPp, and Kamailio.

    .venv/bin/python benchmarks/bench_blocking.py                # 60 s SIP steps, 10 s of wrk
    .venv/bin/python benchmarks/bench_blocking.py --quick --json # 10 s SIP steps, 5 s of wrk

1. Seeds a temporary SQLite portal store: four providers, ``BBBB`` under a
   ``no_direct_traffic`` authorization. Starts ``robotrace serve`` and ``robotrace blocker
   --sip-listen`` as subprocesses (the blocker fetches and verifies the signed list).
2. ``wrk -t2 -c16 --latency`` on ``POST /v1/decide`` (a Lua script's JSON body), once with
   the blocked upstream ``BBBB`` and once with the allowed ``CCCC``: requests/s, p50/p90/p99.
3. SIPp (``-t u1``, ``benchmarks/blocking/block.xml``: INVITE from trunk group ``tgrp=BBBB``
   → 603 whose Reason names the authorization, checked on every call → ACK) against the
   blocker's SIP port, stepping the call rate (100, 200, 400 … calls/s, ``--sip-seconds``
   each) until a step fails. A step passes with zero failed calls, every call answered, and
   an achieved rate within 5% of the target; ``--refine`` bisection steps then narrow the
   interval between the last passing and the first failing rate. The response time
   (INVITE → 603) p99 comes from ``-trace_rtt``. SIPp's retransmissions (its INVITE is
   resent after 500 ms) are reported.
4. The same steps against Kamailio blocking with the same list natively
   (``contrib/kamailio/blocking/kamailio.cfg`` on the tables ``robotrace blocker export``
   wrote from the same portal; its 603+ checked equal to the blocker's), then the ratios
   robotrace/Kamailio of the highest passing rate and of its p99.
5. Before each ladder, each server takes ``--cpu-calls`` calls at ``--cpu-rate`` calls/s
   and the CPU seconds of all its processes (the blocker's SIP workers included) give its
   CPU µs per call: Kamailio/robotrace is the ratio a shared machine blurs least.

Everything listens on 127.0.0.1; every wait and every child is bounded in time.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from robotrace.clock import SystemClock
from robotrace.enforcement import service, signing
from robotrace.enforcement.authorizations import Scope
from robotrace.providers.registry import Provider
from robotrace.providers.store import upsert_providers
from robotrace.settings import Settings
from robotrace.store.db import make_engine, transaction, upgrade

HERE = Path(__file__).resolve().parent / "blocking"
SCENARIO = HERE / "block.xml"
KAMAILIO = shutil.which("kamailio") or "/usr/sbin/kamailio"
KAMAILIO_CFG = HERE.parents[1] / "contrib" / "kamailio" / "blocking" / "kamailio.cfg"
BLOCKED, ALLOWED = "BBBB", "CCCC"
#: SIPp and the checks send from 127.0.0.1 with the upstream's OCN as tgrp, as an ingress SBC
#: that stamps tgrp would; the blocker reads a tgrp only from a source it trusts for it
#: (docs/blocking.md, "The trunk table").
TRUNKS = "source,tgrp,trunk_context,ocn,trust_tgrp\n127.0.0.1,,,,1\n"
CALLING, CALLED = "+12025550143", "+13125550199"
PROVIDERS = [
    Provider("AAAA", "Alpha Local Telco"),
    Provider(BLOCKED, "Bravo Wholesale"),
    Provider(ALLOWED, "Charlie Gateway", gateway_provider=True),
    Provider("FFFF", "Foxtrot Intl Ltd", country="United Kingdom", foreign=True),
]
RATES = (100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600)


# --- the store and the servers -------------------------------------------------------------


def seed_store(folder: Path) -> str:
    url = f"sqlite:///{folder / 'portal.db'}"
    engine = make_engine(url)
    upgrade(engine)
    settings = Settings.from_environ()
    with transaction(engine) as session:
        upsert_providers(session, PROVIDERS, SystemClock())
        request = service.AuthorizationRequest(BLOCKED, Scope.NO_DIRECT_TRAFFIC, reason="bench")
        regulator = "regulator:fcc@example.org"
        service.issue_authorization(session, request, regulator, SystemClock(), settings)
    engine.dispose()
    public_key = signing.public_key_pem(settings.blocklist_signing_key)
    (folder / "blocklist.pub.pem").write_bytes(public_key)
    (folder / "trunks.csv").write_text(TRUNKS)
    return url


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the child's process group, SIGKILL after 10 s."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)


@contextmanager
def child(
    command: list[str], log: Path, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=log.parent,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, **(env or {})},
        )
    try:
        yield process
    finally:
        stop(process)


def wait_for(check: Any, process: subprocess.Popen[bytes], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what}: the process exited with {process.returncode}")
        try:
            if check():
                return
        except (httpx.HTTPError, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{what}: not within {seconds} s")


def robotrace(*args: str) -> list[str]:
    return [sys.executable, "-m", "robotrace.cli", *args]


@contextmanager
def blocking_service(
    folder: Path, started: dict[str, Any] | None = None
) -> Iterator[tuple[str, int]]:
    """(the blocker's base URL, its SIP port), with a fresh list from a real portal;
    ``started`` gets the blocker's process id (its SIP workers share its process group)."""
    url = seed_store(folder)
    port, http_port, sip_port = free_port(), free_port(), free_port()
    portal = f"http://127.0.0.1:{port}"
    blocker = f"http://127.0.0.1:{http_port}"
    serve = robotrace("serve", "--port", str(port), "--database-url", url)
    blocker_args = robotrace(
        "blocker", "--portal", portal, "--listen", f"127.0.0.1:{http_port}",
        "--public-key", str(folder / "blocklist.pub.pem"),
        "--sip-listen", f"127.0.0.1:{sip_port}", "--next-hop", "10.0.0.9:5060",
    )  # fmt: skip
    with child(serve, folder / "serve.log") as server:
        up = lambda: httpx.get(f"{portal}/api/v1/blocklist", timeout=2).status_code == 200  # noqa: E731
        wait_for(up, server, 60, "robotrace serve")
        with child(blocker_args, folder / "blocker.log", blocker_env(folder)) as process:
            ok = lambda: httpx.get(f"{blocker}/health", timeout=2).json()["status"] == "ok"  # noqa: E731
            wait_for(ok, process, 60, "robotrace blocker")
            if started is not None:
                started["pid"], started["portal"] = process.pid, portal
            yield blocker, sip_port


def invite(port: int, tgrp: str) -> str:
    """One INVITE over UDP from trunk group ``tgrp``; the response's text."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.settimeout(5)
        local = sock.getsockname()[1]
        message = (
            f"INVITE sip:{CALLED};tgrp={tgrp};trunk-context=example.net@127.0.0.1:{port};user=phone"
            " SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 127.0.0.1:{local};branch=z9hG4bK-bench-{time.time_ns()};rport\r\n"
            "Max-Forwards: 70\r\n"
            f"From: <sip:{CALLING}@127.0.0.1>;tag=bench\r\n"
            f"To: <sip:{CALLED}@127.0.0.1>\r\n"
            f"Call-ID: bench-{time.time_ns()}@127.0.0.1\r\n"
            "CSeq: 1 INVITE\r\n"
            f"Contact: <sip:{CALLING}@127.0.0.1:{local}>\r\n"
            "Content-Length: 0\r\n\r\n"
        )
        sock.sendto(message.encode(), ("127.0.0.1", port))
        return sock.recv(65535).decode()


def reason_of(response: str) -> str:
    line = next(x for x in response.splitlines() if x.lower().startswith("reason:"))
    return line.split(":", 1)[1].strip()


def export_tables(folder: Path, portal: str) -> None:
    """``robotrace blocker export --format kamailio-htable`` of the portal's list into
    ``folder/db``, with the blocker's own trunk table and settings."""
    command = robotrace(
        "blocker", "export", "--format", "kamailio-htable", "--out", str(folder / "db"),
        "--portal", portal, "--public-key", str(folder / "blocklist.pub.pem"),
    )  # fmt: skip
    subprocess.run(command, check=True, env={**os.environ, **blocker_env(folder)}, timeout=300)


def blocker_env(folder: Path) -> dict[str, str]:
    return {
        "ROBOTRACE_BLOCKER_TRUNKS_FILE": str(folder / "trunks.csv"),
        "ROBOTRACE_BLOCKER_TGRP_IS_OCN": "1",
    }


@contextmanager
def contrib_kamailio(
    folder: Path,
    name: str,
    cfg: Path,
    children: int,
    loaded: dict[str, Any],
    probe: str = "N00001",
) -> Iterator[int]:
    """Kamailio with ``cfg`` (contrib/kamailio/blocking's, or a variant of it) on the tables
    exported into ``folder/db``; ``loaded`` gets the seconds to its first 603 for trunk
    group ``probe`` (loading included), its RPC socket and its process id (CPU time)."""
    port = free_udp_port()
    run = folder / f"{name}-run"
    run.mkdir()
    command = [
        KAMAILIO, "-DD", "-E", "-f", str(cfg), "-Y", str(run),
        "-m", "1024", "-M", "128", "-l", f"udp:127.0.0.1:{port}",
        "-A", f'ROBOTRACE_DB="text://{folder / "db"}"',
        "-A", f'ROBOTRACE_RPC="{run / "rpc.sock"}"',
        "-A", 'NEXT_HOP="10.0.0.9:5060"', "-A", f"CHILDREN={children}",
        "-A", "ROBOTRACE_MAX_ROWS=5000000",
    ]  # fmt: skip
    started = time.monotonic()
    with child(command, folder / f"{name}.log") as process:
        ready = lambda: invite(port, probe).startswith("SIP/2.0 603")  # noqa: E731
        wait_for(ready, process, 120, f"kamailio ({name})")
        loaded["start_s"] = round(time.monotonic() - started, 2)
        loaded["rpc"] = run / "rpc.sock"
        loaded["pid"] = process.pid
        yield port


# --- wrk -----------------------------------------------------------------------------------

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()  # type: ignore[union-attr]
    return round(float(number) * _UNITS_MS[unit], 3)


def parse_wrk(output: str) -> dict[str, Any]:
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return {
        "requests_per_s": float(rate.group(1)) if rate else None,
        "requests": int(total.group(1)) if total else None,
        "latency_ms": {
            f"p{p}": _ms(v) for p, v in re.findall(r"^\s+(\d+)%\s+([\d.]+\w+)\s*$", output, re.M)
        },
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": errors.group(1).strip() if errors else "",
    }


def run_wrk(blocker: str, upstream: str, seconds: int, folder: Path) -> dict[str, Any]:
    call = {"upstream": upstream, "calling": CALLING, "called": CALLED}
    body = json.dumps(call)
    expected = httpx.post(f"{blocker}/v1/decide", json=call, timeout=5).json()
    script = folder / f"decide-{upstream}.lua"
    script.write_text(
        'wrk.method = "POST"\n'
        f"wrk.body = '{body}'\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
    )
    wrk = shutil.which("wrk") or "/usr/bin/wrk"
    command = [wrk, "-t2", "-c16", f"-d{seconds}s", "--latency", "-s", str(script)]
    done = subprocess.run(
        [*command, f"{blocker}/v1/decide"], capture_output=True, text=True, timeout=seconds + 30
    )
    result = parse_wrk(done.stdout)
    result["decision"] = expected["decision"]
    result["reason"] = expected.get("reason")
    return result


# --- SIPp ----------------------------------------------------------------------------------


def _stat_row(path: Path) -> dict[str, str]:
    rows = list(csv.reader(path.read_text().splitlines(), delimiter=";"))
    header, last = rows[0], rows[-1]
    return dict(zip(header, last, strict=False))


def _rtts(folder: Path) -> tuple[list[float], list[float]]:
    """(dates in ms, response times in ms) from SIPp's ``-trace_rtt`` file(s)."""
    dates, times = [], []
    for path in folder.glob("*_rtt.csv"):
        for row in csv.reader(path.read_text().splitlines(), delimiter=";"):
            try:
                dates.append(float(row[0]))
                times.append(float(row[1]))
            except (ValueError, IndexError):
                continue  # the header
    return dates, times


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))], 3)


def sipp_step(port: int, rate: int, seconds: int, folder: Path) -> dict[str, Any]:
    """One SIPp run of ``rate`` calls/s for ``seconds``; its counts, achieved rate and p99."""
    work = folder / f"sipp-{port}-{rate}"
    work.mkdir()
    scenario = work / "block.xml"
    shutil.copy(SCENARIO, scenario)
    calls = rate * seconds
    sipp = shutil.which("sipp") or "/usr/bin/sipp"
    command = [
        sipp, f"127.0.0.1:{port}", "-sf", str(scenario), "-t", "u1", "-i", "127.0.0.1",
        "-p", str(free_udp_port()), "-r", str(rate), "-rp", "1000", "-m", str(calls),
        "-l", str(max(rate * 5, 100)), "-recv_timeout", "5000",
        "-timeout", f"{seconds + 30}s", "-timeout_error", "-nostdin",
        "-trace_stat", "-stf", str(work / "stat.csv"), "-fd", "1",
        "-trace_rtt", "-rtt_freq", "1", "-trace_err", "-error_file", str(work / "err.log"),
    ]  # fmt: skip
    started = time.monotonic()
    try:
        done = subprocess.run(
            command, cwd=work, capture_output=True, text=True, timeout=seconds + 60
        )
        code = done.returncode
    except subprocess.TimeoutExpired:
        code = None
    wall = time.monotonic() - started
    stat = _stat_row(work / "stat.csv") if (work / "stat.csv").exists() else {}
    ok = int(stat.get("SuccessfulCall(C)", 0) or 0)
    failed = int(stat.get("FailedCall(C)", 0) or 0)
    dates, times = _rtts(work)
    span_s = (max(dates) - min(dates)) / 1000 if len(dates) > 1 else wall
    achieved = round(len(dates) / span_s, 1) if span_s > 0 else None
    passed = (
        code == 0
        and failed == 0
        and ok == calls
        and achieved is not None
        and achieved >= 0.95 * rate
    )
    mean = re.fullmatch(r"(\d+):(\d+):(\d+):(\d+)", stat.get("ResponseTime1(C)", ""))
    h, m, sec, us = (int(x) for x in mean.groups()) if mean else (0, 0, 0, -1)
    return {
        "rate": rate,
        "calls": calls,
        "successful": ok,
        "failed": failed,
        "retransmissions": int(stat.get("Retransmissions(C)", 0) or 0),
        "achieved_per_s": achieved,
        "mean_ms": round((h * 3600 + m * 60 + sec) * 1000 + us / 1000, 3) if mean else None,
        "p50_ms": _percentile(times, 0.50),
        "p99_ms": _percentile(times, 0.99),
        "exit": code,
        "passed": passed,
    }


def group_cpu_seconds(pgid: int) -> float:
    """User and system CPU seconds of every live process in process group ``pgid``."""
    ticks = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def cpu_per_call(port: int, pgid: int, calls: int, rate: int, folder: Path) -> dict[str, Any]:
    """The CPU µs per call of the server whose processes are in group ``pgid``, over
    ``calls`` calls at ``rate`` calls/s (every one a checked 603): a figure a shared machine
    blurs far less than the highest passing rate."""
    before = group_cpu_seconds(pgid)
    step = sipp_step(port, rate, max(calls // rate, 1), folder)
    used = group_cpu_seconds(pgid) - before
    return {
        "calls": step["successful"],
        "failed": step["failed"],
        "cpu_s": round(used, 3),
        "us_per_call": round(1e6 * used / max(step["successful"], 1), 1),
    }


def sipp_steps(
    port: int, rates: list[int], seconds: int, folder: Path, refine: int = 0
) -> dict[str, Any]:
    """Double the rate until a step fails, then bisect ``refine`` times between the highest
    passing rate and the lowest failing one."""

    def step_at(rate: int) -> dict[str, Any]:
        step = sipp_step(port, rate, seconds, folder)
        steps.append(step)
        print(f"  {rate:>6}/s: {json.dumps(step)}", file=sys.stderr)
        return step

    steps: list[dict[str, Any]] = []
    low, high = 0, None
    for rate in rates:
        if not step_at(rate)["passed"]:
            high = rate
            break
        low = rate
    for _ in range(refine if high and low else 0):
        middle = (low + high) // 2
        if step_at(middle)["passed"]:
            low = middle
        else:
            high = middle
    best = max((s for s in steps if s["passed"]), key=lambda s: s["rate"], default=None)
    return {
        "max_rate": best["rate"] if best else None,
        "p99_ms": best["p99_ms"] if best else None,
        "p50_ms": best["p50_ms"] if best else None,
        "mean_ms": best["mean_ms"] if best else None,
        "steps": steps,
    }


# --- the run -------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict[str, Any]:
    rates = [r for r in RATES if args.min_rate <= r <= args.max_rate]
    result: dict[str, Any] = {"sip_seconds": args.sip_seconds, "wrk_seconds": args.wrk_seconds}
    with tempfile.TemporaryDirectory(prefix="bench-blocking-") as tmp:
        folder = Path(tmp)
        ours: dict[str, Any] = {}
        with blocking_service(folder, ours) as (blocker, sip_port):
            blocked = invite(sip_port, BLOCKED)
            if not blocked.startswith("SIP/2.0 603"):
                raise RuntimeError(f"the blocker did not block: {blocked.splitlines()[0]}")
            reason = reason_of(blocked)
            result["reason"] = reason
            result["http"] = {
                "blocked": run_wrk(blocker, BLOCKED, args.wrk_seconds, folder),
                "allowed": run_wrk(blocker, ALLOWED, args.wrk_seconds, folder),
            }
            if not args.no_kamailio:  # the same list, for Kamailio (the portal is up now)
                export_tables(folder, ours["portal"])
            print("robotrace SIP:", file=sys.stderr)
            cpu = cpu_per_call(sip_port, ours["pid"], args.cpu_calls, args.cpu_rate, folder)
            result["robotrace_cpu"] = cpu
            result["robotrace_sip"] = sipp_steps(
                sip_port, rates, args.sip_seconds, folder, args.refine
            )
        if args.no_kamailio:
            result["kamailio_sip"] = None
        else:
            theirs: dict[str, Any] = {}
            children = args.kamailio_children
            with contrib_kamailio(
                folder, "kamailio", KAMAILIO_CFG, children, theirs, BLOCKED
            ) as port:
                if reason_of(invite(port, BLOCKED)) != reason:
                    raise RuntimeError("Kamailio's 603+ differs from the blocker's")
                print("Kamailio SIP:", file=sys.stderr)
                cpu = cpu_per_call(port, theirs["pid"], args.cpu_calls, args.cpu_rate, folder)
                result["kamailio_cpu"] = cpu
                result["kamailio_sip"] = sipp_steps(
                    port, rates, args.sip_seconds, folder, args.refine
                )
        if args.keep_logs:
            for log in folder.glob("*.log"):
                shutil.copy(log, Path(args.keep_logs) / log.name)
    ours, theirs = result["robotrace_sip"], result["kamailio_sip"]
    if theirs and ours["max_rate"] and theirs["max_rate"]:
        result["ratio"] = {
            "max_rate": round(ours["max_rate"] / theirs["max_rate"], 3),
            "p99": round(ours["p99_ms"] / theirs["p99_ms"], 2) if theirs["p99_ms"] else None,
            "mean": round(ours["mean_ms"] / theirs["mean_ms"], 2) if theirs["mean_ms"] else None,
        }
    if result.get("kamailio_cpu") and result["robotrace_cpu"]["us_per_call"]:
        kamailio_us = result["kamailio_cpu"]["us_per_call"]
        result["cpu_ratio"] = round(kamailio_us / result["robotrace_cpu"]["us_per_call"], 3)
    return result


def print_table(result: dict[str, Any]) -> None:
    print(f"HTTP POST /v1/decide, wrk -t2 -c16 -d{result['wrk_seconds']}s --latency")
    print("| upstream | decision | req/s | p50 ms | p90 ms | p99 ms | non-2xx | socket errors |")
    print("|---|---|---|---|---|---|---|---|")
    for name, w in result["http"].items():
        lat = w["latency_ms"]
        print(
            f"| {name} | {w['decision']} | {w['requests_per_s']:,.0f} | {lat.get('p50')} "
            f"| {lat.get('p90')} | {lat.get('p99')} | {w['non_2xx']} "
            f"| {w['socket_errors'] or '-'} |"
        )
    print(f"\nSIP INVITE → 603 → ACK, sipp -t u1, {result['sip_seconds']} s per step")
    print(
        "| server | rate/s | achieved/s | ok | failed | retrans "
        "| mean ms | p50 ms | p99 ms | passed |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name in ("robotrace_sip", "kamailio_sip"):
        for s in (result[name] or {}).get("steps", []):
            print(
                f"| {name.removesuffix('_sip')} | {s['rate']} | {s['achieved_per_s']} "
                f"| {s['successful']} | {s['failed']} | {s['retransmissions']} "
                f"| {s['mean_ms']} | {s['p50_ms']} "
                f"| {s['p99_ms']} | {'yes' if s['passed'] else 'no'} |"
            )
    for name in ("robotrace_sip", "kamailio_sip"):
        if result[name]:
            r = result[name]
            print(
                f"{name}: max {r['max_rate']} calls/s, mean {r['mean_ms']} ms, p99 {r['p99_ms']} ms"
            )
    if "cpu_ratio" in result:
        print(
            f"CPU per call: robotrace {result['robotrace_cpu']['us_per_call']} µs (all its "
            f"processes), Kamailio {result['kamailio_cpu']['us_per_call']} µs: "
            f"Kamailio/robotrace {result['cpu_ratio']}"
        )
    if "ratio" in result:
        ratio = result["ratio"]
        print(
            f"robotrace/Kamailio: max rate {ratio['max_rate']}, "
            f"mean ×{ratio['mean']}, p99 ×{ratio['p99']} (SIPp's RTT file has whole ms)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sip-seconds", type=int, default=60, help="seconds per SIPp rate step")
    parser.add_argument("--wrk-seconds", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="10 s SIP steps, 5 s of wrk")
    parser.add_argument("--max-rate", type=int, default=RATES[-1], help="highest step, calls/s")
    parser.add_argument("--min-rate", type=int, default=RATES[0], help="lowest step, calls/s")
    parser.add_argument(
        "--refine", type=int, default=2, help="bisection steps after the first failing rate"
    )
    parser.add_argument("--kamailio-children", type=int, default=2, help="its UDP workers")
    parser.add_argument("--cpu-calls", type=int, default=30_000, help="calls for CPU per call")
    parser.add_argument("--cpu-rate", type=int, default=2000, help="their rate, calls/s")
    parser.add_argument("--no-kamailio", action="store_true")
    parser.add_argument("--keep-logs", help="a folder to copy the servers' logs into")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    if args.quick:
        args.sip_seconds, args.wrk_seconds = 10, 5
    result = run(args)
    if args.json:
        print(json.dumps(result))
    else:
        print_table(result)


if __name__ == "__main__":
    main()
