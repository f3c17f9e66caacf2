"""The agent's watch mode against a scripted portal: it reads server-sent events as the
WHATWG spec says, catches up on every (re)connect and every event, reconnects after a lost
stream or a 5xx, keeps to ``interval`` when the stream gives nothing, falls back to polling
on a portal without the stream, and stops on a refused token."""

from __future__ import annotations

import queue
import random
import threading
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from robotrace.agent.client import Backoff, PortalRefused
from robotrace.agent.watch import ServerEvent, StreamReader, parse_events, watch

from .builders import portal_http


def test_it_reads_the_specs_examples():
    # https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
    stream = ": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\n"
    stream += "data:  third event\n\n"
    assert list(parse_events(stream.split("\n"))) == [
        ServerEvent("message", "first event"),
        ServerEvent("message", "second event"),
        ServerEvent("message", " third event"),  # only the first space goes
    ]
    stocks = "data: YHOO\ndata: +2\ndata: 10\n\nevent: add\ndata: 73857293\n\n"
    assert list(parse_events(stocks.split("\n"))) == [
        ServerEvent("message", "YHOO\n+2\n10"),
        ServerEvent("add", "73857293"),
    ]


def test_a_block_without_data_is_no_event():
    assert list(parse_events(["event: hop", "", "data", "", ": keep-alive", ""])) == [
        ServerEvent("message", "")
    ]


class Portal:
    """Answers each ``GET /events`` with the next scripted reply: a status, or the lines of
    a stream that ends (or breaks, or stays open until the test ends)."""

    def __init__(self, *replies: object) -> None:
        self.replies = list(replies)
        self.connections = 0
        self.done = threading.Event()

    def handle(self, request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/api/v1/events"
        if self.done.is_set():  # the test is over
            return httpx.Response(503)
        self.connections += 1
        reply = self.replies.pop(0) if self.replies else "hold"
        if isinstance(reply, int):
            return httpx.Response(reply, json={"detail": "scripted"})
        return httpx.Response(200, stream=Body(reply, self.done))  # type: ignore[arg-type]


class Body(httpx.SyncByteStream):
    def __init__(self, reply: object, done: threading.Event) -> None:
        self.reply, self.done = reply, done

    def __iter__(self) -> Iterator[bytes]:
        if self.reply == "hold":
            yield b"event: ready\ndata: {}\n\n"
            self.done.wait(10)
            return
        assert isinstance(self.reply, tuple)
        for part in self.reply:
            if part == "break":
                raise httpx.ReadError("connection reset by peer")
            yield part.encode()


READY = "event: ready\ndata: {}\n\n"
HOP = 'event: hop\ndata: {"kind":"hop","id":7}\n\n'


class CountingAgent:
    def __init__(self, after: Callable[[int], None] = lambda n: None) -> None:
        self.polls: list[float] = []
        self.lines: list[str] = []
        self.after = after

    def poll_all(self) -> None:
        self.polls.append(time.monotonic())
        self.after(len(self.polls))

    def log(self, line: str) -> None:
        self.lines.append(line)


def run_watch(portal: Portal, agent: CountingAgent, interval: float, seconds: float) -> object:
    """Watch for ``seconds`` (or until it ends by itself); what it returned or raised."""
    http = portal_http(portal.handle)
    backoff = Backoff(base=0.01, cap=0.02, rng=random.Random(1))
    reader = StreamReader(http, queue.Queue(), backoff, agent.log)
    stopping, outcome = threading.Event(), {}

    def target() -> None:
        try:
            outcome["returned"] = watch(agent, reader, interval, stopping)  # type: ignore[arg-type]
        except Exception as exc:
            outcome["raised"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(seconds)
    stopping.set()
    portal.done.set()
    thread.join(5)
    return outcome.get("raised", outcome.get("returned"))


def test_it_catches_up_on_connect_on_each_event_and_after_each_reconnect():
    portal = Portal((READY, HOP, "break"), 503, (READY,), "hold")
    agent = CountingAgent()
    run_watch(portal, agent, interval=60, seconds=1.0)
    # ready, the hop (perhaps one catch-up for both), ready again twice after the break,
    # the 503 and the stream that ended: never the 60 s interval.
    assert portal.connections == 4
    assert 3 <= len(agent.polls) <= 4
    assert any("event stream lost" in line for line in agent.lines)


def test_events_that_come_together_cost_one_catch_up():
    portal = Portal((READY, HOP * 5), "hold")
    slow = CountingAgent(after=lambda n: time.sleep(0.3) if n == 1 else None)
    run_watch(portal, slow, interval=60, seconds=1.0)
    # the first catch-up (after ready) is slow: the five hops and the second ready wait
    # for it, then one catch-up serves them all
    assert len(slow.polls) == 2


def test_it_catches_up_every_interval_when_the_stream_gives_nothing():
    portal = Portal(*([503] * 1000))
    agent = CountingAgent()
    run_watch(portal, agent, interval=0.1, seconds=0.75)
    assert 5 <= len(agent.polls) <= 8


def test_it_polls_on_a_portal_without_the_stream():
    portal = Portal(404)
    agent = CountingAgent()
    run_watch(portal, agent, interval=0.1, seconds=0.55)
    assert portal.connections == 1  # not asked again
    assert 4 <= len(agent.polls) <= 6
    assert any("no event stream" in line for line in agent.lines)


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_token_stops_it(status):
    portal = Portal(status)
    outcome = run_watch(portal, CountingAgent(), interval=60, seconds=5)
    assert isinstance(outcome, PortalRefused) and str(status) in str(outcome)
