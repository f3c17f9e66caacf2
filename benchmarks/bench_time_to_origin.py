"""Time to the origin (issue 21): from ``POST /api/v1/tracebacks`` to ``origin_identified``
for a 5-hop chain through five ``robotrace agent --watch`` processes over real HTTP.

    .venv/bin/python benchmarks/bench_time_to_origin.py           # SQLite and PostgreSQL
    .venv/bin/python benchmarks/bench_time_to_origin.py --quick   # 10 tracebacks, 200 idle
    .venv/bin/python benchmarks/bench_time_to_origin.py --backends sqlite --idle 0 --json

1. Writes each provider of the chain ORGN → WHS1 → WHS2 → WHS3 → TERM its own canonical
   store (``--legs`` unrelated legs each, plus one leg per traced call, with the provider's
   own clock skew and number spelling): five folders, as five machines would have.
2. Per backend (a temporary SQLite file; on PostgreSQL a scratch schema of
   ``--database-url``, default ``ROBOTRACE_TEST_POSTGRES_URL``, dropped afterwards): the
   providers, a coordinator, one provider user and token per agent, and ``--idle`` more
   providers with one user and token each; ``robotrace serve`` (one worker on SQLite,
   ``--pg-workers`` on PostgreSQL, so that a hop made in one worker must reach an agent
   connected to another through LISTEN/NOTIFY); five ``robotrace agent --watch`` processes
   (default ``--interval`` of 60 s: the catch-up is a safety net, not what is timed).
3. Opens ``--tracebacks`` tracebacks one after the other (after ``--warmup`` untimed ones)
   and times each from just before its POST to its ``closed_at`` (both this machine's
   clock); the coordinator polls every ``--poll`` seconds only to know when to go on. Every
   traceback must end ``origin_identified`` with the true chain and customer.
4. With ``--idle N``: a helper process (``--hold-streams``) opens N more ``GET
   /api/v1/events`` streams — one per idle provider, so that ``agent_events_per_provider``
   (20 a worker) is never reached and the setting is left alone — held by asyncio tasks on
   one httpx client, each catching up from the API once ``ready`` as an agent does (hop,
   signer and batch requests); once all are, the same number of tracebacks is timed again.
   The server's process tree (RSS, threads) is sampled with the streams held.

Prints p50/p99/max per backend and phase, the median time per hop (hop requested → answered:
the event, the agent's catch-up, its lookup and its answer), and whether the targets (p50 ≤ 1 s,
p99 ≤ 2 s) are met. Every child process is bounded: agents and servers are stopped at the
end of their backend, the helper on a timeout, each traceback waits at most ``--timeout``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psutil

from bench_portal import _wait_until_up, free_port, fresh_store, stop
from robotrace.accounts.tokens import create_token
from robotrace.accounts.users import create_user
from robotrace.agent.client import Backoff, PortalClient
from robotrace.cdr.duck import connect, sql_text
from robotrace.cdr.schema import CDR_COLUMNS
from robotrace.cdr.store import write_provider_store
from robotrace.clock import SystemClock, format_utc
from robotrace.providers.registry import Provider
from robotrace.providers.store import upsert_providers
from robotrace.store.db import make_engine, transaction, upgrade

PATH = ("ORGN", "WHS1", "WHS2", "WHS3", "TERM")  # origin first
CUSTOMER = "Acme Outreach Ltd"
SKEW_S = {"ORGN": 1.2, "WHS1": -2.0, "WHS2": 3.1, "WHS3": -0.7, "TERM": 0.4}
SPELLINGS = {
    "ORGN": lambda n: n,  # E.164
    "WHS1": lambda n: n[2:],  # national
    "WHS2": lambda n: f"1-{n[2:5]}-{n[5:8]}-{n[8:]}",
    "WHS3": lambda n: f"tel:{n}",
    "TERM": lambda n: n[1:],  # 11 digits
}
T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
TARGET_P50_MS, TARGET_P99_MS = 1000.0, 2000.0
IDLE_PREFIX = "IDL"


# --- the providers' own records ----------------------------------------------------------


@dataclass(frozen=True)
class TracedCall:
    calling: str
    called: str
    when: datetime


def traced_calls(count: int) -> list[TracedCall]:
    """Distinct calls a minute apart (called numbers in exchange 555, which no unrelated
    leg uses)."""
    return [
        TracedCall(f"+1202555{n % 10_000:04d}", f"+1312555{n:04d}", T0 + timedelta(minutes=n))
        for n in range(count)
    ]


def traced_legs(ocn: str, calls: list[TracedCall]) -> list[dict[str, str]]:
    """``ocn``'s leg of each traced call: its upstream (or the customer), its own skew and
    spelling, 20 ms per hop from the origin."""
    at = PATH.index(ocn)
    spell = SPELLINGS[ocn]
    legs = []
    for n, call in enumerate(calls):
        when = call.when + timedelta(milliseconds=20 * at) + timedelta(seconds=SKEW_S[ocn])
        legs.append(
            {
                "provider": ocn,
                "call_time": when.isoformat().replace("+00:00", "Z"),
                "calling_number": spell(call.calling),
                "called_number": spell(call.called),
                "from_provider": PATH[at - 1] if at else "",
                "to_provider": PATH[at + 1] if at + 1 < len(PATH) else "",
                "customer": "" if at else CUSTOMER,
                "duration_s": "31",
                "disposition": "ANSWERED",
                "identity": "",
                "sip_call_id": f"traced-{n}@{ocn.lower()}.example",
                "trunk": "",
            }
        )
    return legs


def unrelated_legs_sql(ocn: str, legs: int) -> str:
    """``legs`` legs of other calls over the traced calls' day (exchanges 200–499)."""
    national = (
        "CAST(200 + hash(i) % 800 AS VARCHAR) || CAST(200 + hash(i * 3) % 300 AS VARCHAR) "
        "|| lpad(CAST(hash(i * 5) % 10000 AS VARCHAR), 4, '0')"
    )
    upstream = " ".join(f"WHEN {k} THEN '{p}'" for k, p in enumerate(PATH) if p != ocn)
    return f"""
      SELECT '{ocn}' AS provider,
        strftime(TIMESTAMPTZ '{T0.isoformat()}'
          + to_microseconds(CAST(hash(i * 7) % 86400000000 AS BIGINT)),
          '%Y-%m-%dT%H:%M:%S.%gZ') AS call_time,
        '+1' || CAST(2000000000 + hash(i * 11) % 7000000000 AS VARCHAR) AS calling_number,
        '+1' || {national} AS called_number,
        CASE WHEN hash(i * 13) % 4 = 0 THEN '' ELSE CASE hash(i) % 5 {upstream} ELSE 'OTHR' END
          END AS from_provider,
        '' AS to_provider,
        CASE WHEN hash(i * 13) % 4 = 0 THEN 'customer-' || CAST(hash(i) % 300 AS VARCHAR)
          ELSE '' END AS customer,
        '60' AS duration_s, 'ANSWERED' AS disposition, '' AS identity,
        'other-' || CAST(i AS VARCHAR) AS sip_call_id, '' AS trunk
      FROM range({legs}) t(i)"""


