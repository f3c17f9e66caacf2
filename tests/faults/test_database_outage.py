"""PostgreSQL stopped and started under a running portal and a running worker.

Each part has a throwaway cluster of its own (:mod:`tests.faults.pg_cluster`) and a real
``robotrace serve`` or ``robotrace worker`` subprocess on it; the tests stop the server
(``pg_ctl -m fast``: sessions ended, or ``-m immediate``: the server killed) and start it
again on the same port. While it is down the portal answers 503 — JSON with ``Retry-After``
from the API, an HTML page for pages, ``/healthz`` says the database is unreachable — never
a 500, and the process stays up; once it is back the very next requests succeed, without a
restart. A write in flight when the server died leaves nothing behind. The worker logs one
error per outage, keeps polling with back-off, and delivers what was queued once the server
is back.

``pytest -s`` prints each test's figures (``[outage] …``).
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from aiosmtpd.controller import Controller
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.exc import OperationalError

from robotrace.accounts import passwords
from robotrace.accounts.tokens import create_token
from robotrace.accounts.users import user_by_email
from robotrace.clock import SystemClock
from robotrace.notify.queue import queue_hop_notifications
from robotrace.settings import Settings
from robotrace.store import db, models
from robotrace.store.db import make_engine, transaction, upgrade
from robotrace.traceback import service
from robotrace.web.app import create_app
from tests.faults.pg_cluster import Cluster, throwaway_cluster
from tests.notify.conftest import Mailbox
from tests.support import free_port, settings_policy, wait_for, wait_until_up
from tests.web.conftest import CALL, seed_world, sign_in

COORDINATOR = "coord@example.org"
NEW_TRACEBACK = {
    "calling_number": "+12025550143",
    "called_number": "+13125550199",
    "call_time": "2020-04-30T15:04:05Z",
    "terminating_provider": "AAAA",
}
UNAVAILABLE = "database unavailable, try again"
WORKER_INTERVAL = 0.2


def report(test: str, **figures: object) -> None:
    print(f"\n[outage] {test}: " + " ".join(f"{k}={v}" for k, v in figures.items()), flush=True)


def light_hasher() -> PasswordHasher:
    """argon2 at its lightest, as in the web tests (each hash records its parameters, so the
    portal verifies them as fast)."""
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passwords, "_HASHER", light_hasher())


@pytest.fixture
def pg_cluster() -> Iterator[Cluster]:
    with throwaway_cluster() as cluster:
        upgrade(cluster.url)
        yield cluster


@pytest.fixture
def store(pg_cluster: Cluster) -> Iterator[Engine]:
    """The test's own engine on the cluster (for seeding and for checking with SQL)."""
    engine = make_engine(pg_cluster.url)
    yield engine
    engine.dispose()


