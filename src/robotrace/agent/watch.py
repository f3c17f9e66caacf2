"""``robotrace agent --watch``: hold the portal's event stream and answer at once.

A reader thread holds ``GET /api/v1/events`` open and wakes the agent on each event; the
agent's own thread then catches up with :meth:`Agent.poll_all` — the one call that reads
everything open from the API. Events are hints, so nothing depends on receiving each one:

- the agent catches up when the stream is (re)connected — after the portal says ``ready``,
  so anything made while it was away is read from the API, and anything made after is
  heard;
- on every event (several that arrive together cost one catch-up);
- and at least every ``interval`` seconds, whatever the stream does (the safety net).

A lost stream is reopened with capped exponential backoff and full jitter. Answers go
through the same ``Agent`` as polling, so a request is never answered twice (its memory
and the portal's 409).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import httpx

from robotrace.agent.client import Backoff, PortalClient, PortalRefused, PortalUnavailable
from robotrace.agent.loop import Agent

_LOG = logging.getLogger("robotrace.agent")

#: Seconds without a byte (the portal sends keep-alives) before the stream counts as dead.
STREAM_READ_TIMEOUT = 75.0
CONNECTED = "connected"  # what the reader says once the portal is listening for us


@dataclass(frozen=True)
class ServerEvent:
    name: str
    data: str


def parse_events(lines: Iterable[str]) -> Iterator[ServerEvent]:
    """The events in a ``text/event-stream`` (its lines, without line ends): ``event:``
    and ``data:`` fields up to a blank line, as the WHATWG spec reads them — a block
    without data is no event; comments and other fields are skipped."""
    data: list[str]
    name, data = "message", []
    for line in lines:
        if not line:
            if data:
                yield ServerEvent(name, "\n".join(data))
            name, data = "message", []
            continue
        if line.startswith(":"):
            continue
        field_name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field_name == "event":
            name = value
        elif field_name == "data":
            data.append(value)


@dataclass
class StreamReader:
    """Holds the event stream in a thread and puts a wake-up on ``wakes`` for each event
    (:data:`CONNECTED` once the stream is ready); a refusal that retrying cannot mend
    (401, 403) is put there as :class:`PortalRefused`, and the reader ends — as it does,
    quietly, on a portal without the stream (404), leaving the agent to poll."""

    http: httpx.Client
    wakes: queue.Queue[object]
    backoff: Backoff = field(default_factory=lambda: Backoff(base=0.5, cap=30.0))
    log: Callable[[str], None] = _LOG.info
    stopping: threading.Event = field(default_factory=threading.Event)

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name="robotrace-agent-events", daemon=True)
        thread.start()
        return thread

    def run(self) -> None:
        attempt = 0
        while not self.stopping.is_set():
            try:
                if self._hold():
                    attempt = 0  # it was up: come back soon
            except PortalRefused as exc:
                self.wakes.put(exc)
                return
            except (httpx.TransportError, PortalUnavailable) as exc:
                self.log(f"event stream lost ({type(exc).__name__}: {exc})")
            wait = self.backoff.delay(attempt)
            attempt = min(attempt + 1, 30)
            self.log(f"reconnecting to the event stream in {wait:.1f} s")
            self.stopping.wait(wait)

    def _hold(self) -> bool:
        """One connection, until it ends; True when it was ready at some point."""
        timeout = httpx.Timeout(10.0, read=STREAM_READ_TIMEOUT)
        with self.http.stream("GET", "/events", timeout=timeout) as response:
            if response.status_code == 404:
                self.log("the portal has no event stream; polling every --interval instead")
                self.stopping.set()
                return False
            if response.status_code in (401, 403):
                response.read()
                raise PortalRefused(f"GET /events: {response.status_code} {response.text[:200]}")
            if response.status_code != 200:
                raise PortalUnavailable(f"GET /events: portal answered {response.status_code}")
            ready = False
            for event in parse_events(response.iter_lines()):
                if self.stopping.is_set():
                    break
                if event.name == "ready":
                    ready = True
                    self.log("event stream connected; catching up")
                    self.wakes.put(CONNECTED)
                else:
                    self.wakes.put(event)
            return ready


def events_client(client: PortalClient) -> httpx.Client:
    """An HTTP client of the stream's own (the reader's thread), as ``client`` is made."""
    return httpx.Client(base_url=client.http.base_url, headers=client.http.headers)


def watch(
    agent: Agent,
    reader: StreamReader,
    interval: float,
    stopping: threading.Event | None = None,
) -> int:
    """Answer as events come, catching up at least every ``interval`` seconds, until
    ``stopping`` is set (returns 0); a refused token raises :class:`PortalRefused`."""
    stopping = stopping or threading.Event()
    reader.start()
    try:
        while not stopping.is_set():
            woken = _wait(reader.wakes, interval)
            if isinstance(woken, PortalRefused):
                raise woken
            try:
                agent.poll_all()
            except PortalUnavailable as exc:
                agent.log(f"portal unavailable: {exc}")
    finally:
        reader.stopping.set()
    return 0


def _wait(wakes: queue.Queue[object], interval: float) -> object:
    """The first wake-up within ``interval`` (None when there was none), and every other
    already waiting (one catch-up serves them all); a refusal wins."""
    try:
        woken = wakes.get(timeout=interval)
    except queue.Empty:
        return None
    while True:
        try:
            more = wakes.get_nowait()
        except queue.Empty:
            return woken
        if isinstance(more, PortalRefused):
            return more
