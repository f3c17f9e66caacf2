"""SIP request parsing (RFC 3261 §7, §20): tolerant, never raising on bad input.

Every message that arrives is reduced to a :class:`SipRequest` that records what it could
read and what was wrong (``problems``), so the server can still answer 400 whenever the
headers needed to address a response (Via, Call-ID, CSeq) survived. Bytes are decoded as UTF-8
with ``surrogateescape``: whatever the request said is copied back byte for byte.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

ENCODING = "utf-8"
ERRORS = "surrogateescape"

# RFC 3261 §7.3.3 and later RFCs (Identity: RFC 8224).
COMPACT_FORMS = {
    "a": "accept-contact",
    "b": "referred-by",
    "c": "content-type",
    "d": "request-disposition",
    "e": "content-encoding",
    "f": "from",
    "i": "call-id",
    "j": "reject-contact",
    "k": "supported",
    "l": "content-length",
    "m": "contact",
    "o": "event",
    "r": "refer-to",
    "s": "subject",
    "t": "to",
    "u": "allow-events",
    "v": "via",
    "x": "session-expires",
    "y": "identity",
}

_TOKEN = re.compile(r"^[A-Za-z0-9\-.!%*_+`'~]+$")
_REQUEST_LINE = re.compile(r"^([A-Za-z0-9\-.!%*_+`'~]+) (\S+) SIP/2\.0$", re.IGNORECASE)
_CSEQ = re.compile(r"^\s*(\d{1,10})\s+([A-Za-z0-9\-.!%*_+`'~]+)\s*$")


@dataclass
class SipRequest:
    """One request as read. ``headers`` keep their order, with canonical lower-case names."""

    method: str = ""
    uri: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    problems: list[str] = field(default_factory=list)
    is_response: bool = False
    #: name → values, built at the first look-up: a request is read some 25 times per answer.
    _index: dict[str, list[str]] | None = field(default=None, init=False, repr=False)
    _indexed: int = field(default=-1, init=False, repr=False)  # len(headers) when built

    def all(self, name: str) -> list[str]:
        """Every value of header ``name`` (full or compact name), in order."""
        index = self._index
        if index is None or self._indexed != len(self.headers):
            index = self._build_index()
        values = index.get(name)  # callers mostly ask by the canonical name already
        return values if values is not None else index.get(canonical_name(name), [])

    def first(self, name: str) -> str | None:
        values = self.all(name)
        return values[0] if values else None

    def replace_header(self, position: int, value: str) -> None:
        """Set the value of ``headers[position]`` (its name stays; the index follows)."""
        name = self.headers[position][0]
        self.headers[position] = (name, value)
        if self._index is not None and self._indexed == len(self.headers):
            nth = sum(1 for key, _ in self.headers[:position] if key == name)
            self._index[name][nth] = value

    def _build_index(self) -> dict[str, list[str]]:
        index: dict[str, list[str]] = {}
        for key, value in self.headers:
            index.setdefault(key, []).append(value)
        self._index, self._indexed = index, len(self.headers)
        return index

    @property
    def cseq(self) -> tuple[int, str] | None:
        """(sequence number, method) from CSeq, or None when missing or unreadable."""
        raw = self.first("cseq")
        return _cseq_of(raw) if raw is not None else None


@lru_cache(maxsize=1024)
def _cseq_of(raw: str) -> tuple[int, str] | None:
    match = _CSEQ.match(raw)
    return (int(match.group(1)), match.group(2).upper()) if match else None


@lru_cache(maxsize=256)  # the names that occur are few; a bound for those a peer invents
def canonical_name(name: str) -> str:
    lowered = name.strip().lower()
    return COMPACT_FORMS.get(lowered, lowered)


def split_head(data: bytes) -> tuple[bytes, bytes, bool]:
    """(head, body, whether a blank line ended the head); accepts bare-LF line ends."""
    for separator in (b"\r\n\r\n", b"\n\n"):
        at = data.find(separator)
        if at >= 0:
            return data[:at], data[at + len(separator) :], True
    return data, b"", False


_LINE_END = re.compile(r"\r\n|\n|\r")


def unfold(head: str) -> list[str]:
    """Lines of the head with continuation lines (leading SP/HT) joined by one space."""
    if "\n " not in head and "\n\t" not in head:  # no continuation lines: the usual head
        if "\r" not in head:
            return head.split("\n")
        if head.count("\r") == head.count("\n") == head.count("\r\n"):
            return head.split("\r\n")
    lines: list[str] = []
    for line in _LINE_END.split(head):
        if line[:1] in (" ", "\t") and lines:
            lines[-1] = lines[-1].rstrip() + " " + line.strip()
        else:
            lines.append(line)
    return lines


def parse_request(data: bytes, *, framed: bool = False) -> SipRequest:
    """Read one request; ``framed`` when a stream transport already cut it by Content-Length."""
    request = SipRequest()
    head, body, complete = split_head(data.lstrip(b"\r\n"))
    if not complete:
        request.problems.append("no blank line after the headers")
    lines = unfold(head.decode(ENCODING, ERRORS))
    _read_start_line(request, lines[0] if lines else "")
    for line in lines[1:]:
        _read_header(request, line)
    request.body = _checked_body(request, body, framed)
    return request


def _read_start_line(request: SipRequest, line: str) -> None:
    if line.upper().startswith("SIP/2.0 "):
        request.is_response = True
        return
    match = _REQUEST_LINE.match(line.strip())
    if match is None:
        request.problems.append("unreadable request line")
        return
    request.method, request.uri = match.group(1).upper(), match.group(2)


def _read_header(request: SipRequest, line: str) -> None:
    if not line.strip():
        return
    name, colon, value = line.partition(":")
    if not colon or not _TOKEN.match(name.strip()):
        request.problems.append(f"unreadable header line {line[:40]!r}")
        return
    request.headers.append((canonical_name(name), value.strip()))


def _checked_body(request: SipRequest, body: bytes, framed: bool) -> bytes:
    raw = request.first("content-length")
    if raw is None:
        return body
    if not (raw.isascii() and raw.isdigit()):
        request.problems.append(f"bad Content-Length {raw[:20]!r}")
        return body
    length = int(raw)
    if length > len(body) and not framed:
        # RFC 3261 §18.3: on a datagram, a body shorter than announced is an error.
        request.problems.append("body shorter than Content-Length")
        return body
    return body[:length]
