"""The server over real UDP and TCP sockets: answers, framing, and surviving garbage."""

from __future__ import annotations

import logging
import random
import socket

import pytest

from robotrace.blocking.sip import RunningSipServer

from .builders import TIMEOUT, invite, udp_exchange


def udp_invite(**kwargs: str) -> bytes:
    return invite(via="VIA-HERE", **kwargs)


def tcp_exchange(port: int, data: bytes, answers: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        sock.sendall(data)
        received = b""
        while received.count(b"SIP/2.0 ") < answers:
            chunk = sock.recv(65535)
            if not chunk:
                break
            received += chunk
        return received


def test_it_answers_an_invite_over_udp_at_the_via_address(sip_server: RunningSipServer) -> None:
    answer = udp_exchange(sip_server.port, udp_invite())
    assert answer is not None and answer.startswith(b"SIP/2.0 603 Network Blocked\r\n")


def test_a_datagram_with_an_rport_past_65535_is_answered_and_udp_keeps_working(
    sip_server: RunningSipServer,
) -> None:
    # Issue 24 item 1: answering to rport=70000 raised OverflowError inside asyncio's
    # sendto, which closed the UDP transport for good; every later INVITE timed out.
    hostile = invite(via="SIP/2.0/UDP 127.0.0.1;rport=70000;branch=z9hG4bKx")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(TIMEOUT)
        sock.bind(("127.0.0.1", 0))
        sock.sendto(hostile, ("127.0.0.1", sip_server.port))
        assert sock.recv(65535).startswith(b"SIP/2.0 603")  # answered at its source port
    answer = udp_exchange(sip_server.port, udp_invite())
    assert answer is not None and answer.startswith(b"SIP/2.0 603 Network Blocked\r\n")


def test_it_answers_pipelined_requests_over_one_tcp_connection(
    sip_server: RunningSipServer,
) -> None:
    allowed = invite(uri="sip:+13125550199@127.0.0.1", via="SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK2")
    options = invite(method="OPTIONS", cseq="2 OPTIONS", via="SIP/2.0/TCP h;branch=z9hG4bK3")
    received = tcp_exchange(sip_server.port, b"\r\n\r\n" + allowed + options, answers=2)
    assert received.startswith(b"SIP/2.0 302 Moved Temporarily\r\n")
    assert b"\r\nSIP/2.0 200 OK\r\n" in received


def test_it_frames_a_tcp_body_by_content_length(sip_server: RunningSipServer) -> None:
    with_body = invite(body="v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n\r\n")
    received = tcp_exchange(sip_server.port, with_body + invite(method="OPTIONS"), answers=2)
    assert received.count(b"SIP/2.0 ") == 2
    assert b"SIP/2.0 400" in received  # OPTIONS with an INVITE CSeq, read as its own message


def fuzz_cases(whole: bytes, rng: random.Random) -> list[bytes]:
    """Random bytes, every truncation of a real request, and single-byte corruptions of it."""
    noise = [bytes(rng.randrange(256) for _ in range(rng.randrange(1, 1500))) for _ in range(200)]
    truncated = [whole[:cut] for cut in range(0, len(whole), 5)]
    flipped = []
    for _ in range(200):
        copy = bytearray(whole)
        copy[rng.randrange(len(copy))] = rng.randrange(256)
        flipped.append(bytes(copy))
    return noise + truncated + flipped


def test_it_survives_garbage_and_keeps_answering(
    sip_server: RunningSipServer, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        via = f"SIP/2.0/UDP 127.0.0.1:{sock.getsockname()[1]};branch=z9hG4bKf".encode()
        for case in fuzz_cases(udp_invite().replace(b"VIA-HERE", via), random.Random(7)):
            sock.sendto(case, ("127.0.0.1", sip_server.port))
    huge = udp_invite(extra=("X-Huge: " + "a" * 60000,))
    assert (udp_exchange(sip_server.port, huge) or b"").startswith(b"SIP/2.0 603")
    assert (udp_exchange(sip_server.port, udp_invite()) or b"").startswith(b"SIP/2.0 603")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_it_answers_a_truncated_udp_invite_with_400(sip_server: RunningSipServer) -> None:
    truncated = udp_invite().split(b"Content-Length")[0]
    answer = udp_exchange(sip_server.port, truncated)
    assert answer is not None and answer.startswith(b"SIP/2.0 400 Bad Request\r\n")


def test_it_drops_tcp_peers_that_send_garbage_but_serves_the_next(
    sip_server: RunningSipServer,
) -> None:
    for garbage in (b"\x00" * 70000, b"INVITE sip:x SIP/2.0\r\nContent-Length: -1\r\n\r\n"):
        with socket.create_connection(("127.0.0.1", sip_server.port), timeout=TIMEOUT) as sock:
            try:
                sock.sendall(garbage)
                sock.shutdown(socket.SHUT_WR)
                while sock.recv(65535):
                    pass
            except ConnectionError:
                pass
    half = invite()[:100]
    with socket.create_connection(("127.0.0.1", sip_server.port), timeout=TIMEOUT) as sock:
        sock.sendall(half)  # then hang up mid-message
    assert tcp_exchange(sip_server.port, invite(), answers=1).startswith(b"SIP/2.0 603")
