"""The provider inbox and answer endpoints of a real ``robotrace serve``, with 10,000 open hops.

    .venv/bin/python benchmarks/bench_portal.py                        # temp SQLite file
    .venv/bin/python benchmarks/bench_portal.py --database-url \\
        postgresql+psycopg://robotrace:robotrace@127.0.0.1:5544/robotrace_test
    .venv/bin/python benchmarks/bench_portal.py --hops 2000 --requests 50 --wrk-seconds 3 --json

1. Builds a store (a temporary SQLite file, or a fresh schema in the PostgreSQL database of
   ``--database-url``, dropped afterwards): ``PROVIDERS`` providers, a provider user of
   ``BNCH`` with a read-write API token, and ``--hops`` tracebacks whose first hop another
   provider answered "upstream BNCH" and whose second hop is open at BNCH, plus as many
   open first hops at other providers (bulk-inserted rows, as the store would hold them),
   then ``ANALYZE``: without statistics PostgreSQL plans the inbox badly (≈ 45 ms, not 1.5).
2. Counts the SQL statements of one inbox, one request and one answer in-process (a
   SQLAlchemy ``before_cursor_execute`` listener on the app's engine).
3. Starts ``robotrace serve`` as a subprocess (on PostgreSQL once with 1 worker and once,
   on a fresh store, with 2) and times, sequentially with httpx: the inbox
   ``GET /api/v1/hop-requests?status=open`` (first page), one request
   ``GET /api/v1/hop-requests/{id}`` and ``POST /api/v1/hop-requests/{id}/answer``
   (``not_found`` with a note, each on another open hop), ``--requests`` of each.
4. Runs ``wrk -t2 -c16 -d{--wrk-seconds}s --latency`` on the inbox and reports requests/s
   and wrk's latency distribution.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, event, insert, make_url, select, text

from robotrace.accounts.tokens import create_token
from robotrace.accounts.users import create_user
from robotrace.clock import SystemClock
from robotrace.providers.registry import Provider
from robotrace.providers.store import upsert_providers
from robotrace.store import models
from robotrace.store.db import make_engine, transaction, upgrade
from robotrace.traceback.model import Answer, Status

BENCH_OCN = "BNCH"
PROVIDERS = 50
INBOX = "/api/v1/hop-requests?status=open"
ANSWER = {"answer": "not_found", "note": "no CDR at that minute (benchmark)"}


# --- the store -------------------------------------------------------------------------


@contextmanager
def fresh_store(database_url: str | None) -> Iterator[str]:
    """The URL of an empty database: a temporary SQLite file, or a new PostgreSQL schema."""
    if database_url is None or database_url.startswith("sqlite"):
        with tempfile.TemporaryDirectory(prefix="bench-portal-") as tmp:
            yield f"sqlite:///{Path(tmp) / 'portal.db'}"
        return
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    # The application name marks this run's connections, to end stragglers before the drop.
    query = {"options": f"-csearch_path={schema}", "application_name": schema}
    url = make_url(database_url).update_query_dict(query)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE application_name = :name"
                ),
                {"name": schema},
            )
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _providers() -> list[Provider]:
    others = [Provider(f"P{n:03d}", f"Provider {n:03d}") for n in range(1, PROVIDERS)]
    return [Provider(BENCH_OCN, "Bench Wholesale"), *others]


def _traceback_row(n: int, opened: datetime, terminating_id: int) -> dict[str, Any]:
    return {
        "id": f"TB-{n:06d}",
        "call_id": None,
        "calling_number": f"+1202555{n % 10_000:04d}",
        "called_number": f"+1312{n:07d}",
        "call_time": opened - timedelta(hours=20),
        "terminating_provider_id": terminating_id,
        "campaign_id": None,
        "status": Status.OPEN,
        "outcome": None,
        "opened_at": opened,
        "closed_at": None,
    }


def _hop_row(tb_id: str, position: int, provider_id: int, requested: datetime) -> dict[str, Any]:
    return {
        "traceback_id": tb_id,
        "position": position,
        "provider_id": provider_id,
        "requested_at": requested,
        "due_at": requested + timedelta(hours=24),
        "answer": None,
        "answered_at": None,
        "upstream_provider_id": None,
        "customer": None,
        "note": "",
        "late": False,
    }


def _chains(hops: int, ids: dict[str, int], seed: int) -> tuple[list[dict], list[dict]]:
    """``hops`` tracebacks answered upstream→BNCH at hop 0, open at BNCH at hop 1, and as many
    more open at hop 0 at the other providers."""
    rng, now = random.Random(seed), datetime.now(UTC)
    others = [i for ocn, i in ids.items() if ocn != BENCH_OCN]
    tracebacks, hop_rows = [], []
    for n in range(1, 2 * hops + 1):
        opened = now - timedelta(minutes=rng.uniform(60, 20 * 60))
        terminating = rng.choice(others)
        tb = _traceback_row(n, opened, terminating)
        tracebacks.append(tb)
        first = _hop_row(tb["id"], 0, terminating, opened)
        hop_rows.append(first)
        if n <= hops:
            asked = opened + timedelta(minutes=rng.uniform(1, 50))
            first.update(answer=Answer.UPSTREAM, answered_at=asked)
            first["upstream_provider_id"] = ids[BENCH_OCN]
            hop_rows.append(_hop_row(tb["id"], 1, ids[BENCH_OCN], asked))
    return tracebacks, hop_rows


def seed_store(url: str, hops: int, seed: int = 7) -> tuple[str, list[int]]:
    """Fill the store; returns BNCH's read-write token and its open hops' ids."""
    engine = make_engine(url)
    upgrade(engine)
    clock = SystemClock()
    with transaction(engine) as session:
        upsert_providers(session, _providers(), clock)
        user = create_user(session, "noc@bnch.example", "provider", None, BENCH_OCN)
        token, _ = create_token(session, user, "bench", True, clock)
        rows = session.execute(select(models.Provider.key, models.Provider.id))
        ids = {ocn: provider_id for ocn, provider_id in rows}
    tracebacks, hop_rows = _chains(hops, ids, seed)
    with engine.begin() as connection:
        connection.execute(insert(models.Traceback.__table__), tracebacks)
        connection.execute(insert(models.Hop.__table__), hop_rows)
        hop_ids = list(
            connection.scalars(
                select(models.Hop.id)
                .where(models.Hop.provider_id == ids[BENCH_OCN])
                .order_by(models.Hop.id)
            )
        )
    with engine.begin() as connection:  # planner statistics, as a store in use would have
        connection.execute(text("ANALYZE"))
    engine.dispose()
    return token, hop_ids


# --- SQL statements per request, in-process ----------------------------------------------


def count_statements(url: str, token: str, hop_id: int) -> dict[str, dict[str, int]]:
    """Statements the app runs for one inbox page, one request and one answer (on ``hop_id``)."""
    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

    from robotrace.web.app import create_app

    app = create_app(url)
    executed: list[str] = []
    event.listen(app.state.engine, "before_cursor_execute", lambda *a: executed.append(a[2]))
    client = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    calls: dict[str, Callable[[], httpx.Response]] = {
        "inbox": lambda: client.get(INBOX),
        "request": lambda: client.get(f"/api/v1/hop-requests/{hop_id}"),
        "answer": lambda: client.post(f"/api/v1/hop-requests/{hop_id}/answer", json=ANSWER),
    }
    counted = {}
    for name, call in calls.items():
        executed.clear()
        response = call()
        response.raise_for_status()
        body = response.json()
        counted[name] = {
            "statements": len(executed),
            "items": len(body) if isinstance(body, list) else 1,
            "total": int(response.headers.get("x-total-count", -1)),
        }
    app.state.engine.dispose()
    return counted


# --- the real server ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(base: str, token: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("robotrace serve exited; see its log")
        try:
            headers = {"Authorization": f"Bearer {token}"}
            if httpx.get(f"{base}/api/v1/me", headers=headers, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError(f"{base} did not answer in 60 s")


@contextmanager
def serving(url: str, workers: int, token: str, log: Path) -> Iterator[str]:
    """``robotrace serve`` on ``url`` in a subprocess; yields its base URL."""
    port = free_port()
    args = ["serve", "--port", str(port), "--database-url", url, "--workers", str(workers)]
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "robotrace.cli", *args],
            cwd=log.parent,  # anything the server writes stays in the temporary directory
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the workers stop with it
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, token, server)
        yield base
    finally:
        stop(server)


def stop(server: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's process group (uvicorn and its workers), SIGKILL if need be."""
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


