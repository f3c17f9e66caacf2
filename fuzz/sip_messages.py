"""SIP requests as they reach the blocking service's redirect server, and as the STIR/SHAKEN
verifier reads them.

The redirect server's contract (docs/sip.md): every datagram or framed stream message gets a
response or none — :func:`robotrace.blocking.sip.server.respond` never raises. The SHAKEN
reader (:func:`robotrace.shaken.sip.parse_request`) refuses text without a request line with
``ValueError``, and nothing else.
"""

from __future__ import annotations

from robotrace.blocking.model import CallAttempt, Decision, Reason, Verdict
from robotrace.blocking.sip import SipService
from robotrace.blocking.sip.responses import reply_address
from robotrace.blocking.sip.server import respond
from robotrace.shaken.sip import callee_numbers, caller_numbers, looks_like_request, parse_request

SOURCE = ("192.0.2.7", 5062)
BLOCKED_UPSTREAM = "BAD1"


def decide(call: CallAttempt) -> Decision:
    """Blocks calls whose trunk group names ``BAD1``, so both INVITE answers are reached."""
    if call.upstream == BLOCKED_UPSTREAM:
        return Decision(Verdict.BLOCK, Reason.PROVIDER_BLOCKED, contact="redress@example.org")
    return Decision(Verdict.ALLOW, Reason.ALLOWED)


SERVICE = SipService(decide, "10.0.0.9:5060")


def test_one_input(data: bytes) -> None:
    for framed in (False, True):
        answered = respond(SERVICE, data, SOURCE, framed)
        if answered is not None:
            request, _wire = answered
            reply_address(request, SOURCE)
    read_as_shaken_verifier(data.decode("utf-8", errors="replace"))


def read_as_shaken_verifier(text: str) -> None:
    if not looks_like_request(text):
        return
    try:
        request = parse_request(text)
    except ValueError:
        return
    caller_numbers(request)
    callee_numbers(request)
