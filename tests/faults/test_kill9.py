"""``kill -9`` in the middle of the work: an evidence import, a worker's deliveries, a provider's
hop answer. After a restart nothing is lost and nothing is stored twice; what can arrive twice
(the one message in flight when its worker died) arrives with the same Message-ID /
``X-Robotrace-Delivery``, so receivers can drop it (docs/notifications.md#when-a-worker-dies).

The processes are the real ones (``robotrace evidence import``, ``robotrace worker``,
``robotrace serve``) on a file SQLite database and on PostgreSQL; what they left behind is read
with plain SQL, pyarrow and the csv module, not through robotrace. Each test prints its
figures (``pytest -s``): rounds, kills, rows or messages checked, losses, duplicates.
"""

from __future__ import annotations

import json
import random
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pyarrow.parquet as pq
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import Engine, text

from robotrace.accounts.tokens import create_token
from robotrace.accounts.users import create_user
from robotrace.clock import SimulatedClock, SystemClock
from robotrace.notify import outbox
from robotrace.notify.outbox import enqueue
from robotrace.notify.queue import queue_hop_notifications
from robotrace.providers.registry import Provider
from robotrace.providers.store import upsert_providers
from robotrace.settings import Settings
from robotrace.store import models
from robotrace.store.db import session_factory, transaction
from robotrace.traceback import service
from robotrace.traceback.model import CallUnderTrace
from tests.faults.kill_helpers import (
    HONEYPOT_OCN,
    Hooks,
    Mailbox,
    Process,
    Traps,
    csv_rows,
    duplicates,
    report,
    run,
    start,
    start_hooks,
    write_ftc_csv,
    write_honeypot_csv,
)
from tests.support import free_port, settings_policy, wait_for

# --- an evidence import ---------------------------------------------------------------------


@dataclass(frozen=True)
class ImportCase:
    complaints: int  # FTC rows in each of two files
    calls: int  # honeypot rows
    random_kills: int


@dataclass
class ImportRun:
    db_url: str
    analytics: Path
    files: list[Path]
    log: Path
    leftovers: int = 0  # temporary files found right after the kills

    def args(self) -> list[str]:
        paths = [str(p) for p in self.files]
        return ["evidence", "import", *paths, "--analytics-dir", str(self.analytics),
                "--database-url", self.db_url, "--json"]  # fmt: skip

    def complaints_folder(self) -> Path:
        return self.analytics / "complaints"

    def entries(self) -> list[Path]:
        folder = self.complaints_folder()
        return sorted(folder.iterdir()) if folder.is_dir() else []


def _import_files(engine: Engine, tmp_path: Path, case: ImportCase) -> list[Path]:
    with transaction(engine) as session:
        upsert_providers(session, [Provider(HONEYPOT_OCN, "Honeypot Telco")], SystemClock())
    files = [tmp_path / "ftc-a.csv", tmp_path / "ftc-b.csv", tmp_path / "honeypot.csv"]
    write_ftc_csv(files[0], case.complaints)
    write_ftc_csv(files[1], case.complaints, first=case.complaints)
    write_honeypot_csv(files[2], case.calls)
    return files


def _kill_when(job: ImportRun, moment: str, rng: random.Random) -> bool:
    """Start the import and SIGKILL it at ``moment``; False when it finished first."""
    process = start(job.args(), {}, job.log)
    names = {p.name for p in job.entries()}

    def reached() -> bool:
        if process.finished():
            return True
        now = job.entries()
        if moment == "writing":  # a store file is being written
            return any(p.name.endswith(".tmp") for p in now)
        if moment == "published":  # a new store file is in place, the SQL not committed
            return any(p.suffix == ".parquet" and p.name not in names for p in now)
        return False

    if moment == "random":
        time.sleep(rng.uniform(0.2, 1.2))  # an import of the fast case takes 1.5 s or more
    else:
        # A store file is written in milliseconds: look often.
        wait_for(reached, 60, f"the import to reach {moment}", poll=0.002)
    if process.finished():
        return False
    process.kill9()
    job.leftovers += sum(p.name.endswith(".tmp") for p in job.entries())
    return True


