"""SIP over UDP: one datagram, one answer — and a listener that comes back when asyncio drops it.

asyncio closes a datagram transport for good on any error of its own that is not an
``OSError`` (a bad reply address once did it: issue 24), and nothing tells the process: every
later INVITE goes unanswered while the rest looks healthy. :class:`UdpListener` binds the
socket again whenever that happens, after a bounded back-off, and says whether it is up.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from robotrace.blocking.sip.answer import SipService, respond
from robotrace.blocking.sip.responses import reply_address
from robotrace.blocking.sip.retransmissions import RecentAnswers

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Backoff:
    """Seconds before binding again: ``first``, doubled after each failure, at most ``most``."""

    first: float = 0.1
    most: float = 5.0


class DatagramSip(asyncio.DatagramProtocol):
    def __init__(
        self,
        service: SipService,
        recent: RecentAnswers | None = None,
        on_lost: Callable[[Exception | None], None] | None = None,
    ) -> None:
        self.service = service
        self.recent = recent if recent is not None else RecentAnswers()
        self.on_lost = on_lost
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        if self.on_lost is not None:
            self.on_lost(exc)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if self.transport is None:
            return
        try:
            reply = answer_datagram(self.service, self.recent, data, (addr[0], addr[1]))
            if reply is not None:
                self.transport.sendto(*reply)
        except Exception:
            log.exception("SIP: failed on a datagram from %s", addr)

    def error_received(self, exc: Exception) -> None:
        log.debug("SIP: UDP error %s", exc)  # e.g. ICMP port unreachable for a reply


def answer_datagram(
    service: SipService, recent: RecentAnswers, data: bytes, source: tuple[str, int]
) -> tuple[bytes, tuple[str, int]] | None:
    """What to send for one datagram, and where: a retransmission gets the answer already
    sent (from ``recent``), a new request its own (kept in ``recent``); None: nothing."""
    if data.startswith(b"ACK "):
        return None  # never answered (RFC 3261 §17.2.1): half of every call, not parsed
    again = recent.get(data, source)
    if again is not None:
        return again
    answered = respond(service, data, source, framed=False)
    if not answered:
        return None
    request, wire = answered
    destination = reply_address(request, source)
    recent.put(data, source, wire, destination)
    return wire, destination


class UdpListener:
    """The UDP socket on ``host:port``, bound again whenever asyncio closes it, until
    :meth:`close`. Answers already sent survive a re-bind (retransmissions still match)."""

    def __init__(
        self, host: str, port: int, service: SipService, backoff: Backoff | None = None
    ) -> None:
        self.host, self.port, self.service = host, port, service
        self.backoff = backoff or Backoff()
        self.recent = RecentAnswers()
        self.transport: asyncio.DatagramTransport | None = None
        self.closing = False
        self._rebinding: asyncio.Task[None] | None = None

    @property
    def up(self) -> bool:
        return self.transport is not None and not self.transport.is_closing()

    async def bind(self) -> None:
        """Bind the socket (``OSError`` when the address cannot be had)."""
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            lambda: DatagramSip(self.service, self.recent, self._lost),
            local_addr=(self.host, self.port),
        )
        self.transport = transport

    def _lost(self, exc: Exception | None) -> None:
        self.transport = None
        if self.closing:
            return
        log.error(
            "SIP: the UDP listener on %s:%s was closed (%r); binding it again",
            self.host,
            self.port,
            exc,
        )
        self._rebinding = asyncio.get_running_loop().create_task(self._rebind())

    async def _rebind(self) -> None:
        wait = self.backoff.first
        while not self.closing:
            await asyncio.sleep(wait)
            try:
                await self.bind()
            except OSError as exc:
                log.warning("SIP: binding UDP %s:%s again failed: %s", self.host, self.port, exc)
                wait = min(wait * 2, self.backoff.most)
                continue
            log.warning("SIP: the UDP listener on %s:%s is back", self.host, self.port)
            return

    def close(self) -> None:
        self.closing = True
        if self._rebinding is not None:
            self._rebinding.cancel()
        if self.transport is not None:
            self.transport.close()
