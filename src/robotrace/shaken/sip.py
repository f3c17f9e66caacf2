"""Just enough of a SIP request for verification: Identity headers and the call's numbers.

RFC 8224 §6.2 compares the PASSporT's ``orig`` with the caller (P-Asserted-Identity, else
From) and its ``dest`` with the callee (To, or the Request-URI after retargeting). Headers are
unfolded and compact names understood (``f`` From, ``t`` To, ``y`` Identity).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_REQUEST_LINE = re.compile(r"^([A-Z]+)\s+(\S+)\s+SIP/2\.0\s*$")
_COMPACT = {"f": "from", "t": "to", "y": "identity"}


@dataclass(frozen=True)
class SipRequest:
    method: str
    request_uri: str
    headers: list[tuple[str, str]] = field(default_factory=list)  # (lower-case name, value)

    def values(self, name: str) -> list[str]:
        """Every value of header ``name``, comma-separated lists split."""
        values: list[str] = []
        for header, value in self.headers:
            if header == name:
                values += split_list(value)
        return values


def looks_like_request(text: str) -> bool:
    first = text.lstrip().split("\n", 1)[0].rstrip("\r")
    return bool(_REQUEST_LINE.match(first))


def _unfold(lines: list[str]) -> list[str]:
    unfolded: list[str] = []
    for line in lines:
        if line[:1] in (" ", "\t") and unfolded:
            unfolded[-1] += " " + line.strip()
        else:
            unfolded.append(line)
    return unfolded


def parse_request(text: str) -> SipRequest:
    """Parse a SIP request's start line and headers (the body, if any, is ignored)."""
    lines = text.lstrip().replace("\r\n", "\n").split("\n")
    match = _REQUEST_LINE.match(lines[0])
    if not match:
        raise ValueError("not a SIP request line")
    head = lines[1 : lines.index("") if "" in lines else len(lines)]
    headers = []
    for line in _unfold(head):
        name, colon, value = line.partition(":")
        if colon:
            name = name.strip().lower()
            headers.append((_COMPACT.get(name, name), value.strip()))
    return SipRequest(match.group(1), match.group(2), headers)


def split_list(value: str) -> list[str]:
    """Split a header value at commas outside ``<…>`` and quotes."""
    parts: list[str]
    current: list[str]
    parts, current, depth, quoted = [], [], 0, False
    for char in value:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in "<>":
            depth += 1 if char == "<" else -1
        elif char == "," and not quoted and depth == 0:
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    parts.append("".join(current).strip())
    return [p for p in parts if p]


def address_of(value: str) -> str:
    """The URI of a name-addr or addr-spec: ``"Bob" <sip:+1202…@h>;tag=x`` → ``sip:+1202…@h``."""
    start, end = value.find("<"), value.find(">")
    if 0 <= start < end:
        return value[start + 1 : end]
    return value.split(";", 1)[0].strip()


def caller_numbers(request: SipRequest) -> list[str]:
    """The caller's URIs: every P-Asserted-Identity, then From."""
    values = request.values("p-asserted-identity") + request.values("from")
    return [address_of(v) for v in values]


def callee_numbers(request: SipRequest) -> list[str]:
    """The callee's URIs: To, then the Request-URI."""
    return [address_of(v) for v in request.values("to")] + [request.request_uri]