def _stored_complaints(job: ImportRun) -> Counter[str]:
    """Company phone numbers of the stored complaints, read with pyarrow, file by file (a
    half-written file fails to read)."""
    stored: Counter[str] = Counter()
    for path in job.entries():
        assert path.suffix == ".parquet" and not path.name.startswith("."), path
        stored.update(pq.read_table(path, columns=["company_phone_number"]).column(0).to_pylist())
    return stored


def _stored_calls(engine: Engine) -> Counter[str]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT source_ref FROM calls WHERE source = 'honeypot'"))
        return Counter(ref for (ref,) in rows)


def _check_import(engine: Engine, job: ImportRun) -> dict[str, int]:
    source = Counter(r["Company_Phone_Number"] for f in job.files[:2] for r in csv_rows(f))
    complaints = _stored_complaints(job)
    calls = _stored_calls(engine)
    call_ids = Counter(r["call_id"] for r in csv_rows(job.files[2]))
    lost = len(source - complaints) + len(call_ids - calls)
    extra = sum((complaints - source).values()) + sum((calls - call_ids).values())
    assert complaints == source, "complaints lost or stored twice"
    assert calls == call_ids, "calls lost or stored twice"
    rows = sum(source.values()) + sum(call_ids.values())
    return {"rows_checked": rows, "losses": lost, "duplicates": extra}


def _kill_imports(engine: Engine, db_url: str, tmp_path: Path, case: ImportCase) -> None:
    rng = random.Random(20261128)
    files = _import_files(engine, tmp_path, case)
    job = ImportRun(db_url, tmp_path / "analytics", files, tmp_path / "import.log")
    moments = ["random", "writing", "published"] + ["random"] * case.random_kills
    kills = sum(_kill_when(job, moment, rng) for moment in moments)
    assert run(job.args(), {}, job.log) == 0, job.log.read_text()
    first = json.loads(job.log.read_text().splitlines()[-1])
    again = tmp_path / "again.log"
    assert run(job.args(), {}, again) == 0, again.read_text()
    rerun = json.loads(again.read_text().splitlines()[-1])
    assert rerun["added"] == 0 and rerun["skipped"] == first["added"] + first["skipped"]
    figures = _check_import(engine, job)
    report(
        "import",
        backend=engine.dialect.name,
        rounds=len(moments),
        kills=kills,
        temp_files_left_by_kills=job.leftovers,
        added_by_final_run=first["added"],
        **figures,
    )
    assert kills >= 2, "the imports finished before most kills: make the files larger"