@contextmanager
def running(args: list[str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """``python -m robotrace.cli ARGS`` in the background (with this process's environment:
    the settings), its output in ``log``."""
    with open(log, "ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "robotrace.cli", *args],
            stdout=output,
            stderr=subprocess.STDOUT,
            cwd=log.parent,
        )
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def portal(url: str, folder: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``robotrace serve`` on ``url``; yields its base URL and process once it answers."""
    base = f"http://127.0.0.1:{free_port()}"
    args = ["serve", "--port", base.rsplit(":", 1)[1], "--database-url", url, "--no-migrate"]
    with running(args, folder / "serve.log") as process:
        wait_until_up(f"{base}/healthz", process, log=folder / "serve.log")
        yield base, process


def api_token(engine: Engine, email: str) -> str:
    with transaction(engine) as session:
        user = user_by_email(session, email)
        assert user is not None
        token, _ = create_token(session, user, "outage test", True, SystemClock())
    return token


def count(engine: Engine, model: type) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(model)))


# --- the portal ---------------------------------------------------------------------------


@dataclass
class Served:
    """The portal on its own cluster, and three clients: anonymous, the coordinator's API
    token, the coordinator's signed-in browser session."""

    cluster: Cluster
    store: Engine
    process: subprocess.Popen[bytes]
    log: Path
    anonymous: httpx.Client
    api: httpx.Client
    browser: httpx.Client


@pytest.fixture(scope="module")
def shared_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with throwaway_cluster() as cluster, pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "_HASHER", light_hasher())
        upgrade(cluster.url)
        store = make_engine(cluster.url)
        seed_world(store, SystemClock())
        token = api_token(store, COORDINATOR)
        folder = tmp_path_factory.mktemp("portal")
        with portal(cluster.url, folder) as (base, process):
            clients = [
                httpx.Client(base_url=base, timeout=30),
                httpx.Client(
                    base_url=base, timeout=30, headers={"Authorization": f"Bearer {token}"}
                ),
                sign_in(httpx.Client(base_url=base, timeout=30), COORDINATOR),  # type: ignore[arg-type]
            ]
            yield Served(cluster, store, process, folder / "serve.log", *clients)
            for client in clients:
                client.close()
        store.dispose()


@pytest.fixture
def served(shared_portal: Served) -> Served:
    """The shared portal, its database running (a failed test may have left it stopped)."""
    if not shared_portal.cluster.running():
        shared_portal.cluster.start()
    return shared_portal


def probe(served: Served) -> dict[str, httpx.Response]:
    """One request of each kind: API reads and a write, pages, the health check, metrics."""
    anonymous, api, browser = served.anonymous, served.api, served.browser
    return {
        "GET /api/v1/me": api.get("/api/v1/me"),
        "GET /api/v1/tracebacks/TB-000001": api.get("/api/v1/tracebacks/TB-000001"),
        "POST /api/v1/tracebacks": api.post("/api/v1/tracebacks", json=NEW_TRACEBACK),
        "GET /api/v1/blocklist": anonymous.get("/api/v1/blocklist"),
        "GET /tracebacks (page)": browser.get("/tracebacks"),
        "GET /tracebacks/TB-000001 (page)": browser.get("/tracebacks/TB-000001"),
        "GET /login (page)": anonymous.get("/login"),
        "GET /healthz": anonymous.get("/healthz"),
        "GET /metrics": anonymous.get("/metrics"),
    }


def assert_unavailable(name: str, response: httpx.Response) -> None:
    assert response.status_code == 503, (name, response.status_code, response.text[:500])
    assert int(response.headers["retry-after"]) > 0, name
    if name.startswith(("GET /api/", "POST /api/")):
        assert response.json() == {"detail": UNAVAILABLE}, name
    elif "(page)" in name:
        assert response.headers["content-type"].startswith("text/html"), name
        assert "database is unavailable" in response.text, name
        assert "Traceback" not in response.text, name


@pytest.mark.postgres
def test_the_portal_answers_503_while_postgresql_is_down_and_recovers_without_a_restart(
    served: Served,
):
    before = probe(served)
    assert before["GET /api/v1/me"].status_code == 200
    assert before["GET /tracebacks (page)"].status_code == 200
    assert before["GET /healthz"].json() == {"status": "ok", "database": "reachable"}

    statuses: dict[str, list[int]] = {}
    # The third outage passes unnoticed (no request meanwhile): only the pool's pre-ping
    # keeps the first request after it from using a connection of the old server.
    for mode, asked in (("fast", True), ("immediate", True), ("fast", False)):
        served.cluster.stop(mode)
        if asked:
            during = probe(served)
            for name, response in during.items():
                statuses.setdefault(name, []).append(response.status_code)
                if name != "GET /login (page)":  # the sign-in form needs no database
                    assert_unavailable(name, response)
            unreachable = {"status": "unavailable", "database": "unreachable"}
            assert during["GET /healthz"].json() == unreachable
        assert served.process.poll() is None, "the portal exited"

        served.cluster.start()
        started = time.monotonic()
        # The very next requests succeed: the pool drops its dead connections by itself.
        assert served.api.get("/api/v1/me").status_code == 200
        recovered_in = time.monotonic() - started
        assert served.browser.get("/tracebacks").status_code == 200
        assert served.anonymous.get("/healthz").status_code == 200
        assert served.api.get("/api/v1/tracebacks/TB-000001").status_code == 200
        report("portal", stop=mode, asked_during=asked, first_200_s=f"{recovered_in:.3f}")

    log = served.log.read_text()
    assert "Traceback (most recent call last)" not in log
    assert "Exception in ASGI application" not in log
    report("portal", outages=3, statuses_during=statuses, restarts=0)


def waiting_on_a_lock(connection) -> int | None:
    """The pid of a session waiting on a lock (the portal's request or the worker's pass)."""
    connection.execute(text("SELECT pg_stat_clear_snapshot()"))  # fresh, not the cached view
    return connection.scalar(
        text("SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' LIMIT 1")
    )


def holds_row_lock(connection, pid: int, table: str) -> bool:
    return bool(
        connection.scalar(
            text(
                "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
                " WHERE l.pid = :pid AND c.relname = :table AND l.mode = 'RowExclusiveLock'"
                " AND l.granted"
            ),
            {"pid": pid, "table": table},
        )
    )


@pytest.mark.postgres
def test_a_write_in_flight_when_postgresql_dies_is_not_half_applied(
    served: Served,
):
    store, api = served.store, served.api
    tracebacks, hops = count(store, models.Traceback), count(store, models.Hop)
    audit = count(store, models.AuditEvent)
    answer: dict[str, httpx.Response] = {}
    locker = create_engine(served.cluster.url)
    with locker.connect() as connection:
        # Hops may be read but not written: the request inserts its traceback, then waits.
        connection.exec_driver_sql("LOCK TABLE hops IN SHARE MODE")
        post = threading.Thread(
            target=lambda: answer.update(post=api.post("/api/v1/tracebacks", json=NEW_TRACEBACK))
        )
        post.start()
        wait_for(lambda: waiting_on_a_lock(connection), 10, "the request waits for the lock")
        pid = waiting_on_a_lock(connection)
        assert holds_row_lock(connection, pid, "tracebacks"), "the request wrote its traceback"
        served.cluster.stop("immediate")
        connection.invalidate()  # gone with the server
        post.join(timeout=30)
    locker.dispose()
    assert answer["post"].status_code == 503
    assert answer["post"].json() == {"detail": UNAVAILABLE}

    served.cluster.start()
    store.dispose()  # the test's own pool holds connections of the old server
    assert (count(store, models.Traceback), count(store, models.Hop)) == (tracebacks, hops)
    assert count(store, models.AuditEvent) == audit
    again = api.post("/api/v1/tracebacks", json=NEW_TRACEBACK)
    assert again.status_code == 201, again.text
    assert (count(store, models.Traceback), count(store, models.Hop)) == (tracebacks + 1, hops + 1)
    report(
        "in-flight write",
        during=answer["post"].status_code,
        tracebacks_before_and_after_recovery=tracebacks,
        retry=again.status_code,
    )


# --- the worker ---------------------------------------------------------------------------

WORKER_SETTINGS = {
    "ROBOTRACE_BASE_URL": "https://portal.example",
    "ROBOTRACE_MAIL_FROM": "robotrace <robotrace@portal.example>",
    "ROBOTRACE_NO_RESPONSE_GRACE_HOURS": "off",
    "ROBOTRACE_NOTIFY_TIMEOUT_SECONDS": "3",
    "ROBOTRACE_SMTP_HOST": "127.0.0.1",
}


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    """A real SMTP server that keeps every message; the settings point at it."""
    mailbox = Mailbox(free_port())
    controller = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port)
    controller.start()
    for name, value in {**WORKER_SETTINGS, "ROBOTRACE_SMTP_PORT": str(mailbox.port)}.items():
        monkeypatch.setenv(name, value)
    yield mailbox
    controller.stop()


def lines(log: Path, words: str) -> int:
    return sum(words in line for line in log.read_text().splitlines())


def pending(engine: Engine) -> int:
    with engine.connect() as connection:
        query = select(func.count()).where(models.Notification.status == "pending")
        return int(connection.scalar(query))


@pytest.mark.postgres
def test_the_worker_logs_each_outage_once_and_delivers_the_queue_when_postgresql_is_back(
    pg_cluster: Cluster, store: Engine, smtp: Mailbox, tmp_path: Path
):
    seed_world(store, SystemClock())  # a traceback whose first hop is open at AAAA
    with transaction(store) as session:  # and one at BBBB
        service.open_traceback(
            session, CALL, "BBBB", "coordinator:outage", SystemClock(), policy=settings_policy()
        )
    queued = queue_hop_notifications(store, SystemClock(), Settings.from_environ())
    assert queued >= 2
    log = tmp_path / "worker.log"
    args = ["worker", "--interval", str(WORKER_INTERVAL), "--database-url", pg_cluster.url]
    locker = create_engine(pg_cluster.url)
    connection = locker.connect()
    # Outage 1 hits a pass in flight: it waits to claim the queued messages, and dies.
    connection.exec_driver_sql("LOCK TABLE notifications IN SHARE MODE")
    with running(args, log) as worker:
        wait_for(lambda: waiting_on_a_lock(connection), 20, "the worker's pass waits")
        pg_cluster.stop("immediate")
        connection.invalidate()  # gone with the server
        locker.dispose()
        figures = [outage(pg_cluster, worker, log, 1)]
        wait_for(lambda: len(smtp.messages) >= queued, 15, "the queued messages are delivered")
        delivered_in = time.monotonic() - figures[0]["started"]
        assert len(smtp.messages) == queued, "each queued message exactly once"
        store.dispose()
        assert pending(store) == 0

        # Outage 2 hits an idle worker; what is queued after it goes out too.
        pg_cluster.stop("fast")
        figures.append(outage(pg_cluster, worker, log, 2))
        with transaction(store) as session:
            service.open_traceback(
                session, CALL, "AAAA", "coordinator:outage", SystemClock(), policy=settings_policy()
            )
        wait_for(lambda: len(smtp.messages) > queued, 15, "the new hop request is sent")
        assert worker.poll() is None, "the worker exited"
    text_of_log = log.read_text()
    assert lines(log, "database unavailable") == 2, text_of_log
    assert lines(log, "database reachable again") == 2, text_of_log
    assert "Traceback (most recent call last)" not in text_of_log
    report(
        "worker",
        outages=2,
        failed_passes=[f["failed_passes"] for f in figures],
        error_lines_per_outage=1,
        queued_before_outage=queued,
        delivered=queued,
        delivered_after_start_s=f"{delivered_in:.2f}",
    )


def outage(
    cluster: Cluster, worker: subprocess.Popen[bytes], log: Path, number: int
) -> dict[str, float]:
    """Keep the server down while the worker fails a few passes; then start it again."""
    wait_for(lambda: lines(log, "database unavailable") >= number, 15, "the worker says so")
    time.sleep(8 * WORKER_INTERVAL)  # a few more passes fail, quietly
    assert worker.poll() is None, "the worker exited"
    assert lines(log, "database unavailable") == number, "one error line per outage"
    cluster.start()
    started = time.monotonic()
    wait_for(lambda: lines(log, "database reachable again") >= number, 15, "the worker recovers")
    last = [line for line in log.read_text().splitlines() if "reachable again" in line][-1]
    return {"started": started, "failed_passes": float(last.split("after ")[-1].split()[0])}


# --- SQLite: the file locked for longer than the busy timeout ------------------------------


def test_a_sqlite_store_locked_for_long_answers_503_and_recovers_when_released(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 200)  # wait 0.2 s for the lock, not 5
    url = f"sqlite:///{tmp_path / 'robotrace.db'}"
    store = make_engine(url)
    upgrade(store)
    seed_world(store, SystemClock())
    token = api_token(store, COORDINATOR)
    store.dispose()
    app = create_app(url)
    api = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    assert api.get("/api/v1/me").status_code == 200

    holder = sqlite3.connect(tmp_path / "robotrace.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process writing, and writing, and writing
    during = {
        "GET /api/v1/me": api.get("/api/v1/me"),
        "POST /api/v1/tracebacks": api.post("/api/v1/tracebacks", json=NEW_TRACEBACK),
        "GET /healthz": api.get("/healthz"),
        "GET /login (page)": api.get("/login"),
    }
    holder.execute("ROLLBACK")
    holder.close()
    for name, response in during.items():  # every transaction starts by taking the lock
        assert_unavailable(name, response)

    assert api.get("/api/v1/me").status_code == 200
    assert api.post("/api/v1/tracebacks", json=NEW_TRACEBACK).status_code == 201
    app.state.engine.dispose()
    report("sqlite locked", statuses_during={k: r.status_code for k, r in during.items()})


# --- what counts as an outage -------------------------------------------------------------


def test_a_mistake_in_sql_is_still_a_500_not_an_outage(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'robotrace.db'}"
    upgrade(url)
    app = create_app(url)

    @app.get("/api/v1/broken")
    def broken() -> None:
        with app.state.engine.connect() as connection:
            connection.execute(text("SELECT * FROM no_such_table"))

    response = TestClient(app, raise_server_exceptions=False).get("/api/v1/broken")
    assert response.status_code == 500
    assert not db.is_unavailable(
        OperationalError("SELECT", {}, sqlite3.OperationalError("no such table: x"))
    )
    assert db.is_unavailable(
        OperationalError("BEGIN", {}, sqlite3.OperationalError("database is locked"))
    )
    app.state.engine.dispose()
