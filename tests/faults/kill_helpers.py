"""What the kill -9 tests share: robotrace processes to start and SIGKILL, evidence files to
import, and receivers (SMTP, HTTP) that count what reached them and can kill the sender at
the worst moment — after they accepted a message, before the sender heard so.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import email
import email.policy
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from robotrace.evidence.columns import FTC_COMPLAINT_COLUMNS, HONEYPOT_COLUMNS

ROBOTRACE = str(Path(sys.executable).with_name("robotrace"))


def report(test: str, **figures: object) -> None:
    """Print a test's figures on one line (``pytest -s`` shows them)."""
    print(f"\n[kill9] {test}: " + " ".join(f"{k}={v}" for k, v in figures.items()), flush=True)


# --- processes ----------------------------------------------------------------------------


@dataclass
class Process:
    """A robotrace command running in the background, its output in a log file."""

    popen: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def kill9(self) -> None:
        """SIGKILL, as the kernel's OOM killer or a pulled plug would: no clean-up runs."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=30)

    def finished(self) -> bool:
        return self.popen.poll() is not None

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def start(args: Sequence[str], env: dict[str, str], log: Path) -> Process:
    """``robotrace ARGS`` in its own process, with ``env`` over this process's environment."""
    handle = log.open("ab")
    try:
        popen = subprocess.Popen(
            [ROBOTRACE, *args],
            env=os.environ | env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    finally:
        handle.close()
    return Process(popen, log)


def run(args: Sequence[str], env: dict[str, str], log: Path, timeout: float = 120) -> int:
    """``robotrace ARGS`` to the end; its exit status."""
    process = start(args, env, log)
    try:
        return process.popen.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill9()
        raise


# --- evidence files -----------------------------------------------------------------------

#: The simulated honeypot's terminating provider (register it before importing calls).
HONEYPOT_OCN = "HPOT"
_SUBJECTS = ("Warranties & protection plans", "Medical & prescriptions", "Imposters", "Other")


def write_ftc_csv(path: Path, rows: int, first: int = 0) -> None:
    """``rows`` distinct FTC complaints, numbered ``first …``; each one's company phone number
    (``202-NNN-NNNN``, the number) is its own, up to ten million rows."""
    start = datetime(2020, 1, 1, tzinfo=UTC)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(FTC_COMPLAINT_COLUMNS)
        for n in range(first, first + rows):
            created = start + timedelta(seconds=37 * n)
            writer.writerow(
                (
                    f"202-{n // 10000:03d}-{n % 10000:04d}",  # unique: the row's name here
                    f"{created:%Y-%m-%d %H:%M:%S}",
                    f"{created - timedelta(hours=3):%Y-%m-%d %H:%M:%S}",
                    "Springfield",
                    "Illinois",
                    f"{200 + n % 700:03d}",
                    _SUBJECTS[n % len(_SUBJECTS)],
                    "Y" if n % 3 else "N",
                )
            )


def write_honeypot_csv(path: Path, rows: int) -> None:
    """``rows`` honeypot calls with distinct ``call_id``s, delivered by :data:`HONEYPOT_OCN`."""
    start = datetime(2020, 3, 1, tzinfo=UTC)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HONEYPOT_COLUMNS)
        for n in range(rows):
            writer.writerow(
                (
                    f"hp-{n:07d}",
                    f"+1202555{n % 10000:04d}",
                    f"+1312555{(n * 7) % 10000:04d}",
                    f"{start + timedelta(seconds=11 * n):%Y-%m-%dT%H:%M:%SZ}",
                    HONEYPOT_OCN,
                    f"Your car warranty is about to expire, press one (call {n}).",
                    "",
                    "",
                )
            )


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


# --- receivers ----------------------------------------------------------------------------


@dataclass
class Traps:
    """Which messages a receiver treats specially, by their id (Message-ID number or
    ``X-Robotrace-Delivery``), each at most once: ``slow`` ones take ``delay`` seconds before
    they are read, ``kill`` ones SIGKILL ``victim`` after being accepted, before the reply."""

    slow: set[str] = field(default_factory=set)
    kill: set[str] = field(default_factory=set)
    delay: float = 1.0
    victim: Callable[[], int | None] = lambda: None
    kills: int = 0
    #: Set while a slow message is being received; ``slow_id`` names it.
    slow_now: threading.Event = field(default_factory=threading.Event)
    slow_id: str = ""
    #: Message id → channel (``email``, ``webhook``), for hunting a channel's slow message.
    channels: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, pool: set[str], message_id: str) -> bool:
        with self.lock:
            if message_id in pool:
                pool.discard(message_id)
                return True
            return False

    def kill_victim(self) -> None:
        pid = self.victim()
        if pid is not None:
            with self.lock:
                self.kills += 1
            os.kill(pid, signal.SIGKILL)


def notification_number(message_id: str) -> str:
    """``<notification-17@portal.example>`` → ``17``."""
    return message_id.strip("<>").split("@")[0].removeprefix("notification-")


@dataclass
class Mailbox:
    """An aiosmtpd handler that keeps the Message-ID of every message it accepted."""

    traps: Traps
    received: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        number = notification_number(str(message["Message-ID"]))
        if self.traps.take(self.traps.slow, number):
            self.traps.slow_id = number
            self.traps.slow_now.set()
            await asyncio.sleep(self.traps.delay)  # the worker may be killed meanwhile
            self.traps.slow_now.clear()
        with self.lock:
            self.received.append(number)  # accepted: from here on the message is ours
        if self.traps.take(self.traps.kill, number):
            self.traps.kill_victim()  # the sender dies before it reads our 250
        return "250 Message accepted"


@dataclass
class Hooks:
    """An HTTP receiver that keeps the ``X-Robotrace-Delivery`` of every POST it accepted."""

    traps: Traps
    received: list[str] = field(default_factory=list)
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)


def start_hooks(hooks: Hooks) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            delivery = self.headers.get("X-Robotrace-Delivery", "")
            if hooks.traps.take(hooks.traps.slow, delivery):
                hooks.traps.slow_id = delivery
                hooks.traps.slow_now.set()
                time.sleep(hooks.traps.delay)
                hooks.traps.slow_now.clear()
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with hooks.lock:
                hooks.received.append(delivery)
            if hooks.traps.take(hooks.traps.kill, delivery):
                hooks.traps.kill_victim()
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    hooks.url = f"http://127.0.0.1:{server.server_port}/hooks/robotrace"
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server


def duplicates(received: Sequence[str]) -> int:
    """Copies received beyond the first of each id."""
    return sum(n - 1 for n in Counter(received).values())
