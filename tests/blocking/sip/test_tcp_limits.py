"""What one TCP peer may hold: connections per address, time per message, bytes per message.

Issue 24 item 8: TCP SIP had no idle or header timeout and no per-address limit; 500
half-open connections from one address stayed 77 s and more. These servers run with an idle
time of 1 s and 4 connections per address, so that the limits show within seconds.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from robotrace.blocking.sip import RunningSipServer, TcpLimits, serve_sip_in_thread

from .builders import ScriptedDecider, invite, service

IDLE = 1.0
MOST = 4
OTHER = "127.0.0.2"  # another source address (Linux answers every 127.x address)


@pytest.fixture
def limited() -> Iterator[RunningSipServer]:
    limits = TcpLimits(idle_seconds=IDLE, max_per_address=MOST)
    running = serve_sip_in_thread("127.0.0.1", 0, service(ScriptedDecider()), limits)
    yield running
    running.stop()


def connect(port: int, source: str = "127.0.0.1") -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=3, source_address=(source, 0))


def closed_by_server(sock: socket.socket) -> bool:
    """Whether the server has closed (or reset) the connection; never waits."""
    sock.setblocking(False)
    try:
        return sock.recv(65535) == b""
    except BlockingIOError:
        return False
    except ConnectionError:
        return True
    finally:
        sock.settimeout(3)


def seconds_until_closed(sock: socket.socket, most: float) -> float:
    started = time.monotonic()
    sock.settimeout(most)
    try:
        while sock.recv(65535):
            pass
    except ConnectionError:
        pass
    return time.monotonic() - started


def exchange(sock: socket.socket, data: bytes) -> bytes:
    """Send one request and read its one answer (a head; answers have no body)."""
    sock.sendall(data)
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = sock.recv(65535)
        if not chunk:
            break
        received += chunk
    return received


def test_connections_past_the_limit_from_one_address_are_closed_at_once(
    limited: RunningSipServer,
) -> None:
    half_open = [connect(limited.port) for _ in range(MOST + 16)]
    for sock in half_open:
        sock.sendall(invite()[:100])
    time.sleep(0.3)
    assert sum(closed_by_server(sock) for sock in half_open) == 16
    with connect(limited.port, OTHER) as other:  # another address is served meanwhile
        assert exchange(other, invite()).startswith(b"SIP/2.0 603 Network Blocked\r\n")
    time.sleep(IDLE)
    assert all(closed_by_server(sock) for sock in half_open)  # the idle time ends the rest
    with connect(limited.port) as again:
        assert exchange(again, invite()).startswith(b"SIP/2.0 603")
    for sock in half_open:
        sock.close()


def test_a_connection_that_sends_nothing_is_closed_after_the_idle_time(
    limited: RunningSipServer,
) -> None:
    with connect(limited.port) as silent:
        assert IDLE - 0.1 < seconds_until_closed(silent, 5) < IDLE + 1


def test_a_message_trickled_a_byte_at_a_time_is_cut_off_after_the_idle_time(
    limited: RunningSipServer,
) -> None:
    with connect(limited.port) as trickle:
        started = time.monotonic()
        for byte in invite():
            try:
                trickle.send(bytes([byte]))
            except ConnectionError:
                break
            if closed_by_server(trickle) or time.monotonic() - started > 5:
                break
            time.sleep(0.05)
        assert IDLE - 0.1 < time.monotonic() - started < IDLE + 1


def test_a_busy_connection_stays_open_past_the_idle_time(limited: RunningSipServer) -> None:
    with connect(limited.port) as busy:
        for n in range(5):  # 2.5 s in all, a message every 0.5 s
            request = invite(cseq=f"{n + 1} INVITE", via=f"SIP/2.0/TCP h;branch=z9hG4bK{n}")
            assert exchange(busy, request).startswith(b"SIP/2.0 603")
            time.sleep(IDLE / 2)


def test_a_message_longer_than_the_limit_is_not_answered(limited: RunningSipServer) -> None:
    fits = invite(extra=("X-Padding: " + "a" * 32_000,), body="v" * 32_000)
    too_long = invite(extra=("X-Padding: " + "a" * 33_000,), body="v" * 33_000)
    assert len(fits) <= 65_535 < len(too_long)  # head 33 kB and body 33 kB: each fits alone
    with connect(limited.port) as sock:
        assert exchange(sock, fits).startswith(b"SIP/2.0 603")
    with connect(limited.port) as sock:
        assert exchange(sock, too_long) == b""
