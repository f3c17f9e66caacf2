"""SIP over TCP: messages framed by Content-Length, under limits on what one peer may hold.

Without limits a peer could open connections and send nothing, or a byte at a time, and each
stayed open for as long as it liked (500 half-open connections from one address stayed 77 s
and more: issue 24). :class:`TcpLimits` bounds them: each message must be complete within
``idle_seconds`` of the last one (or of the connection's start) — which ends both idle and
trickling connections —, one source address holds at most ``max_per_address`` connections
(more are closed at once), and a message is at most ``max_message`` bytes, head and body.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections import Counter
from dataclasses import dataclass

from robotrace.blocking.sip.answer import SipService, respond

log = logging.getLogger(__name__)

_CONTENT_LENGTH = re.compile(rb"^(?:content-length|l)[ \t]*:[ \t]*(\S*)", re.I | re.M)


@dataclass(frozen=True)
class TcpLimits:
    """What one TCP peer may hold (docs/sip.md, "Transports")."""

    #: A connection that completes no message (request) for this long is closed.
    idle_seconds: float = 30.0
    #: Connections one source address may hold; more are closed as soon as they open.
    max_per_address: int = 32
    #: The longest message, head and body together: the longest a UDP datagram can carry.
    max_message: int = 65_535


class TcpConnections:
    """The open connections, counted per source address; :meth:`serve` is the callback that
    ``asyncio.start_server`` runs for each."""

    def __init__(self, service: SipService, limits: TcpLimits) -> None:
        self.service, self.limits = service, limits
        self.writers: set[asyncio.StreamWriter] = set()
        self.per_address: Counter[str] = Counter()
        self.warned: set[str] = set()  # addresses told about once while they hold the most

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        address = str((writer.get_extra_info("peername") or ("",))[0])
        if self.per_address[address] >= self.limits.max_per_address:
            self._refuse(address, writer)
            return
        self.per_address[address] += 1
        self.writers.add(writer)
        try:
            await serve_stream(self.service, reader, writer, self.limits)
        finally:
            self.writers.discard(writer)
            self.per_address[address] -= 1
            if self.per_address[address] <= 0:
                del self.per_address[address]
                self.warned.discard(address)

    def _refuse(self, address: str, writer: asyncio.StreamWriter) -> None:
        if address not in self.warned:
            self.warned.add(address)
            log.warning(
                "SIP: %s holds %d TCP connections, the most allowed; closing any more",
                address,
                self.limits.max_per_address,
            )
        writer.transport.abort()

    def close_all(self) -> None:
        for writer in list(self.writers):
            writer.close()


async def serve_stream(
    service: SipService,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    limits: TcpLimits | None = None,
) -> None:
    """Answer requests on one TCP connection, framed by Content-Length, until it ends or a
    limit is passed."""
    limits = limits or TcpLimits()
    peer = writer.get_extra_info("peername") or ("", 0)
    try:
        while True:
            async with asyncio.timeout(limits.idle_seconds):
                message = await read_message(reader, limits.max_message)
                if message is None:
                    break
                answered = respond(service, message, (peer[0], peer[1]), framed=True)
                if answered:
                    writer.write(answered[1])
                    await writer.drain()  # a peer that reads nothing times out here
            if _content_length(message) is None:
                break  # an unreadable Content-Length leaves no way to find the next message
    except (TimeoutError, ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        pass
    except Exception:
        log.exception("SIP: failed on a TCP connection from %s", peer)
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()


async def read_message(reader: asyncio.StreamReader, most: int = 65_535) -> bytes | None:
    """The next message (head and body), skipping CRLF keep-alives; None at the end.
    ``ConnectionError`` when it is longer than ``most`` bytes (the reader's own limit ends a
    head that long without a blank line)."""
    while True:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return None
        if head.strip():
            break
    length = _content_length(head)
    if length is None:
        return head
    if len(head) + length > most:
        raise ConnectionError("message too large")
    return head + await reader.readexactly(length)


def _content_length(message: bytes) -> int | None:
    """The Content-Length of the head (0 when absent), None when unreadable."""
    head = message.split(b"\r\n\r\n", 1)[0]
    match = _CONTENT_LENGTH.search(head)
    if match is None:
        return 0
    value = match.group(1)
    return int(value) if value.isascii() and value.isdigit() else None