def write_stores(folder: Path, calls: list[TracedCall], legs: int) -> dict[str, Path]:
    """One folder per provider holding only its own canonical store file."""
    stores = {}
    for ocn in PATH:
        raw = folder / f"{ocn}-raw.csv"
        connection = connect()
        connection.execute(f"COPY ({unrelated_legs_sql(ocn, legs)}) TO {sql_text(str(raw))}")
        connection.close()
        with raw.open("a", newline="") as stream:
            csv.DictWriter(stream, fieldnames=list(CDR_COLUMNS)).writerows(traced_legs(ocn, calls))
        stores[ocn] = folder / "stores" / ocn
        write_provider_store([raw], stores[ocn])
        raw.unlink()
    return stores


# --- the portal --------------------------------------------------------------------------


def idle_key(n: int) -> str:
    return f"{IDLE_PREFIX}{n:04d}"


def prepare_portal(url: str, idle: int) -> dict[str, str]:
    """Providers, the coordinator, the agents' users and ``idle`` idle providers' users;
    read-write tokens by provider key (and ``coordinator``)."""
    engine = make_engine(url)
    upgrade(engine)
    clock = SystemClock()
    providers = [Provider(ocn, f"{ocn} Telecom", ocns=(ocn,)) for ocn in PATH]
    providers += [Provider(idle_key(n), f"Idle {n:04d} Telecom") for n in range(idle)]
    tokens = {}
    with transaction(engine) as session:
        upsert_providers(session, providers, clock)
        coordinator = create_user(session, "coord@bench.example", "coordinator", None)
        tokens["coordinator"], _ = create_token(session, coordinator, "bench", True, clock)
        for provider in providers:
            email = f"agent@{provider.key.lower()}.example"
            user = create_user(session, email, "provider", None, provider.key)
            tokens[provider.key], _ = create_token(session, user, "agent", True, clock)
    engine.dispose()
    return tokens


