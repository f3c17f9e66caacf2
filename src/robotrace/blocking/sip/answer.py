"""What the redirect server answers to each request: plain functions over a parsed request.

INVITE asks the decider: a 603+ (603 Network Blocked with ATIS-1000099's Reason header,
:mod:`robotrace.blocking.plus603`) or a 3xx redirect to the next hop. OPTIONS and CANCEL
get 200; ACK gets nothing; other known methods 405, unknown ones 501; unreadable requests
400 when they can be answered at all (docs/sip.md).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from robotrace.blocking.model import CallAttempt, Decision, Verdict
from robotrace.blocking.plus603 import DEFAULT_LOCATION, reason_value
from robotrace.blocking.sip.address import split_values, uri_of, user_part
from robotrace.blocking.sip.message import ERRORS, SipRequest, parse_request
from robotrace.blocking.sip.responses import (
    Response,
    build_response,
    can_answer,
    stamp_received,
)

log = logging.getLogger(__name__)

Decider = Callable[[CallAttempt], Decision]
UpstreamOf = Callable[[str, str | None, str | None], str | None]  # (source ip, tgrp, context)

ALLOW = "INVITE, ACK, CANCEL, OPTIONS"
KNOWN_METHODS = frozenset(
    {
        "BYE",
        "INFO",
        "MESSAGE",
        "NOTIFY",
        "PRACK",
        "PUBLISH",
        "REFER",
        "REGISTER",
        "SUBSCRIBE",
        "UPDATE",
    }
)
_USER_SAFE = "+-_.!~*'()&=$,?/"  # RFC 3261 §25.1 user unreserved characters
_UNSAFE_TEXT = re.compile(r"[\x00-\x1f\x7f]+")


def tgrp_as_ocn(source_ip: str, tgrp: str | None, trunk_context: str | None) -> str | None:
    """The default trunk table: a ``tgrp`` names the upstream's OCN; no tgrp, no upstream."""
    return tgrp


@dataclass(frozen=True)
class SipService:
    """The redirect server's behaviour, independent of transports."""

    decider: Decider
    next_hop: str
    upstream_of: UpstreamOf = tgrp_as_ocn
    redirect_status: int = 302
    location: str = DEFAULT_LOCATION  # RFC 8606: where in the path this blocker stands

    def answer(self, request: SipRequest, source_ip: str) -> Response | None:
        """The response to ``request``, or None where none is due (ACK, responses, noise)."""
        if request.is_response or not can_answer(request) or _is_ack(request):
            return None
        if problem := _problem_of(request):
            return bad_request(problem)
        return self._dispatch(request, source_ip)

    def _dispatch(self, request: SipRequest, source_ip: str) -> Response:
        if request.method == "INVITE":
            return self._invite(request, source_ip)
        if request.method in ("OPTIONS", "CANCEL"):
            # CANCEL: a stateless server keeps no transaction; the INVITE is already answered.
            return Response(200, (("Allow", ALLOW),))
        if request.method in KNOWN_METHODS:
            return Response(405, (("Allow", ALLOW),))
        return Response(501, (("Allow", ALLOW),))

    def _invite(self, request: SipRequest, source_ip: str) -> Response:
        called = called_number(request)
        if not called:
            return Response(484)
        try:
            decision = self.decider(call_attempt(request, source_ip, self.upstream_of))
        except Exception:
            log.exception("SIP: the decider failed on Call-ID %s", request.first("call-id"))
            return Response(500)
        if decision.verdict == Verdict.BLOCK:
            headers = (
                ("Reason", reason_header(decision, self.location)),
                ("Warning", f'399 robotrace "{quoted_text(reason_text(decision))}"'),
            )
            return Response(603, headers)
        contact = f"<sip:{quote(called, safe=_USER_SAFE, errors=ERRORS)}@{self.next_hop}>"
        return Response(self.redirect_status, (("Contact", contact),))


def respond(
    service: SipService, data: bytes, source: tuple[str, int], framed: bool
) -> tuple[SipRequest, bytes] | None:
    """What a transport sends for ``data`` from ``source``: (the request as stamped, the
    response bytes), or None where nothing is sent."""
    request = parse_request(data, framed=framed)
    stamp_received(request, source[0], source[1])
    response = service.answer(request, source[0])
    if response is None:
        log.debug("SIP: no answer to %d bytes from %s", len(data), source)
        return None
    return request, build_response(request, response)


def _is_ack(request: SipRequest) -> bool:
    """ACK never gets a response (RFC 3261 §17.2.1), even an unreadable one."""
    return request.method == "ACK" or (request.cseq is not None and request.cseq[1] == "ACK")


def _problem_of(request: SipRequest) -> str | None:
    if request.problems:
        return request.problems[0]
    if request.cseq and request.cseq[1] != request.method:
        return "CSeq method differs from the request method"
    if request.method == "INVITE" and not (request.first("from") and request.first("to")):
        return "From or To missing"
    return None


def bad_request(problem: str) -> Response:
    return Response(400, (("Warning", f'399 robotrace "{quoted_text(problem)}"'),))


def call_attempt(request: SipRequest, source_ip: str, upstream_of: UpstreamOf) -> CallAttempt:
    target = user_part(request.uri)
    tgrp, context = target.params.get("tgrp"), target.params.get("trunk-context")
    return CallAttempt(
        upstream=upstream_of(source_ip, tgrp, context) or "",  # "": unknown upstream
        calling=calling_number(request),
        called=called_number(request),
        identity=request.first("identity"),
    )


def calling_number(request: SipRequest) -> str:
    """The user of the first P-Asserted-Identity, else of From (as written, not normalised)."""
    for asserted in split_values(request.first("p-asserted-identity") or ""):
        if user := user_part(uri_of(asserted)).user:
            return user
    return user_part(uri_of(request.first("from") or "")).user


def called_number(request: SipRequest) -> str:
    """The user of the Request-URI, else of To."""
    return user_part(request.uri).user or user_part(uri_of(request.first("to") or "")).user


def reason_text(decision: Decision) -> str:
    """``<reason>[: <detail>][; authorization <id>][; final determination order <id>
    (mandatory)][; RMD removal order <order>]``: an RMD removal blocks without an
    authorization, so its order is what the text names instead."""
    parts = [f"{decision.reason}: {decision.detail}" if decision.detail else str(decision.reason)]
    if decision.authorization_id is not None:
        parts.append(f"authorization {decision.authorization_id}")
    if decision.order_id is not None:
        parts.append(f"final determination order {decision.order_id} (mandatory)")
    if decision.rmd_order:
        parts.append(f"RMD removal order {decision.rmd_order}")
    return "; ".join(parts)


def reason_header(decision: Decision, location: str = DEFAULT_LOCATION) -> str:
    """The Reason header value of a 603+ (ATIS-1000099): version, the decision's redress ways
    and its reference as ``id``, and where the blocker stands. The prose of
    :func:`reason_text` goes in a Warning header beside it, for people reading a trace."""
    return reason_value(decision.redress, decision.reference, location)


def quoted_text(text: str) -> str:
    """Safe inside a quoted-string: no control characters, ``\\`` and ``"`` escaped."""
    cleaned = _UNSAFE_TEXT.sub(" ", text).strip()
    return cleaned.replace("\\", "\\\\").replace('"', '\\"')
