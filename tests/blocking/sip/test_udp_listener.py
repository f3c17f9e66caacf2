"""The UDP listener survives asyncio closing its socket, and /health says so while it is down.

Issue 24 item 1: one datagram (``rport=70000``) made ``sendto`` raise ``OverflowError``; asyncio
closes a datagram transport for good on any error that is not an ``OSError``, every later
UDP INVITE timed out, and ``/health`` still said ok. The reply address is checked now
(test_server.py); these tests close the transport the same way by another cause — a reply
address that raises once — and see the listener come back.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from robotrace.blocking.app import Blocker, create_app
from robotrace.blocking.refresh import ListState
from robotrace.blocking.sip import Backoff, RunningSipServer, serve_sip_in_thread, udp
from robotrace.blocking.sip.message import SipRequest
from robotrace.blocking.trunks import parse_trunks
from tests.blocking.builders import T0, entry, loaded, policy
from tests.support import wait_for

from .builders import ScriptedDecider, invite, service, udp_exchange


@pytest.fixture
def slow_rebind() -> Iterator[RunningSipServer]:
    """A server that waits 0.5 s (at most) before each try to bind UDP again."""
    running = serve_sip_in_thread(
        "127.0.0.1", 0, service(ScriptedDecider()), backoff=Backoff(first=0.5, most=0.5)
    )
    yield running
    running.stop()


def health_of(running: RunningSipServer) -> Callable[[], dict]:
    """The blocker's /health with this SIP server's listeners (a list confirmed at T0)."""
    state = ListState(blocklist=loaded(entry("BBBB")), last_success=T0)
    blocker = Blocker(state, policy(), parse_trunks([]), listeners=running.health)
    client = TestClient(create_app(blocker))
    return lambda: client.get("/health").json()


def break_udp_once(monkeypatch: pytest.MonkeyPatch, port: int) -> None:
    """Send one INVITE whose answer goes to a port no socket can send to: asyncio's
    ``sendto`` raises ``OverflowError`` and asyncio closes the transport."""
    real, calls = udp.reply_address, []

    def once_unsendable(request: SipRequest, source: tuple[str, int]) -> tuple[str, int]:
        calls.append(source)
        return (source[0], 70_000) if len(calls) == 1 else real(request, source)

    monkeypatch.setattr(udp, "reply_address", once_unsendable)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.sendto(invite(via="SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bKx"), ("127.0.0.1", port))


def test_a_closed_udp_listener_is_bound_again_and_health_says_so_meanwhile(
    slow_rebind: RunningSipServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    health = health_of(slow_rebind)
    assert (health()["status"], health()["sip"]) == ("ok", {"udp": "ok", "tcp": "ok"})
    break_udp_once(monkeypatch, slow_rebind.port)
    wait_for(lambda: health()["sip"]["udp"] == "down", 0.5, poll=0.01)
    assert (health()["status"], health()["sip"]["tcp"]) == ("sip_down", "ok")
    wait_for(lambda: health()["sip"]["udp"] == "ok", 3, poll=0.01)
    answer = udp_exchange(slow_rebind.port, invite(via="VIA-HERE"))
    assert answer is not None and answer.startswith(b"SIP/2.0 603 Network Blocked\r\n")
    assert health()["status"] == "ok"


def test_binding_again_is_retried_until_the_port_is_free(
    slow_rebind: RunningSipServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    health = health_of(slow_rebind)
    break_udp_once(monkeypatch, slow_rebind.port)
    wait_for(lambda: health()["sip"]["udp"] == "down", 0.5, poll=0.01)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as squatter:
        squatter.bind(("127.0.0.1", slow_rebind.port))  # before the first try, 0.5 s later
        time.sleep(1.6)  # three tries fail meanwhile
        assert health()["sip"]["udp"] == "down"
    wait_for(lambda: health()["sip"]["udp"] == "ok", 2, poll=0.01)
    answer = udp_exchange(slow_rebind.port, invite(via="VIA-HERE"))
    assert answer is not None and answer.startswith(b"SIP/2.0 603")