def robotrace(args: list[str], cwd: Path, log: Path, **env: str) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "robotrace.cli", *args],
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **env},
            start_new_session=True,
        )


def wait_until_logged(
    log: Path, text: str, process: subprocess.Popen[bytes], seconds: float
) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if log.exists() and text in log.read_text(errors="replace"):
            return
        if process.poll() is not None:
            raise RuntimeError(f"{log.name}: exited {process.returncode}:\n{_tail(log)}")
        time.sleep(0.05)
    raise RuntimeError(f"{log.name} never said {text!r} in {seconds:g} s:\n{_tail(log)}")


def _tail(log: Path, lines: int = 20) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


@contextlib.contextmanager
def agents(
    url: str, tokens: dict[str, str], stores: dict[str, Path], folder: Path
) -> Iterator[list[subprocess.Popen[bytes]]]:
    """The five ``robotrace agent --watch``, each connected to the event stream."""
    started = []
    try:
        for ocn in PATH:
            args = ["agent", "--watch", "--url", url, "--cdrs", str(stores[ocn])]
            args += ["--state", str(folder / f"{ocn}.state.json")]
            log = folder / f"{ocn}.agent.log"
            env = {"ROBOTRACE_AGENT_TOKEN": tokens[ocn]}
            started.append(robotrace(args, folder, log, **env))
        for ocn, process in zip(PATH, started, strict=True):
            wait_until_logged(folder / f"{ocn}.agent.log", "event stream connected", process, 60)
        yield started
    finally:
        for process in started:
            stop(process)


# --- timing the tracebacks --------------------------------------------------------------


def ms_between(start: datetime, end: datetime) -> float:
    return (end - start) / timedelta(milliseconds=1)


