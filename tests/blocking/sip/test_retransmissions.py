"""A retransmitted UDP request is answered with the response already sent, without a second
decision (RFC 3261 §17.2.1); a new transaction is decided afresh; memory stays bounded."""

from __future__ import annotations

import socket

from robotrace.blocking.sip import RunningSipServer
from robotrace.blocking.sip.retransmissions import RecentAnswers

from .builders import TIMEOUT, ScriptedDecider, invite

SOURCE = ("192.0.2.7", 5062)


class Ticking:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self) -> float:
        return self.seconds


def send_twice(port: int, first: bytes, second: bytes) -> tuple[bytes, bytes]:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(TIMEOUT)
        sock.bind(("127.0.0.1", 0))
        via = f"SIP/2.0/UDP 127.0.0.1:{sock.getsockname()[1]};branch="
        answers = []
        for data in (first, second):
            sock.sendto(data.replace(b"VIA-HERE;branch=", via.encode()), ("127.0.0.1", port))
            answers.append(sock.recv(65535))
        return answers[0], answers[1]


def test_a_retransmitted_invite_gets_the_same_answer_without_a_second_decision(
    sip_server: RunningSipServer, decider: ScriptedDecider
) -> None:
    request = invite(via="VIA-HERE;branch=z9hG4bKretx1")
    first, again = send_twice(sip_server.port, request, request)
    assert first.startswith(b"SIP/2.0 603 ")
    assert again == first
    assert len(decider.asked) == 1


def test_a_new_transaction_of_the_same_call_is_decided_again(
    sip_server: RunningSipServer, decider: ScriptedDecider
) -> None:
    first = invite(via="VIA-HERE;branch=z9hG4bKretx2")
    second = invite(via="VIA-HERE;branch=z9hG4bKretx3", cseq="314160 INVITE")
    answers = send_twice(sip_server.port, first, second)
    assert all(answer.startswith(b"SIP/2.0 603 ") for answer in answers)
    assert len(decider.asked) == 2


def test_an_answer_is_kept_for_timer_b_and_no_longer():
    clock = Ticking()
    recent = RecentAnswers(keep_seconds=32.0, now=clock)
    recent.put(b"INVITE 1", SOURCE, b"SIP/2.0 603", SOURCE)
    clock.seconds = 32.0
    assert recent.get(b"INVITE 1", SOURCE) == (b"SIP/2.0 603", SOURCE)
    clock.seconds = 32.5
    assert recent.get(b"INVITE 1", SOURCE) is None


def test_the_same_bytes_from_another_source_are_another_request():
    recent = RecentAnswers()
    recent.put(b"INVITE 1", SOURCE, b"SIP/2.0 603", SOURCE)
    assert recent.get(b"INVITE 1", ("192.0.2.8", 5062)) is None


def test_it_keeps_at_most_its_limit_and_forgets_the_oldest_first():
    clock = Ticking()
    recent = RecentAnswers(most=3, now=clock)
    for number in range(5):
        clock.seconds += 1
        recent.put(f"INVITE {number}".encode(), SOURCE, b"answer", SOURCE)
    assert len(recent) == 3
    assert recent.get(b"INVITE 1", SOURCE) is None
    assert recent.get(b"INVITE 2", SOURCE) is not None


def test_expired_answers_are_dropped_as_new_ones_arrive():
    clock = Ticking()
    recent = RecentAnswers(keep_seconds=32.0, now=clock)
    recent.put(b"INVITE old", SOURCE, b"answer", SOURCE)
    clock.seconds = 40.0
    recent.put(b"INVITE new", SOURCE, b"answer", SOURCE)
    assert len(recent) == 1
