"""The SIP redirect server's transports: UDP and TCP listeners on one host and port (asyncio).

:func:`serve_sip` starts both in the running event loop; :func:`serve_sip_in_thread` gives a
synchronous caller (the blocker process, tests) a server on its own loop and thread. Nothing a
peer sends can stop the server: every message is answered, or dropped and logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import threading
from dataclasses import dataclass, field
from typing import cast

from robotrace.blocking.sip.answer import Decider, SipService, UpstreamOf, tgrp_as_ocn
from robotrace.blocking.sip.message import SipRequest, parse_request
from robotrace.blocking.sip.responses import build_response, reply_address, stamp_received
from robotrace.blocking.sip.retransmissions import RecentAnswers

log = logging.getLogger(__name__)

MAX_HEAD = 64 * 1024  # a TCP peer sending more header bytes than this is disconnected
MAX_BODY = 64 * 1024
_CONTENT_LENGTH = re.compile(rb"^(?:content-length|l)[ \t]*:[ \t]*(\S*)", re.I | re.M)


@dataclass
class SipServer:
    """Listening UDP and TCP endpoints; ``port`` is the one both share."""

    host: str
    port: int
    _udp: asyncio.DatagramTransport
    _tcp: asyncio.Server
    _connections: set[asyncio.StreamWriter] = field(default_factory=set)

    async def close(self) -> None:
        self._udp.close()
        self._tcp.close()
        for writer in list(self._connections):
            writer.close()
        await self._tcp.wait_closed()


async def serve_sip(
    host: str,
    port: int,
    decider: Decider,
    upstream_of: UpstreamOf = tgrp_as_ocn,
    *,
    next_hop: str,
    redirect_status: int = 302,
) -> SipServer:
    """Start answering SIP on UDP and TCP ``host:port`` (port 0: a free port for both)."""
    service = SipService(decider, next_hop, upstream_of, redirect_status)
    return await serve_service(host, port, service)


async def serve_service(host: str, port: int, service: SipService) -> SipServer:
    attempts = 20 if port == 0 else 1
    for attempt in range(attempts):
        try:
            return await _bind(host, port, service)
        except OSError:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


async def _bind(host: str, port: int, service: SipService) -> SipServer:
    loop = asyncio.get_running_loop()
    connections: set[asyncio.StreamWriter] = set()

    async def on_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.add(writer)
        try:
            await serve_stream(service, reader, writer)
        finally:
            connections.discard(writer)

    tcp = await asyncio.start_server(on_connection, host, port, limit=MAX_HEAD)
    bound = tcp.sockets[0].getsockname()[1]
    try:
        udp, _ = await loop.create_datagram_endpoint(
            lambda: DatagramSip(service), local_addr=(host, bound)
        )
    except OSError:
        tcp.close()
        raise
    log.info("SIP redirect server on %s:%s (UDP and TCP)", host, bound)
    return SipServer(host, bound, udp, tcp, connections)


def respond(
    service: SipService, data: bytes, source: tuple[str, int], framed: bool
) -> tuple[SipRequest, bytes] | None:
    """(the request as stamped, the response bytes), or None where nothing is sent."""
    request = parse_request(data, framed=framed)
    stamp_received(request, source[0], source[1])
    response = service.answer(request, source[0])
    if response is None:
        log.debug("SIP: no answer to %d bytes from %s", len(data), source)
        return None
    return request, build_response(request, response)


class DatagramSip(asyncio.DatagramProtocol):
    def __init__(self, service: SipService, recent: RecentAnswers | None = None) -> None:
        self.service = service
        self.recent = recent if recent is not None else RecentAnswers()
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if self.transport is None:
            return
        source = (addr[0], addr[1])
        try:
            again = self.recent.get(data, source)  # a retransmission: the same answer again
            if again is not None:
                self.transport.sendto(*again)
                return
            answered = respond(self.service, data, source, framed=False)
            if answered:
                request, wire = answered
                destination = reply_address(request, source)
                self.transport.sendto(wire, destination)
                self.recent.put(data, source, wire, destination)
        except Exception:
            log.exception("SIP: failed on a datagram from %s", addr)

    def error_received(self, exc: Exception) -> None:
        log.debug("SIP: UDP error %s", exc)  # e.g. ICMP port unreachable for a reply


async def serve_stream(
    service: SipService, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    """Answer requests on one TCP connection, framed by Content-Length, until it ends."""
    peer = writer.get_extra_info("peername") or ("", 0)
    try:
        while (message := await read_message(reader)) is not None:
            answered = respond(service, message, (peer[0], peer[1]), framed=True)
            if answered:
                writer.write(answered[1])
                await writer.drain()
            if _content_length(message) is None:
                break  # an unreadable Content-Length leaves no way to find the next message
    except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        pass
    except Exception:
        log.exception("SIP: failed on a TCP connection from %s", peer)
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()


async def read_message(reader: asyncio.StreamReader) -> bytes | None:
    """The next message (head and body), skipping CRLF keep-alives; None at the end."""
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
    if length > MAX_BODY:
        raise ConnectionError("body too large")
    return head + await reader.readexactly(length)


def _content_length(message: bytes) -> int | None:
    """The Content-Length of the head (0 when absent), None when unreadable."""
    head = message.split(b"\r\n\r\n", 1)[0]
    match = _CONTENT_LENGTH.search(head)
    if match is None:
        return 0
    value = match.group(1)
    return int(value) if value.isascii() and value.isdigit() else None


@dataclass
class RunningSipServer:
    """A server on its own event loop thread; :meth:`stop` ends both."""

    server: SipServer
    loop: asyncio.AbstractEventLoop
    thread: threading.Thread

    @property
    def port(self) -> int:
        return self.server.port

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.server.close(), self.loop).result(timeout=5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)
        self.loop.close()


def serve_sip_in_thread(host: str, port: int, service: SipService) -> RunningSipServer:
    """Start the server in a daemon thread; returns once it listens."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="sip-server", daemon=True)
    thread.start()
    try:
        future = asyncio.run_coroutine_threadsafe(serve_service(host, port, service), loop)
        server = future.result(timeout=10)
    except BaseException:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)
        loop.close()
        raise
    return RunningSipServer(server, loop, thread)