def parse_time(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def trace_one(
    coordinator: PortalClient, call: TracedCall, poll: float, timeout: float
) -> dict[str, Any]:
    """Open a traceback for ``call`` and wait until it closes: its time to the origin (POST
    sent → ``closed_at``), the time of each hop, and whether it found the true chain."""
    body = {
        "calling_number": call.calling,
        "called_number": call.called,
        "call_time": format_utc(call.when),
        "terminating_provider": "TERM",
    }
    sent = datetime.now(UTC)
    opened = coordinator.request("POST", "/tracebacks", json=body)
    if opened.status_code != 201:
        raise RuntimeError(f"POST /tracebacks: {opened.status_code} {opened.text[:300]}")
    tb_id = opened.json()["id"]
    deadline = time.monotonic() + timeout
    while True:
        tb = coordinator.request("GET", f"/tracebacks/{tb_id}").json()
        if tb["status"] == "closed" or time.monotonic() > deadline:
            break
        time.sleep(poll)
    return summarise(tb, sent)


def summarise(tb: dict[str, Any], sent: datetime) -> dict[str, Any]:
    chain = [hop["provider"] for hop in tb["hops"]]
    right = (
        tb["outcome"] == "origin_identified"
        and chain == list(reversed(PATH))
        and tb["customer"] == CUSTOMER
    )
    hops = [
        ms_between(parse_time(h["requested_at"]), parse_time(h["answered_at"]))
        for h in tb["hops"]
        if h["answered_at"]
    ]
    closed = tb["closed_at"]
    return {
        "id": tb["id"],
        "ms": ms_between(sent, parse_time(closed)) if closed else None,
        "hops_ms": hops,
        "to_first_hop_ms": ms_between(sent, parse_time(tb["hops"][0]["requested_at"])),
        "right": right,
        "outcome": tb["outcome"],
        "chain": chain,
    }


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    if not ordered:
        return {"p50_ms": float("nan"), "p99_ms": float("nan"), "max_ms": float("nan"), "n": 0}
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {
        "p50_ms": round(statistics.median(ordered), 1),
        "p99_ms": round(p99, 1),
        "max_ms": round(ordered[-1], 1),
        "n": len(ordered),
    }


def time_tracebacks(
    url: str, token: str, calls: list[TracedCall], warmup: int, args: argparse.Namespace
) -> dict[str, Any]:
    """``warmup`` untimed tracebacks, then the rest of ``calls`` timed, one at a time."""
    coordinator = PortalClient.connect(url, token, backoff=Backoff(base=0.1, cap=2), log=_say)
    try:
        results = []
        for n, call in enumerate(calls):
            result = trace_one(coordinator, call, args.poll, args.timeout)
            if n >= warmup:
                results.append(result)
            time.sleep(args.gap)
    finally:
        coordinator.close()
    finished = [r["ms"] for r in results if r["ms"] is not None and r["outcome"]]
    unfinished = len(results) - len(finished)
    # A traceback that did not close in time counts as the timeout in the percentiles.
    timed = finished + [args.timeout * 1000] * unfinished
    hops = [ms for r in results for ms in r["hops_ms"]]
    return {
        "time_to_origin": percentiles(timed),
        "per_hop": percentiles(hops),
        "post_to_first_hop": percentiles([r["to_first_hop_ms"] for r in results]),
        "not_closed": unfinished,
        "wrong": [r for r in results if not r["right"]][:5],
        "right": sum(r["right"] for r in results),
        "samples_ms": [round(ms, 1) for ms in timed],
    }


def targets_met(time_to_origin: dict[str, float]) -> dict[str, bool]:
    return {
        f"p50 <= {TARGET_P50_MS:g} ms": time_to_origin["p50_ms"] <= TARGET_P50_MS,
        f"p99 <= {TARGET_P99_MS:g} ms": time_to_origin["p99_ms"] <= TARGET_P99_MS,
    }


# --- the idle streams (a helper process) -------------------------------------------------


@contextlib.contextmanager
def idle_streams(
    url: str, tokens: list[str], folder: Path, seconds: float
) -> Iterator[dict[str, Any]]:
    """A ``--hold-streams`` helper holding one event stream per token until the block ends;
    yields its first report (how many are held)."""
    token_file = folder / "idle-tokens.txt"
    token_file.write_text("\n".join(tokens) + "\n")
    command = [sys.executable, __file__, "--hold-streams", str(token_file), "--url", url]
    command += ["--connect-within", str(seconds)]
    helper = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=(folder / "idle.log").open("wb"),
        text=True,
        start_new_session=True,
    )
    assert helper.stdout is not None and helper.stdin is not None
    report: dict[str, Any] = {}
    try:
        line = _line_within(helper, seconds + 30)
        report = json.loads(line) if line else {"held": 0, "error": "no report"}
        yield report
    finally:
        try:
            helper.stdin.close()  # the helper's signal to report and end
            last = _line_within(helper, 30)
            if last:
                report["at_end"] = json.loads(last)
            helper.wait(10)
        except (subprocess.TimeoutExpired, OSError, ValueError):
            pass
        if helper.poll() is None:
            os.killpg(helper.pid, 9)
            helper.wait()


def _line_within(process: subprocess.Popen[str], seconds: float) -> str:
    """The process's next stdout line, or "" if none comes within ``seconds``."""
    import selectors

    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(seconds):
            return ""
    return process.stdout.readline().strip()


@dataclass
class Held:
    ready: int = 0
    refused: int = 0
    lost: int = 0
    comments: int = 0
    events: int = 0
    catch_up_failed: int = 0


#: What an agent reads on every (re)connect before it idles (``Agent.poll_all``).
CATCH_UP = ("/api/v1/hop-requests", "/api/v1/signer-requests", "/api/v1/batch-requests")


