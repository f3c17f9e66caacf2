"""Building responses (RFC 3261 §8.2.6) and addressing them back (§18.2.1, §18.2.2, RFC 3581).

A response copies every Via (in order), From, To, Call-ID and CSeq of its request, adds a To
tag when the request had none, and ends with ``Content-Length: 0``. The tag is derived from
the request (Call-ID, From tag, top Via branch, CSeq number), so a retransmitted request — and
a CANCEL of an INVITE — gets the same tag from this stateless server.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from robotrace.blocking.sip.address import address_params, sent_by, split_values
from robotrace.blocking.sip.message import ENCODING, ERRORS, SipRequest

SERVER = "robotrace-blocker"
DEFAULT_PORT = 5060
MAX_PORT = 65_535

REASON_PHRASES = {
    200: "OK",
    301: "Moved Permanently",
    302: "Moved Temporarily",
    305: "Use Proxy",
    380: "Alternative Service",
    400: "Bad Request",
    405: "Method Not Allowed",
    484: "Address Incomplete",
    500: "Server Internal Error",
    501: "Not Implemented",
    603: "Network Blocked",
}


@dataclass(frozen=True)
class Response:
    status: int
    extra: tuple[tuple[str, str], ...] = ()
    phrase: str = ""

    @property
    def reason_phrase(self) -> str:
        return self.phrase or REASON_PHRASES.get(self.status, "Unknown")


def can_answer(request: SipRequest) -> bool:
    """Whether the request carries what a response must echo: a Via, a Call-ID, a CSeq."""
    return bool(request.all("via")) and bool(request.first("call-id")) and bool(request.cseq)


def to_tag(request: SipRequest) -> str:
    """A tag that is the same for every retransmission of the request (and its CANCEL)."""
    from_tag = address_params(request.first("from") or "").get("tag", "")
    top = sent_by(top_via(request) or "")
    branch = top.params.get("branch", "") if top else ""
    number = request.cseq[0] if request.cseq else 0
    seed = "\n".join((request.first("call-id") or "", from_tag, branch, str(number)))
    return hashlib.blake2b(seed.encode(ENCODING, ERRORS), digest_size=8).hexdigest()


def build_response(request: SipRequest, response: Response) -> bytes:
    """The wire form of ``response`` to ``request``."""
    lines = [f"SIP/2.0 {response.status} {response.reason_phrase}"]
    lines += [f"Via: {via}" for via in request.all("via")]
    if (sender := request.first("from")) is not None:
        lines.append(f"From: {sender}")
    if (recipient := request.first("to")) is not None:
        lines.append(f"To: {_tagged(recipient, request)}")
    lines.append(f"Call-ID: {request.first('call-id')}")
    lines.append(f"CSeq: {request.first('cseq')}")
    lines += [f"{name}: {value}" for name, value in response.extra]
    lines += [f"Server: {SERVER}", "Content-Length: 0", "", ""]
    return "\r\n".join(lines).encode(ENCODING, ERRORS)


def _tagged(recipient: str, request: SipRequest) -> str:
    if "tag" in address_params(recipient):
        return recipient
    return f"{recipient};tag={to_tag(request)}"


def top_via(request: SipRequest) -> str | None:
    vias = request.all("via")
    values = split_values(vias[0]) if vias else []
    return values[0] if values else None


def stamp_received(request: SipRequest, source_host: str, source_port: int) -> None:
    """Add ``received`` (and fill an empty ``rport``) on the top Via, as §18.2.1 asks."""
    top = top_via(request)
    parsed = sent_by(top or "")
    if top is None or parsed is None:
        return
    stamped = top
    if "rport" in parsed.params and not parsed.params["rport"]:
        stamped = _with_param(stamped, "rport", str(source_port), replace_empty=True)
    if parsed.host != source_host or "rport" in parsed.params:
        stamped = _with_param(stamped, "received", source_host)
    position = _first_via_index(request)
    request.replace_header(position, request.headers[position][1].replace(top, stamped, 1))


def _first_via_index(request: SipRequest) -> int:
    return next(i for i, (name, _) in enumerate(request.headers) if name == "via")


def _with_param(via: str, name: str, value: str, *, replace_empty: bool = False) -> str:
    if replace_empty:
        head, sep, tail = via.partition(";")
        params = [f"{name}={value}" if p.strip().lower() == name else p for p in tail.split(";")]
        return head + sep + ";".join(params)
    if f";{name}=" in via.lower():
        return via
    return f"{via};{name}={value}"


def reply_address(request: SipRequest, source: tuple[str, int]) -> tuple[str, int]:
    """Where a UDP response goes (§18.2.2 with RFC 3581): the port of ``rport``, else of
    sent-by, at the address the request came from — which ``received`` names (we stamp it),
    so a ``received`` or host the sender wrote never sends our answer elsewhere. A port out
    of 1–65535 (``rport=70000``) is the sender's: the answer goes back to the source."""
    parsed = sent_by(top_via(request) or "")
    if parsed is None or "maddr" in parsed.params:
        return source
    rport = parsed.params.get("rport", "")
    if rport.isascii() and rport.isdigit():
        port = int(rport) if len(rport) <= 5 else 0
    else:
        port = parsed.port or DEFAULT_PORT
    return (source[0], port) if 0 < port <= MAX_PORT else source