# --- timing ------------------------------------------------------------------------------


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p99_ms": round(p99, 2),
        "n": len(ordered),
    }


def _timed(send: Callable[[], httpx.Response]) -> float:
    started = time.perf_counter()
    response = send()
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"{response.request.url}: {response.status_code} {response.text}")
    return elapsed


def time_endpoints(base: str, token: str, hop_ids: list[int], requests: int) -> dict[str, Any]:
    """p50/p99 of the inbox, one request and one answer (each answer on another open hop)."""
    if len(hop_ids) < 2 * requests:
        raise SystemExit(f"--requests {requests} needs at least {2 * requests} open hops")
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
        first = http.get(INBOX)
        inbox = [_timed(lambda: http.get(INBOX)) for _ in range(requests)]
        asked = hop_ids[requests : 2 * requests]
        one = [_timed(lambda i=i: http.get(f"/api/v1/hop-requests/{i}")) for i in asked]
        answered = hop_ids[:requests]
        answers = [
            _timed(lambda i=i: http.post(f"/api/v1/hop-requests/{i}/answer", json=ANSWER))
            for i in answered
        ]
    return {
        "inbox_items": len(first.json()),
        "inbox_bytes": len(first.content),
        "inbox": percentiles(inbox),
        "request": percentiles(one),
        "answer": percentiles(answers),
    }


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()  # type: ignore[union-attr]
    return round(float(number) * _UNITS_MS[unit], 2)