async def hold_one(
    client: httpx.AsyncClient, token: str, held: Held, gate: asyncio.Semaphore
) -> None:
    """Hold one stream as an idle agent does: connect, catch up from the API once the
    portal says ``ready``, then read keep-alives; reconnect after a loss."""
    headers = {"Authorization": f"Bearer {token}"}
    while True:
        ready = False
        try:
            async with gate:  # at most so many connecting at once
                request = client.build_request("GET", "/api/v1/events", headers=headers)
                response = await client.send(request, stream=True)
            try:
                if response.status_code != 200:
                    held.refused += 1
                else:
                    async for line in response.aiter_lines():
                        if line.startswith(":"):
                            held.comments += 1
                        elif line == "event: ready":
                            await catch_up(client, headers, held)
                            ready = True
                            held.ready += 1
                        elif line.startswith("event:"):
                            held.events += 1
            finally:
                await response.aclose()
        except httpx.HTTPError:
            pass
        if ready:
            held.ready -= 1
            held.lost += 1
        await asyncio.sleep(2)


async def catch_up(client: httpx.AsyncClient, headers: dict[str, str], held: Held) -> None:
    for path in CATCH_UP:
        response = await client.get(path, params={"status": "open"}, headers=headers)
        if response.status_code != 200:
            held.catch_up_failed += 1


