"""A little world for notification tests, with a real SMTP server and a real HTTP receiver.

Providers ``AAAA`` (contact ``noc@aaaa.example``; users ``noc@aaaa.example`` and
``ops@aaaa.example`` active, ``old@aaaa.example`` inactive), ``BBBB`` (contact and user
``noc@bbbb.example``) and ``FFFF`` (foreign, no contact); coordinator ``coord@example.org``;
traceback ``TB-000001`` opened at ``T0`` with its first hop open at AAAA, due at ``T0 + 24 h``.

``smtp`` is an aiosmtpd server on 127.0.0.1 that keeps every message; ``receiver`` an
``http.server`` on 127.0.0.1 that checks each POST with ``verify_signature`` (401 when it
fails) and keeps it. Both are the only ones the settings point at.
"""

from __future__ import annotations

import email
import email.policy
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import Engine, select

from robotrace.accounts.users import create_user
from robotrace.clock import SimulatedClock
from robotrace.notify.channels.webhook.signature import verify_signature
from robotrace.providers.registry import Provider
from robotrace.providers.store import upsert_providers
from robotrace.store import models
from robotrace.store.db import transaction
from robotrace.traceback import service
from robotrace.traceback.model import CallUnderTrace
from tests.support import free_port, settings_policy

#: A Tuesday, 08:00 in New York (the providers' zone: no address, the default): in business
#: hours, so the request is due exactly 24 hours later (test_weekend.py has the other cases).
T0 = datetime(2020, 5, 5, 12, 0, tzinfo=UTC)
BASE_URL = "https://portal.example"
SECRET = "whsec_test_secret"
CALL = CallUnderTrace("+12025550143", "+13125550199", datetime(2020, 4, 30, 15, 4, 5, tzinfo=UTC))
PROVIDERS = [
    Provider(
        "AAAA", ocns=("AAAA",), business_name="Alpha Local Telco", contact_email="noc@aaaa.example"
    ),
    Provider(
        "BBBB", ocns=("BBBB",), business_name="Bravo Wholesale", contact_email="noc@bbbb.example"
    ),
    Provider("FFFF", "Foxtrot Intl Ltd", country="United Kingdom", foreign=True),
]
USERS = [
    ("coord@example.org", "coordinator", None),
    ("noc@aaaa.example", "provider", "AAAA"),
    ("ops@aaaa.example", "provider", "AAAA"),
    ("old@aaaa.example", "provider", "AAAA"),
    ("noc@bbbb.example", "provider", "BBBB"),
]


@dataclass
class World:
    engine: Engine
    clock: SimulatedClock
    traceback_id: str
    hop_id: int


def first_hop_id(engine: Engine, traceback_id: str) -> int:
    with transaction(engine) as session:
        return session.scalar(
            select(models.Hop.id).where(
                models.Hop.traceback_id == traceback_id, models.Hop.position == 0
            )
        )


@pytest.fixture
def world(engine: Engine, smtp: Mailbox, monkeypatch: pytest.MonkeyPatch) -> World:
    monkeypatch.setenv("ROBOTRACE_BASE_URL", BASE_URL)
    clock = SimulatedClock(T0)
    with transaction(engine) as session:
        upsert_providers(session, PROVIDERS, clock)
        for address, role, ocn in USERS:
            user = create_user(session, address, role, None, ocn, clock=clock)
            user.active = address != "old@aaaa.example"
        tb = service.open_traceback(
            session, CALL, "AAAA", "coordinator:coord", clock, policy=settings_policy()
        )
    return World(engine, clock, tb.id, first_hop_id(engine, tb.id))


def add_webhook(world: World, url: str, ocn: str | None) -> int:
    with transaction(world.engine) as session:
        provider_id = session.scalar(select(models.Provider.id).where(models.Provider.key == ocn))
        hook = models.Webhook(
            provider_id=provider_id, url=url, secret=SECRET, created_at=world.clock.now()
        )
        session.add(hook)
        session.flush()
        return hook.id


# --- a real SMTP server ------------------------------------------------------------------


@dataclass
class Mailbox:
    port: int = 0
    messages: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message["X-Envelope-To"] = ",".join(envelope.rcpt_tos)
        with self.lock:
            self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["X-Envelope-To"] == address]

    def kinds(self) -> list[tuple[str, str]]:
        """(kind, recipient) of each message, sorted."""
        return sorted((m["X-Robotrace-Kind"], m["X-Envelope-To"]) for m in self.messages)

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    port = free_port()
    mailbox = Mailbox(port)
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("ROBOTRACE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("ROBOTRACE_SMTP_PORT", str(port))
    monkeypatch.setenv("ROBOTRACE_MAIL_FROM", "robotrace <robotrace@portal.example>")
    monkeypatch.setenv("ROBOTRACE_NOTIFY_TIMEOUT_SECONDS", "3")
    yield mailbox
    controller.stop()


# --- a real HTTP receiver ----------------------------------------------------------------


@dataclass
class Delivery:
    headers: dict[str, str]
    body: bytes
    accepted: bool


@dataclass
class Receiver:
    url: str
    now: Callable[[], datetime]
    deliveries: list[Delivery] = field(default_factory=list)
    #: Answer every POST with this status instead (a receiver that is down).
    fail_with: int | None = None

    def accepted(self) -> list[Delivery]:
        return [d for d in self.deliveries if d.accepted]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            ok = verify_signature(
                SECRET,
                self.headers.get("X-Robotrace-Timestamp", ""),
                body,
                self.headers.get("X-Robotrace-Signature", ""),
                receiver.now(),
            )
            receiver.deliveries.append(Delivery(dict(self.headers), body, ok))
            self.send_response(receiver.fail_with or (204 if ok else 401))
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def receiver(world: World) -> Iterator[Receiver]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    receiver = Receiver(f"http://127.0.0.1:{server.server_port}/hooks/robotrace", world.clock.now)
    server.RequestHandlerClass = _handler(receiver)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()
