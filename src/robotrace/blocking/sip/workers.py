"""SIP answered by several processes: ``robotrace blocker --sip-processes N``.

One Python process decides some 5,000 INVITEs a second on this project's machines; more
cores need more processes. The parent binds one UDP socket and one TCP listening socket and
hands both to N worker processes, which each read from them, decide and answer. Every worker
holds the list the parent polled (sent over its pipe whenever the version changes) and counts
what it blocked; every ``flush_seconds`` it sends the parent what it added, so ``/metrics``
and the reports to the portal sum every worker.

Why one shared socket and not one ``SO_REUSEPORT`` socket per worker: the kernel spreads a
``SO_REUSEPORT`` group by a hash of the sender's address and port, so all the traffic of one
peer — an ingress SBC, which is how calls reach a blocker, or SIPp with one socket — lands on
one worker and the others idle. On one shared UDP socket each datagram wakes one worker that
waits in ``recvfrom`` (Linux queues them exclusively), so one peer's calls spread over every
worker; Kamailio's UDP children share their socket the same way. TCP connections are
accepted by whichever worker is free.

Workers are started with ``spawn`` (a clean interpreter: no threads or locks copied from the
parent) and build their service with the ``make_service`` function they are given — for the
blocker, from the same settings as the parent. A worker that dies is started again; a worker
whose parent dies exits (its pipe ends).
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from robotrace.blocking.counts import BlockCounts, CountRow, difference
from robotrace.blocking.model import LoadedBlocklist
from robotrace.blocking.refresh import ListState
from robotrace.blocking.sip.answer import SipService
from robotrace.blocking.sip.tcp import TcpLimits

log = logging.getLogger(__name__)

#: Builds a worker's service around the list state and counts it keeps (a module-level
#: function: it travels to the worker by name).
MakeService = Callable[[ListState, BlockCounts, str], SipService]

READY_SECONDS = 60.0  # a worker imports robotrace and reads its settings first
RESTART_SECONDS = 1.0  # at most one restart a second per worker


@dataclass(frozen=True)
class WorkerConfig:
    next_hop: str
    limits: TcpLimits = field(default_factory=TcpLimits)
    flush_seconds: float = 0.5  # how often a worker sends its new counts


def bind_shared(host: str, port: int) -> tuple[socket.socket, socket.socket]:
    """A listening TCP socket and a UDP socket on ``host:port`` (port 0: one free port for
    both). ``OSError`` when the address cannot be had."""
    family, _, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)[0]
    attempts = 20 if port == 0 else 1
    for attempt in range(attempts):
        tcp = socket.socket(family, socket.SOCK_STREAM)
        tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            tcp.bind(address)
            udp = socket.socket(family, socket.SOCK_DGRAM)
            try:
                udp.bind((address[0], tcp.getsockname()[1], *address[2:]))
            except OSError:
                udp.close()
                raise
        except OSError:
            tcp.close()
            if attempt == attempts - 1:
                raise
            continue
        tcp.listen(1024)
        return tcp, udp
    raise AssertionError("unreachable")


# --- the parent ----------------------------------------------------------------------------


@dataclass
class _Worker:
    index: int
    process: Any  # multiprocessing.Process (spawn context)
    conn: Connection
    ready: threading.Event = field(default_factory=threading.Event)
    requests: int = 0  # SIP requests it read (last report)
    started: float = field(default_factory=time.monotonic)
    sent: LoadedBlocklist | None = None  # the list it was last sent


class SipWorkers:
    """N worker processes answering SIP on one host and port, fed the list in ``state``;
    their blocked calls are added to ``counts``."""

    def __init__(
        self,
        host: str,
        port: int,
        processes: int,
        state: ListState,
        counts: BlockCounts,
        config: WorkerConfig,
        make_service: MakeService,
    ) -> None:
        if processes < 1:
            raise ValueError("processes must be 1 or more")
        self.host, self.state, self.counts = host, state, counts
        self.config, self.make_service = config, make_service
        self.tcp, self.udp = bind_shared(host, port)
        self.port = int(self.tcp.getsockname()[1])
        self.context = multiprocessing.get_context("spawn")
        self.workers = [self._spawn(i) for i in range(processes)]
        self.stopping = threading.Event()
        self._watcher = threading.Thread(target=self._watch, name="sip-workers", daemon=True)

    def start(self, timeout: float = READY_SECONDS) -> SipWorkers:
        """Wait until every worker answers; ``RuntimeError`` when one does not in time."""
        deadline = time.monotonic() + timeout
        for worker in self.workers:
            if not worker.ready.wait(max(0.0, deadline - time.monotonic())):
                self.stop()
                raise RuntimeError(f"SIP worker {worker.index} did not start in {timeout:g} s")
        self._watcher.start()
        return self

    def _spawn(self, index: int) -> _Worker:
        parent_end, child_end = self.context.Pipe()
        process = self.context.Process(
            target=worker_main,
            args=(index, self.udp, self.tcp, child_end, self.config, self.make_service),
            name=f"robotrace-sip-{index}",
            daemon=True,
        )
        process.start()
        child_end.close()
        worker = _Worker(index, process, parent_end)
        self._send_list(worker)
        threading.Thread(
            target=self._listen, args=(worker,), name=f"sip-worker-{index}", daemon=True
        ).start()
        return worker

    def _send_list(self, worker: _Worker) -> None:
        blocklist = self.state.blocklist
        if blocklist is None or blocklist is worker.sent:
            return
        try:
            worker.conn.send(("list", blocklist))
            worker.sent = blocklist
        except OSError:
            pass  # the worker is gone: the watcher starts another

    def _listen(self, worker: _Worker) -> None:
        """What one worker sends: ready, then its new counts now and then."""
        while True:
            try:
                kind, payload = worker.conn.recv()
            except (EOFError, OSError):
                return
            if kind == "ready":
                worker.ready.set()
            elif kind == "counts":
                rows, worker.requests = payload
                self.counts.add_rows(rows)

    def _watch(self) -> None:
        """Send each new list version to every worker; start a dead worker again."""
        while not self.stopping.wait(0.05):
            for position, worker in enumerate(self.workers):
                if worker.process.is_alive():
                    self._send_list(worker)
                elif time.monotonic() - worker.started >= RESTART_SECONDS:
                    log.error(
                        "SIP worker %d exited (code %s); starting it again",
                        worker.index,
                        worker.process.exitcode,
                    )
                    worker.conn.close()
                    self.workers[position] = self._spawn(worker.index)

    def health(self) -> dict[str, str]:
        """``ok`` for UDP and TCP while every worker runs, else ``down``."""
        up = all(w.ready.is_set() and w.process.is_alive() for w in self.workers)
        state = "ok" if up else "down"
        return {"udp": state, "tcp": state}

    def requests(self) -> list[int]:
        """SIP requests each worker has read (as of its last report)."""
        return [w.requests for w in self.workers]

    def stop(self) -> None:
        """Ask every worker to send its last counts and exit; end those that do not."""
        self.stopping.set()
        for worker in self.workers:
            with contextlib.suppress(OSError):
                worker.conn.send(("stop", None))
        for worker in self.workers:
            worker.process.join(5)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(5)
        self.tcp.close()
        self.udp.close()


# --- a worker ------------------------------------------------------------------------------


def worker_main(
    index: int,
    udp: socket.socket,
    tcp: socket.socket,
    conn: Connection,
    config: WorkerConfig,
    make_service: MakeService,
) -> None:
    """One worker: TCP on an event loop thread, the control pipe on another, UDP here."""
    from robotrace.logs import configure_logging
    from robotrace.settings import Settings

    # A terminal's Ctrl-C or a kill of the process group reaches the workers too: they end
    # when the parent tells them (their last counts sent) or when its pipe closes.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    configure_logging(Settings.from_environ())  # a new process: its own, the parent's variables
    state, counts = ListState(), BlockCounts()
    service = make_service(state, counts, config.next_hop)
    requests = [0]  # UDP requests read
    _serve_tcp_in_thread(service, tcp, config.limits)
    control = _Control(index, conn, state, counts, requests, config.flush_seconds)
    threading.Thread(target=control.run, name="sip-control", daemon=True).start()
    conn.send(("ready", None))
    _serve_udp(service, udp, requests)


def _serve_udp(service: SipService, udp: socket.socket, requests: list[int]) -> None:
    from robotrace.blocking.sip.retransmissions import RecentAnswers
    from robotrace.blocking.sip.udp import answer_datagram

    recent = RecentAnswers()
    udp.setblocking(True)  # one waiting worker is woken per datagram
    receive, send = udp.recvfrom, udp.sendto
    while True:
        try:
            data, address = receive(65_535)
        except OSError as exc:
            log.warning("SIP: UDP receive failed: %s", exc)
            time.sleep(0.01)
            continue
        requests[0] += 1
        try:
            reply = answer_datagram(service, recent, data, (address[0], address[1]))
            if reply is not None:
                send(*reply)
        except OSError as exc:
            log.debug("SIP: UDP send to %s failed: %s", address, exc)
        except Exception:
            log.exception("SIP: failed on a datagram from %s", address)


def _serve_tcp_in_thread(service: SipService, tcp: socket.socket, limits: TcpLimits) -> None:
    import asyncio

    from robotrace.blocking.sip.tcp import TcpConnections

    loop = asyncio.new_event_loop()
    connections = TcpConnections(service, limits)
    tcp.setblocking(False)
    serving = asyncio.start_server(connections.serve, sock=tcp, limit=limits.max_message)
    loop.run_until_complete(serving)
    threading.Thread(target=loop.run_forever, name="sip-tcp", daemon=True).start()


@dataclass
class _Control:
    """A worker's side of the pipe: new list versions in, counts out, stop."""

    index: int
    conn: Connection
    state: ListState
    counts: BlockCounts
    requests: list[int]
    flush_seconds: float
    sent: list[CountRow] = field(default_factory=list)

    def run(self) -> None:
        try:
            while True:
                if self.conn.poll(self.flush_seconds):
                    kind, payload = self.conn.recv()
                    if kind == "list":
                        self.state.blocklist = payload  # one reference swap, as the parent's
                    elif kind == "stop":
                        self.flush()
                        break
                self.flush()
        except (EOFError, OSError):
            pass  # the parent is gone
        os._exit(0)

    def flush(self) -> None:
        now = self.counts.snapshot()
        new = difference(now, self.sent)
        self.conn.send(("counts", (new, self.requests[0])))
        self.sent = now