async def hold_streams(url: str, tokens: list[str], connect_within: float) -> None:
    held = Held()
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=0)
    timeout = httpx.Timeout(30.0, read=None)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=timeout) as client:
        gate = asyncio.Semaphore(500)
        tasks = [asyncio.create_task(hold_one(client, t, held, gate)) for t in tokens]
        started = time.monotonic()
        while held.ready < len(tokens) and time.monotonic() - started < connect_within:
            await asyncio.sleep(0.1)
        report = {"held": held.ready, "wanted": len(tokens), "refused": held.refused}
        report["catch_up_failed"] = held.catch_up_failed
        report["connect_s"] = round(time.monotonic() - started, 1)
        print(json.dumps(report), flush=True)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, sys.stdin.read)  # until the parent closes stdin
        final = {"held": held.ready, "lost": held.lost, "refused": held.refused}
        final["catch_up_failed"] = held.catch_up_failed
        final |= {"keepalive_comments": held.comments, "events": held.events}
        print(json.dumps(final), flush=True)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def raise_open_files() -> None:
    """The soft limit on open files up to the hard one: thousands of sockets."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def hold_main(args: argparse.Namespace) -> None:
    tokens = [t for t in Path(args.hold_streams).read_text().split() if t]
    raise_open_files()
    asyncio.run(hold_streams(args.url, tokens, args.connect_within))


def server_tree(pid: int) -> dict[str, Any]:
    """RSS, threads and processes of the server and its workers."""
    root = psutil.Process(pid)
    members = [root, *root.children(recursive=True)]
    rss = sum(p.memory_info().rss for p in members)
    threads = sum(p.num_threads() for p in members)
    return {"rss_mib": round(rss / 2**20, 1), "threads": threads, "processes": len(members)}


# --- one backend ------------------------------------------------------------------------


@contextlib.contextmanager
def serving(url: str, workers: int, token: str, folder: Path) -> Iterator[tuple[str, int]]:
    """``robotrace serve`` on ``url``; its base URL and process id (its workers are its
    children)."""
    port = free_port()
    args = ["serve", "--port", str(port), "--database-url", url, "--workers", str(workers)]
    server = robotrace(args, folder, folder / "serve.log")
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, token, server)
        yield base, server.pid
    finally:
        stop(server)


def run_backend(
    backend: str, database_url: str | None, stores: dict[str, Path], calls: list[TracedCall],
    args: argparse.Namespace,
) -> dict[str, Any]:  # fmt: skip
    workers = 1 if backend == "sqlite" else args.pg_workers
    per_phase = args.warmup + args.tracebacks
    result: dict[str, Any] = {"backend": backend, "workers": workers}
    with fresh_store(database_url) as url, tempfile.TemporaryDirectory(prefix="bench-tto-") as tmp:
        folder = Path(tmp)
        tokens = prepare_portal(url, args.idle)
        _say(f"{backend}: serving with {workers} worker(s)")
        with (
            serving(url, workers, tokens["coordinator"], folder) as (base, server_pid),
            agents(base, tokens, stores, folder),
        ):
            result["quiet"] = time_tracebacks(
                base, tokens["coordinator"], calls[:per_phase], args.warmup, args
            )
            result["quiet"]["server"] = server_tree(server_pid)
            _say(f"  quiet: {result['quiet']['time_to_origin']}")
            if args.idle:
                idle = [tokens[idle_key(n)] for n in range(args.idle)]
                with idle_streams(base, idle, folder, args.connect_within) as held:
                    _say(f"  idle streams: {held}")
                    result["idle"] = time_tracebacks(
                        base, tokens["coordinator"], calls[per_phase:], args.warmup, args
                    )
                    result["idle"]["streams"] = held  # "at_end" is added as the helper ends
                    result["idle"]["server"] = server_tree(server_pid)
                _say(f"  with {args.idle} idle: {result['idle']['time_to_origin']}")
    return result


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# --- the report -------------------------------------------------------------------------


def table(results: list[dict[str, Any]], idle: int) -> str:
    lines = [
        "| backend | idle streams | time to origin p50 / p99 / max | per hop p50 / p99 "
        "| right | targets (p50 ≤ 1 s, p99 ≤ 2 s) | server RSS, threads |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        for phase, streams in (("quiet", 0), ("idle", idle)):
            if phase not in r:
                continue
            p = r[phase]
            t, h = p["time_to_origin"], p["per_hop"]
            met = "met" if all(targets_met(t).values()) else "NOT met"
            held = p.get("streams", {}).get("held", streams) if streams else 0
            server = p.get("server") or {}
            lines.append(
                f"| {r['backend']} ×{r['workers']} | {held} | {t['p50_ms']:.0f} / "
                f"{t['p99_ms']:.0f} / {t['max_ms']:.0f} ms | {h['p50_ms']:.0f} / "
                f"{h['p99_ms']:.0f} ms | {p['right']}/{t['n']} | {met} | "
                f"{server.get('rss_mib', '?')} MiB, {server.get('threads', '?')} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("ROBOTRACE_TEST_POSTGRES_URL"),
        help="PostgreSQL server (a scratch schema is made and dropped); "
        "default ROBOTRACE_TEST_POSTGRES_URL",
    )
    parser.add_argument("--pg-workers", type=int, default=2, help="server workers on PostgreSQL")
    parser.add_argument("--tracebacks", type=int, default=50, help="timed per phase")
    parser.add_argument("--warmup", type=int, default=3, help="untimed tracebacks per phase")
    parser.add_argument("--idle", type=int, default=2000, help="idle streams held (0: none)")
    parser.add_argument("--legs", type=int, default=1_000_000, help="unrelated legs a provider")
    parser.add_argument("--poll", type=float, default=0.1, help="coordinator's poll, seconds")
    parser.add_argument("--gap", type=float, default=0.2, help="seconds between tracebacks")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per traceback")
    parser.add_argument("--connect-within", type=float, default=600.0,
                        help="seconds for the idle streams to connect")  # fmt: skip
    parser.add_argument("--quick", action="store_true",
                        help="10 tracebacks, 200 idle streams, 10^4 legs a provider")  # fmt: skip
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--hold-streams", metavar="TOKENS", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.hold_streams:
        hold_main(args)
        return
    if args.quick:
        args.tracebacks, args.warmup, args.idle, args.legs = 10, 1, 200, 10_000
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if "postgresql" in backends and not args.database_url:
        _say("postgresql skipped: no --database-url nor ROBOTRACE_TEST_POSTGRES_URL")
        backends.remove("postgresql")
    raise_open_files()  # the server's streams, too (its children inherit it)
    calls = traced_calls(2 * (args.warmup + args.tracebacks))
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-tto-stores-") as tmp:
        started = time.perf_counter()
        stores = write_stores(Path(tmp), calls, args.legs)
        _say(f"five stores of {args.legs:,} legs each in {time.perf_counter() - started:.1f} s")
        for backend in backends:
            url = None if backend == "sqlite" else args.database_url
            results.append(run_backend(backend, url, stores, calls, args))
    report = {
        "legs_per_provider": args.legs,
        "tracebacks": args.tracebacks,
        "idle": args.idle,
        "cores": os.cpu_count(),
        "results": results,
    }
    for r in results:
        for phase in ("quiet", "idle"):
            if phase in r:
                r[phase]["targets"] = targets_met(r[phase]["time_to_origin"])
    if args.json:
        print(json.dumps(report))
        return
    print(table(results, args.idle))


if __name__ == "__main__":
    main()
