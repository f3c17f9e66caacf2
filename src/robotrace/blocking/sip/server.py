"""The SIP redirect server's transports: UDP and TCP listeners on one host and port (asyncio).

:func:`serve_sip` starts both in the running event loop; :func:`serve_sip_in_thread` gives a
synchronous caller (the blocker process, tests) a server on its own loop and thread. Nothing a
peer sends can stop the server: every message is answered, or dropped and logged; a UDP socket
that asyncio closes is bound again (:mod:`.udp`), and TCP peers are held to
:class:`~robotrace.blocking.sip.tcp.TcpLimits` (:mod:`.tcp`). :meth:`SipServer.health` says
whether each listener is up.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass

from robotrace.blocking.sip.answer import Decider, SipService, UpstreamOf, tgrp_as_ocn
from robotrace.blocking.sip.answer import respond as respond  # its home before issue 24
from robotrace.blocking.sip.tcp import TcpConnections, TcpLimits
from robotrace.blocking.sip.udp import Backoff, UdpListener

log = logging.getLogger(__name__)


@dataclass
class SipServer:
    """Listening UDP and TCP endpoints; ``port`` is the one both share."""

    host: str
    port: int
    udp: UdpListener
    tcp: asyncio.Server
    connections: TcpConnections

    def health(self) -> dict[str, str]:
        """``{"udp": "ok" | "down", "tcp": "ok" | "down"}``."""
        return {
            "udp": "ok" if self.udp.up else "down",
            "tcp": "ok" if self.tcp.is_serving() else "down",
        }

    async def close(self) -> None:
        self.udp.close()
        self.tcp.close()
        self.connections.close_all()
        await self.tcp.wait_closed()


async def serve_sip(
    host: str,
    port: int,
    decider: Decider,
    upstream_of: UpstreamOf = tgrp_as_ocn,
    *,
    next_hop: str,
    redirect_status: int = 302,
    limits: TcpLimits | None = None,
) -> SipServer:
    """Start answering SIP on UDP and TCP ``host:port`` (port 0: a free port for both)."""
    service = SipService(decider, next_hop, upstream_of, redirect_status)
    return await serve_service(host, port, service, limits)


async def serve_service(
    host: str,
    port: int,
    service: SipService,
    limits: TcpLimits | None = None,
    backoff: Backoff | None = None,
) -> SipServer:
    attempts = 20 if port == 0 else 1
    for attempt in range(attempts):
        try:
            return await _bind(host, port, service, limits or TcpLimits(), backoff)
        except OSError:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


async def _bind(
    host: str, port: int, service: SipService, limits: TcpLimits, backoff: Backoff | None
) -> SipServer:
    connections = TcpConnections(service, limits)
    tcp = await asyncio.start_server(connections.serve, host, port, limit=limits.max_message)
    bound = tcp.sockets[0].getsockname()[1]
    udp = UdpListener(host, bound, service, backoff)
    try:
        await udp.bind()
    except OSError:
        tcp.close()
        raise
    log.info("SIP redirect server on %s:%s (UDP and TCP)", host, bound)
    return SipServer(host, bound, udp, tcp, connections)


@dataclass
class RunningSipServer:
    """A server on its own event loop thread; :meth:`stop` ends both."""

    server: SipServer
    loop: asyncio.AbstractEventLoop
    thread: threading.Thread

    @property
    def port(self) -> int:
        return self.server.port

    def health(self) -> dict[str, str]:
        """Each listener's state (read from another thread: two attribute reads)."""
        return self.server.health()

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.server.close(), self.loop).result(timeout=5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)
        self.loop.close()


def serve_sip_in_thread(
    host: str,
    port: int,
    service: SipService,
    limits: TcpLimits | None = None,
    backoff: Backoff | None = None,
) -> RunningSipServer:
    """Start the server in a daemon thread; returns once it listens."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="sip-server", daemon=True)
    thread.start()
    try:
        serving = serve_service(host, port, service, limits, backoff)
        future = asyncio.run_coroutine_threadsafe(serving, loop)
        server = future.result(timeout=10)
    except BaseException:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)
        loop.close()
        raise
    return RunningSipServer(server, loop, thread)
