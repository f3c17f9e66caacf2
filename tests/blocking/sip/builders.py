"""Small builders for the SIP tests: a scripted decider and requests as written on the wire."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field

from robotrace.blocking.model import CallAttempt, Decision, Reason, Verdict
from robotrace.blocking.plus603 import Redress
from robotrace.blocking.sip import SipService

BLOCKED_OCN = "BAD1"
CALLING = "+12025550143"
CALLED = "+13125550199"
NEXT_HOP = "10.0.0.9:5060"
TIMEOUT = 3.0
BLOCK = Decision(
    Verdict.BLOCK,
    Reason.PROVIDER_BLOCKED,
    authorization_id=4242,
    redress=Redress(url="https://redress.example.org/blocks", email="redress@example.org"),
    detail="Acme Telecom is under a block authorization",
    reference="BA-004242",
)


@dataclass
class ScriptedDecider:
    """Blocks calls from BLOCKED_OCN; records every call it is asked about."""

    asked: list[CallAttempt] = field(default_factory=list)

    def __call__(self, call: CallAttempt) -> Decision:
        self.asked.append(call)
        if call.upstream == BLOCKED_OCN:
            return BLOCK
        return Decision(Verdict.ALLOW, Reason.ALLOWED)


def service(decider: ScriptedDecider | None = None) -> SipService:
    return SipService(decider or ScriptedDecider(), NEXT_HOP)


def invite(
    *,
    uri: str = f"sip:{CALLED};tgrp={BLOCKED_OCN};trunk-context=example.net@192.0.2.1",
    method: str = "INVITE",
    extra: tuple[str, ...] = (),
    via: str = "SIP/2.0/UDP 192.0.2.7:5062;branch=z9hG4bK776asdhds",
    cseq: str = "314159 INVITE",
    body: str = "",
) -> bytes:
    """A request as a carrier would write it (RFC 3261 §24.2 style)."""
    lines = [
        f"{method} {uri} SIP/2.0",
        f"Via: {via}",
        "Max-Forwards: 70",
        f'From: "Caller" <sip:{CALLING}@192.0.2.7>;tag=1928301774',
        f"To: <sip:{CALLED}@192.0.2.1>",
        "Call-ID: a84b4c76e66710@pc33.example.com",
        f"CSeq: {cseq}",
        *extra,
        f"Content-Length: {len(body.encode())}",
        "",
        body,
    ]
    return "\r\n".join(lines).encode()


def udp_exchange(port: int, data: bytes, tries: int = 3, source: str = "127.0.0.1") -> bytes | None:
    """Send from ``source`` (any 127.x address on Linux) and wait for the answer,
    retransmitting as a UAC would (a datagram may be lost)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(TIMEOUT / tries)
        sock.bind((source, 0))
        via = f"SIP/2.0/UDP {source}:{sock.getsockname()[1]};branch=z9hG4bKu"
        for _ in range(tries):
            sock.sendto(data.replace(b"VIA-HERE", via.encode()), ("127.0.0.1", port))
            try:
                return sock.recv(65535)
            except TimeoutError:
                continue
        return None