def parse_wrk(output: str) -> dict[str, Any]:
    """Requests/s, the latency distribution and the error counts from ``wrk --latency``."""
    result: dict[str, Any] = {
        "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        "latency_ms": {
            f"p{p}": _ms(v) for p, v in re.findall(r"^\s+(\d+)%\s+([\d.]+\w+)\s*$", output, re.M)
        },
    }
    total = re.search(r"(\d+) requests in ([\d.]+\w+)", output)
    result["requests"] = int(total.group(1)) if total else None
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    result["non_2xx"] = int(non_2xx.group(1)) if non_2xx else 0
    errors = re.search(r"Socket errors: (.*)", output)
    result["socket_errors"] = errors.group(1).strip() if errors else ""
    return result


def run_wrk(base: str, token: str, seconds: int) -> dict[str, Any]:
    wrk = shutil.which("wrk") or "/usr/bin/wrk"
    command = [wrk, "-t2", "-c16", f"-d{seconds}s", "--latency"]
    command += ["-H", f"Authorization: Bearer {token}", base + INBOX]
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60)
    return parse_wrk(done.stdout)


# --- one configuration -------------------------------------------------------------------


def backend_of(database_url: str | None) -> str:
    return "sqlite" if database_url is None or database_url.startswith("sqlite") else "postgresql"


def run(database_url: str | None, workers: int, args: argparse.Namespace) -> dict[str, Any]:
    """Build a store, count statements, serve it, time the endpoints, run wrk."""
    with fresh_store(database_url) as url, tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        token, hop_ids = seed_store(url, args.hops)
        seed_s = time.perf_counter() - started
        statements = count_statements(url, token, hop_ids[-1])
        with serving(url, workers, token, Path(tmp) / "serve.log") as base:
            timings = time_endpoints(base, token, hop_ids[:-1], args.requests)
            wrk = run_wrk(base, token, args.wrk_seconds)
    return {
        "backend": backend_of(database_url),
        "workers": workers,
        "open_hops": len(hop_ids),
        "seed_s": round(seed_s, 1),
        "statements": statements,
        **timings,
        "wrk": wrk,
    }


def _row(r: dict[str, Any]) -> str:
    lat = r["wrk"]["latency_ms"]
    cells = [
        f"{r['backend']} ×{r['workers']}",
        f"{r['inbox_items']}",
        f"{r['statements']['inbox']['statements']}",
        *(f"{r[k]['p50_ms']} / {r[k]['p99_ms']}" for k in ("inbox", "request", "answer")),
        f"{r['wrk']['requests_per_s']:.0f}",
        f"{lat.get('p50', '?')} / {lat.get('p99', '?')}",
        f"{r['wrk']['non_2xx']}",
    ]
    return "| " + " | ".join(cells) + " |"


def print_table(results: list[dict[str, Any]]) -> None:
    print(
        "| backend | inbox items | SQL / inbox | inbox p50 / p99 ms | request p50 / p99 ms "
        "| answer p50 / p99 ms | wrk req/s | wrk p50 / p99 ms | wrk non-2xx |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(_row(r))
    for r in results:
        counted = ", ".join(f"{k} {v['statements']}" for k, v in r["statements"].items())
        print(f"{r['backend']} ×{r['workers']}: SQL statements per request: {counted}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL URL (default: a temp SQLite file)")
    parser.add_argument("--hops", type=int, default=10_000, help="open hops at the provider")
    parser.add_argument("--requests", type=int, default=300, help="timed requests of each kind")
    parser.add_argument("--wrk-seconds", type=int, default=10)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    workers = [1] if backend_of(args.database_url) == "sqlite" else [1, 2]
    results = []
    for count in workers:
        results.append(run(args.database_url, count, args))
        print(json.dumps(results[-1]), file=sys.stderr)  # kept, should a later run fail
    if args.json:
        print(json.dumps({"hops": args.hops, "requests": args.requests, "runs": results}))
        return
    print_table(results)


if __name__ == "__main__":
    main()