def test_an_import_killed_at_any_moment_completes_once_when_run_again(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    _kill_imports(engine, db_url, tmp_path, ImportCase(10_000, 1_000, random_kills=0))


@pytest.mark.slow
def test_a_large_import_killed_many_times_completes_once(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    _kill_imports(engine, db_url, tmp_path, ImportCase(150_000, 20_000, random_kills=5))


# --- a worker's deliveries ------------------------------------------------------------------

PROVIDER = Provider("AAAA", "Alpha Local Telco", contact_email="noc@aaaa.example")


@dataclass(frozen=True)
class DeliveryCase:
    hops: int  # each queues 2 e-mails and 2 webhooks
    trap_kills: int  # messages whose receiver kills the worker after accepting them
    random_kills: int  # kills at a random moment of a worker's life
    slow_share: float = 0.3  # share of messages the receivers take a second over


def _queue_messages(engine: Engine, case: DeliveryCase, hook_url: str) -> dict[int, str]:
    """Open hops at AAAA (contact, one user, two webhooks) and queue their notices: the
    queued messages, id → channel, read back with SQL."""
    clock = SystemClock()
    with transaction(engine) as session:
        upsert_providers(session, [PROVIDER], clock)
        create_user(session, "ops@aaaa.example", "provider", None, "AAAA", clock=clock)
        provider = session.query(models.Provider).filter_by(key="AAAA").one()
        for _ in range(2):
            session.add(
                models.Webhook(
                    provider_id=provider.id, url=hook_url, secret="s", created_at=clock.now()
                )
            )
        for n in range(case.hops):
            call = CallUnderTrace(f"+1202555{n:04d}", "+13125550199", clock.now())
            service.open_traceback(
                session, call, "AAAA", "coordinator:kill9", clock, policy=settings_policy()
            )
    queue_hop_notifications(engine, clock, Settings.from_environ())
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, channel FROM notifications"))
        return {row_id: channel for row_id, channel in rows}


def _outbox(engine: Engine) -> Counter[str]:
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT status, count(*) FROM notifications GROUP BY status")
        )
        return Counter({status: count for status, count in rows})


def test_a_dead_workers_claim_holds_its_message_until_notify_claim_seconds_pass(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROBOTRACE_NOTIFY_CLAIM_SECONDS", "30")
    clock = SimulatedClock(datetime(2026, 11, 28, 12, 0, tzinfo=UTC))
    with transaction(engine) as session:
        enqueue(session, "email", "noc@aaaa.example", "hop.requested", {}, "k:1", clock)
    with session_factory(engine)() as session:
        [(row_id, crashed)] = outbox.due(session, clock.now())
    assert crashed is None
    claim_seconds = Settings.from_environ().notify_claim_seconds
    assert outbox.claim(engine, row_id, "dead-worker", clock.now(), claim_seconds)  # …kill -9
    clock.advance(timedelta(seconds=29))
    with session_factory(engine)() as session:
        assert outbox.due(session, clock.now()) == []
    clock.advance(timedelta(seconds=2))
    with session_factory(engine)() as session:
        assert outbox.due(session, clock.now()) == [(row_id, "dead-worker")]
    assert outbox.claim(engine, row_id, "next-worker", clock.now(), claim_seconds)
    assert outbox.mark_sent(engine, row_id, "next-worker", clock.now())
    assert not outbox.mark_sent(engine, row_id, "dead-worker", clock.now())


def _set_traps(
    traps: Traps, queued: dict[int, str], case: DeliveryCase, rng: random.Random
) -> None:
    """Slow receipt for a share of the messages; a kill after acceptance for a few."""
    traps.channels = {str(i): channel for i, channel in queued.items()}
    traps.slow.update(str(i) for i in sorted(queued) if rng.random() < case.slow_share)
    by_channel = {c: [str(i) for i, ch in queued.items() if ch == c] for c in ("email", "webhook")}
    traps.kill.update(rng.sample(by_channel["email"], (case.trap_kills + 1) // 2))
    traps.kill.update(rng.sample(by_channel["webhook"], case.trap_kills // 2))


def _worker_env(smtp_port: int) -> dict[str, str]:
    return {
        "ROBOTRACE_SMTP_HOST": "127.0.0.1",
        "ROBOTRACE_SMTP_PORT": str(smtp_port),
        "ROBOTRACE_MAIL_FROM": "robotrace <robotrace@portal.example>",
        "ROBOTRACE_NOTIFY_TIMEOUT_SECONDS": "5",
        # A killed worker's claim lapses after 2 s, not 300: the restarted one resends.
        "ROBOTRACE_NOTIFY_CLAIM_SECONDS": "2",
    }


def _deliver_with_kills(engine: Engine, db_url: str, tmp_path: Path, case: DeliveryCase) -> None:
    rng = random.Random(1128)
    traps = Traps(delay=1.0)
    mailbox, hooks = Mailbox(traps), Hooks(traps)
    server = start_hooks(hooks)
    smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    try:
        queued = _queue_messages(engine, case, hooks.url)
        _set_traps(traps, queued, case, rng)
        trapped = set(traps.kill)
        env = _worker_env(smtp.port)
        figures, inside = _run_workers(engine, db_url, tmp_path, env, traps, case, rng)
    finally:
        smtp.stop()
        server.shutdown()
        server.server_close()
    received = Counter(mailbox.received + hooks.received)
    ids = {str(i) for i in queued}
    lost = ids - set(received)
    twice = duplicates(list(received.elements()))
    report(
        "worker",
        backend=engine.dialect.name,
        messages=len(ids),
        emails_received=len(mailbox.received),
        webhooks_received=len(hooks.received),
        distinct_received=len(received),
        losses=len(lost),
        duplicates=twice,
        duplicates_after_acceptance_kills=sum(received[i] - 1 for i in trapped),
        **figures,
        **_inside_figures(inside, queued, received),
    )
    assert not lost, f"never delivered: {sorted(lost)}"
    assert set(received) <= ids
    assert _outbox(engine) == Counter(sent=len(ids))
    # Only the message in flight at a kill can arrive twice, and each trap killed the worker
    # after its receiver had accepted the message: it is resent, with the same id.
    assert all(received[i] == 2 for i in trapped)
    assert twice <= figures["kills"]


def _inside_figures(
    inside: list[str], queued: dict[int, str], received: Counter[str]
) -> dict[str, int]:
    """Random kills inside a slow receipt, per channel, and the copies they caused."""
    figures = {}
    for channel in ("email", "webhook"):
        hit = [i for i in inside if queued[int(i)] == channel]
        figures[f"random_kills_inside_slow_{channel}"] = len(hit)
        figures[f"duplicates_after_those_{channel}"] = sum(received[i] - 1 for i in hit)
    return figures


def _run_workers(
    engine: Engine,
    db_url: str,
    tmp_path: Path,
    env: dict[str, str],
    traps: Traps,
    case: DeliveryCase,
    rng: random.Random,
) -> tuple[dict[str, int], list[str]]:
    """Start workers until the outbox is drained, killing them as the case says; the
    figures, and the ids of the slow messages being received at the random kills."""
    random_kills = restarts = 0
    current: list[Process] = []
    killed_inside: list[str] = []  # the slow messages being received at random kills
    traps.victim = lambda: current[-1].pid if current else None
    args = ["worker", "--interval", "0.2", "--database-url", db_url]
    deadline = time.monotonic() + 120
    while _outbox(engine)["pending"] and time.monotonic() < deadline:
        worker = start([*args, "--worker-id", f"kill9-{restarts}"], env, tmp_path / "worker.log")
        current.append(worker)
        restarts += 1
        # Let the traps kill it, or (random kills) kill it inside a slow delivery.
        hunting = random_kills < case.random_kills
        end = time.monotonic() + 60
        while time.monotonic() < end and not worker.finished() and _outbox(engine)["pending"]:
            wanted = ("email", "webhook")[random_kills % 2]  # alternately
            if hunting and traps.slow_now.is_set() and traps.channels[traps.slow_id] == wanted:
                victim = traps.slow_id
                time.sleep(rng.uniform(0, traps.delay))
                if not worker.finished():
                    random_kills += 1
                    killed_inside.append(victim)
                break
            time.sleep(0.02)
        worker.kill9()  # after the outbox drained too: a worker runs until stopped
    assert not _outbox(engine)["pending"], (tmp_path / "worker.log").read_text()[-3000:]
    return {
        "worker_starts": restarts,
        "kills": traps.kills + random_kills,
        "kills_after_acceptance": traps.kills,
        "random_kills": random_kills,
    }, killed_inside


def test_killed_workers_lose_no_message_and_resend_only_the_one_in_flight(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    _deliver_with_kills(
        engine, db_url, tmp_path, DeliveryCase(hops=5, trap_kills=2, random_kills=2)
    )


@pytest.mark.slow
def test_many_killed_workers_lose_no_message(engine: Engine, db_url: str, tmp_path: Path) -> None:
    _deliver_with_kills(
        engine, db_url, tmp_path, DeliveryCase(hops=25, trap_kills=6, random_kills=6)
    )


# --- a provider's hop answer ----------------------------------------------------------------

UPSTREAM = Provider("BBBB", "Bravo Wholesale", contact_email="noc@bbbb.example")
ANSWER = {"answer": "upstream", "upstream": "BBBB", "note": "from our trunk 7"}


@dataclass
class Portal:
    db_url: str
    token: str
    log: Path
    port: int = 0
    process: Process | None = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/api/v1{path}"

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def start(self, probe_hop: int) -> None:
        self.port = free_port()
        args = ["serve", "--port", str(self.port), "--database-url", self.db_url, "--no-migrate"]
        self.process = start(args, {}, self.log)
        wait_for(lambda: self._answers(probe_hop), 60, "the portal to start")

    def _answers(self, hop_id: int) -> bool:
        assert self.process is not None
        if self.process.finished():
            raise AssertionError(self.log.read_text()[-3000:])
        try:
            got = httpx.get(self.url(f"/hop-requests/{hop_id}"), headers=self.headers(), timeout=5)
        except httpx.TransportError:
            return False
        return got.status_code == 200

    def send_answer(self, hop_id: int, sent: threading.Event) -> str:
        """The answer, over a plain socket so that ``sent`` is set once the whole request
        is out; the reply's status line, or what cut it off."""
        body = json.dumps(ANSWER).encode()
        head = (
            f"POST /api/v1/hop-requests/{hop_id}/answer HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{self.port}\r\nAuthorization: Bearer {self.token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n"
        )
        with socket.create_connection(("127.0.0.1", self.port), timeout=30) as connection:
            connection.sendall(head.encode() + body)
            sent.set()
            try:
                reply = connection.recv(64)
            except OSError as exc:
                return type(exc).__name__
        return reply.split(b" ")[1].decode() if reply else "closed"

    def answer(self, hop_id: int) -> httpx.Response:
        return httpx.post(
            self.url(f"/hop-requests/{hop_id}/answer"),
            json=ANSWER,
            headers=self.headers(),
            timeout=30,
        )


def _open_hops(engine: Engine, count: int) -> tuple[str, list[int]]:
    """Providers AAAA (with a user and an API token) and BBBB; ``count`` tracebacks waiting
    for AAAA's answer. The token and the first hops' ids."""
    clock = SystemClock()
    with transaction(engine) as session:
        upsert_providers(session, [PROVIDER, UPSTREAM], clock)
        user = create_user(session, "ops@aaaa.example", "provider", None, "AAAA", clock=clock)
        token, _ = create_token(session, user, "kill9", True, clock)
        for n in range(count):
            call = CallUnderTrace(f"+1202555{n:04d}", "+13125550199", clock.now())
            service.open_traceback(
                session, call, "AAAA", "coordinator:kill9", clock, policy=settings_policy()
            )
    with engine.connect() as connection:
        hops = connection.execute(text("SELECT id FROM hops WHERE position = 0 ORDER BY id"))
        return token, [hop_id for (hop_id,) in hops]


def _answer_state(engine: Engine, hop_id: int) -> dict[str, int]:
    """What the store holds of the answer to ``hop_id``, counted with SQL."""
    with engine.connect() as connection:
        row = connection.execute(
            text("SELECT traceback_id, answer, upstream_provider_id FROM hops WHERE id = :h"),
            {"h": hop_id},
        ).one()
        traceback_id = row.traceback_id

        def count(sql: str) -> int:
            return int(connection.scalar(text(sql), {"tb": traceback_id}) or 0)

        return {
            "answered": int(row.answer is not None),
            "next_hops": count(
                "SELECT count(*) FROM hops WHERE traceback_id = :tb AND position = 1"
            ),
            "hops": count("SELECT count(*) FROM hops WHERE traceback_id = :tb"),
            "answered_events": count(
                "SELECT count(*) FROM audit_events WHERE traceback_id = :tb "
                "AND action = 'hop.answered'"
            ),
            "requested_events": count(
                "SELECT count(*) FROM audit_events WHERE traceback_id = :tb "
                "AND action = 'hop.requested'"
            ),
        }


def _all_or_nothing(state: dict[str, int]) -> int:
    """1 when the answer is stored whole, 0 when not at all; fails on anything between."""
    answered = state["answered"]
    assert state == {
        "answered": answered,
        "next_hops": answered,
        "hops": 1 + answered,
        "answered_events": answered,
        "requested_events": 1 + answered,
    }, state
    return answered


def _next_hop_notices(engine: Engine, hop_id: int) -> list[str]:
    with engine.connect() as connection:
        next_hop = connection.scalar(
            text(
                "SELECT n.id FROM hops n JOIN hops h ON n.traceback_id = h.traceback_id "
                "WHERE h.id = :h AND n.position = 1"
            ),
            {"h": hop_id},
        )
        keys = connection.execute(
            text("SELECT dedupe_key FROM notifications WHERE dedupe_key LIKE :k"),
            {"k": f"hop.requested:{next_hop}:%"},
        )
        return [key for (key,) in keys]


def _answer_until_done(portal: Portal, hop_id: int) -> str:
    """The client's retry: the same request until it is accepted, or refused as answered
    already with the answer this client gave."""
    for _ in range(5):
        try:
            response = portal.answer(hop_id)
        except httpx.TransportError:
            time.sleep(0.2)
            continue
        if response.status_code == 200:
            return "accepted"
        assert response.status_code == 409, response.text
        got = httpx.get(portal.url(f"/hop-requests/{hop_id}"), headers=portal.headers(), timeout=10)
        assert (got.json()["answer"], got.json()["upstream"]) == ("upstream", "BBBB"), got.text
        return "told_answered_already"
    raise AssertionError("the answer never got through")


def _send_and_kill(portal: Portal, hop_id: int, delay: float | None) -> str:
    """Send the answer and SIGKILL the portal ``delay`` seconds after (None: after the
    reply came). What the client saw."""
    seen: list[str] = []
    sent = threading.Event()
    thread = threading.Thread(target=lambda: seen.append(portal.send_answer(hop_id, sent)))
    thread.start()
    sent.wait(30)
    if delay is None:
        thread.join()
    else:
        time.sleep(delay)
    assert portal.process is not None
    portal.process.kill9()
    thread.join()
    return seen[0]


def _answers_with_kills(engine: Engine, db_url: str, tmp_path: Path, rounds: int) -> None:
    rng = random.Random(4242)
    token, hops = _open_hops(engine, rounds)
    portal = Portal(db_url, token, tmp_path / "portal.log")
    delays: list[float | None] = [0.0, None] + [rng.uniform(0, 0.25) for _ in range(rounds - 2)]
    outcomes: Counter[str] = Counter()
    portal.start(hops[0])
    for hop_id, delay in zip(hops, delays, strict=True):
        client_saw = _send_and_kill(portal, hop_id, delay)
        stored = _all_or_nothing(_answer_state(engine, hop_id))
        outcomes[f"killed_{'after' if stored else 'before'}_commit"] += 1
        # The client's worst case: the answer is stored, the client never heard so.
        outcomes["stored_but_client_got_no_reply"] += stored and client_saw != "200"
        portal.start(hop_id)
        outcomes[f"retry_{_answer_until_done(portal, hop_id)}"] += 1
        outcomes[f"client_saw_{client_saw}"] += 1
        for _ in range(2):  # two worker passes queue the next hop's request notice once
            queue_hop_notifications(engine, SystemClock(), Settings.from_environ())
        assert _all_or_nothing(_answer_state(engine, hop_id)) == 1
        assert _next_hop_notices(engine, hop_id) == [
            f"hop.requested:{_next_hop_id(engine, hop_id)}:email:noc@bbbb.example"
        ]
    assert portal.process is not None
    portal.process.kill9()
    report(
        "answer",
        backend=engine.dialect.name,
        rounds=rounds,
        kills=rounds,
        answers_checked=rounds,
        losses=0,
        duplicates=0,
        **dict(sorted(outcomes.items())),
    )


def _next_hop_id(engine: Engine, hop_id: int) -> int:
    with engine.connect() as connection:
        return int(
            connection.scalar(
                text(
                    "SELECT n.id FROM hops n JOIN hops h ON n.traceback_id = h.traceback_id "
                    "WHERE h.id = :h AND n.position = 1"
                ),
                {"h": hop_id},
            )
        )


def test_a_hop_answer_cut_off_by_kill9_is_stored_once_when_the_client_retries(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    # Killed right after the request is out, then right after the reply (the retry gets 409).
    _answers_with_kills(engine, db_url, tmp_path, rounds=2)


@pytest.mark.slow
def test_many_hop_answers_cut_off_by_kill9_are_each_stored_once(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    _answers_with_kills(engine, db_url, tmp_path, rounds=10)
