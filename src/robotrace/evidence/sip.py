"""SIP INVITE captures (text) into the ``calls`` table, source ``sip``.

A capture file holds one or more SIP messages as text (UTF-8, CRLF or LF line ends), one after
another: a message starts at its start line (``INVITE sip:+13125550199@… SIP/2.0``), its
headers end at the first empty line, and its body (SDP) runs to the next start line. Blank
lines between messages are ignored; ``Content-Length`` is not used for framing, because text
captures often change line ends. Every message must be an INVITE: any other request or
response, and any text outside a message, is a bad row at its first line.

From each INVITE: the **calling number** from ``P-Asserted-Identity`` (its ``tel:`` URI if it
has one), else ``From``; the **called number** from the Request-URI, else ``To``, and it must
be a valid number; the **call time** from the ``Date`` header (RFC 1123), or the import's
default time for a message without one (else the message is a bad row); the raw
**Identity** header (several joined with ", "); the whole message in ``sip_message``. The
``source_ref`` is the SHA-256 of the message, so a retransmitted INVITE counts once and
importing a capture twice adds nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from robotrace.clock import as_utc
from robotrace.csvlines import first_bad_utf8_line
from robotrace.evidence.registry import EvidenceFormat, FileRead, ReadOptions
from robotrace.numbers import try_normalize
from robotrace.rows import RowError

SOURCE = "sip"
SUFFIXES = (".sip",)
_REQUEST = re.compile(r"^([A-Za-z]+) (\S+) SIP/2\.0\s*$")
_RESPONSE = re.compile(r"^SIP/2\.0 (\d{3})(?: (.*))?$")
_COMPACT = {"f": "from", "t": "to", "i": "call-id", "l": "content-length", "y": "identity"}
_NUMBER_LENGTH = 64  # models.RAW_NUMBER


@dataclass
class Message:
    """One SIP message as captured: its first line number, start line, headers and body."""

    line: int
    start: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    #: Every line of the message as captured, from the start line to the end of the body.
    lines: list[str] = field(default_factory=list)
    problem: str | None = None

    def values(self, name: str) -> list[str]:
        return [value for header, value in self.headers if header == name]

    def first(self, name: str) -> str | None:
        found = self.values(name)
        return found[0] if found else None

    def text(self) -> str:
        """The message as captured, with CRLF line ends as on the wire."""
        return "".join(f"{line.rstrip()}\r\n" for line in self.lines)


def is_start_line(line: str) -> bool:
    return bool(_REQUEST.match(line) or _RESPONSE.match(line))


# --- Framing ------------------------------------------------------------------------------


def messages(lines: list[str]) -> Iterator[Message | RowError]:
    """The messages of a capture, and a ``RowError`` (file '') for text outside them."""
    number, total = 0, len(lines)
    while number < total:
        line = lines[number]
        if not line.strip():
            number += 1
        elif not is_start_line(line):
            yield RowError("", number + 1, f"not a SIP start line: {line[:60]!r}")
            number = _next_start(lines, number + 1)
        else:
            message, number = _message(lines, number)
            yield message


def _next_start(lines: list[str], number: int) -> int:
    while number < len(lines) and not is_start_line(lines[number]):
        number += 1
    return number


def _message(lines: list[str], number: int) -> tuple[Message, int]:
    message = Message(number + 1, lines[number].strip())
    number += 1
    while number < len(lines) and lines[number].strip():
        _add_header(message, lines[number], number + 1)
        number += 1
    end = _next_start(lines, number)
    message.lines = lines[message.line - 1 : end]
    while message.lines and not message.lines[-1].strip():
        message.lines.pop()
    return message, end


def _add_header(message: Message, line: str, number: int) -> None:
    if line[:1] in (" ", "\t") and message.headers:  # folded onto the previous header
        name, value = message.headers[-1]
        message.headers[-1] = (name, f"{value} {line.strip()}")
        return
    name, colon, value = line.partition(":")
    if not colon or not name.strip():
        message.problem = message.problem or f"line {number} is not a header: {line[:60]!r}"
        return
    name = name.strip().lower()
    message.headers.append((_COMPACT.get(name, name), value.strip()))


# --- One INVITE → calls values ------------------------------------------------------------


def call_values(message: Message, options: ReadOptions, provider_id: int | None) -> dict[str, Any]:
    """An INVITE → the values of a ``calls`` row; ValueError says what is wrong."""
    if message.problem:
        raise ValueError(message.problem)
    request_uri = _invite_uri(message.start)
    calling = _calling_number(message)
    called, called_e164 = _called_number(request_uri, message.first("to"))
    text = message.text()
    identity = message.values("identity")
    return {
        "source": SOURCE,
        "source_ref": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "calling_number": calling,
        "calling_e164": try_normalize(calling),
        "called_number": called,
        "called_e164": called_e164,
        "call_time": _call_time(message.first("date"), options.default_time),
        "terminating_provider_id": provider_id,
        "transcript": "",
        "identity": ", ".join(identity) if identity else None,
        "recording": None,
        "sip_message": text,
    }


def _invite_uri(start: str) -> str:
    request = _REQUEST.match(start)
    if request is None:
        status = _RESPONSE.match(start)
        said = f"{status.group(1)} {status.group(2) or ''}".strip() if status else start
        raise ValueError(f"a SIP response ({said}), not an INVITE")
    if request.group(1) != "INVITE":
        raise ValueError(f"a {request.group(1)} request, not an INVITE")
    return request.group(2)


def uri_of(value: str) -> str:
    """The URI of a name-addr (``"Bob" <sip:…>;tag=x``) or addr-spec (``sip:…;tag=x``)."""
    value = value.strip()
    if "<" in value and ">" in value:
        return value[value.index("<") + 1 : value.index(">")].strip()
    return value.split(";", 1)[0].strip()


def number_of(uri: str) -> str:
    """The number a URI names: a ``tel:`` URI's number, a ``sip:`` URI's user part."""
    scheme, colon, rest = uri.partition(":")
    if not colon:
        return uri
    if scheme.lower() == "tel":
        return rest.split(";", 1)[0]
    user = rest.split("@", 1)[0] if "@" in rest else ""
    return user.split(";", 1)[0]


def _calling_number(message: Message) -> str:
    asserted = [
        uri_of(v) for value in message.values("p-asserted-identity") for v in value.split(",")
    ]
    tel = [uri for uri in asserted if uri.lower().startswith("tel:")]
    if tel or asserted:
        uri = (tel or asserted)[0]
    else:
        sender = message.first("from")
        if sender is None:
            raise ValueError("no P-Asserted-Identity or From header")
        uri = uri_of(sender)
    return _checked_length("calling number", number_of(uri))


def _called_number(request_uri: str, to: str | None) -> tuple[str, str]:
    candidates = [number_of(uri_of(request_uri))]
    if to is not None:
        candidates.append(number_of(uri_of(to)))
    for number in candidates:
        e164 = try_normalize(number)
        if e164 is not None:
            return _checked_length("called number", number), e164
    said = " nor ".join(repr(n) for n in candidates)
    raise ValueError(f"no valid called number in the Request-URI or To ({said})")


def _checked_length(what: str, number: str) -> str:
    if len(number) > _NUMBER_LENGTH:
        raise ValueError(f"{what} is longer than {_NUMBER_LENGTH} characters")
    return number


def _call_time(date: str | None, default: datetime | None) -> datetime:
    if date is None:
        if default is None:
            raise ValueError("no Date header, and no default time was given for such INVITEs")
        return as_utc(default)
    try:
        return as_utc(parsedate_to_datetime(date))
    except (TypeError, ValueError):
        raise ValueError(f"Date {date[:60]!r} is not an RFC 1123 date") from None


# --- The format -------------------------------------------------------------------------


def read(path: Path, shown: str, options: ReadOptions) -> FileRead:
    """Every INVITE of a capture as ``calls`` values, and every bad message."""
    found = FileRead(shown, SOURCE)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return found.reject(first_bad_utf8_line(path) or 1, "line is not valid UTF-8")
    if options.progress:
        options.progress(shown, path.stat().st_size, path.stat().st_size)
    provider = _provider_id(options.terminating_provider, options.providers)
    if isinstance(provider, str):
        return found.reject(1, provider)
    for item in messages(text.splitlines()):
        _take(found, item, options, provider)
    if found.rows == 0 and not found.errors:
        found.reject(1, "no SIP message in the file")
    return found


def _take(
    found: FileRead, item: Message | RowError, options: ReadOptions, provider: int | None
) -> None:
    if isinstance(item, RowError):
        found.errors.append(RowError(found.file, item.line, item.reason))
        return
    found.rows += 1
    try:
        found.calls.append(call_values(item, options, provider))
    except ValueError as exc:
        found.errors.append(RowError(found.file, item.line, str(exc)))


def _provider_id(key: str | None, providers: Mapping[str, int]) -> int | str | None:
    """The terminating provider's id; a ``str`` says why it cannot be used."""
    if not key:
        return None
    key = key.strip().upper()
    return providers.get(key, f"terminating provider {key} is not a known provider")


def recognises(first_line: str, path: Path) -> bool:
    return is_start_line(first_line) or path.suffix.lower() in SUFFIXES


SIP = EvidenceFormat(
    name="sip",
    title="SIP INVITE captures (text)",
    target="calls",
    recognises=recognises,
    read=read,
)
