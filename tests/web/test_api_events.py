"""``GET /api/v1/events``: a provider's agent hears of each request for its own provider the
moment it is committed, of no other provider's; keep-alives while idle; a cap per provider;
a connection that falls behind is told to catch up. On SQLite and PostgreSQL.

Requests are made through the API as a coordinator would; the ids expected are the ones the
API answered with. The stream is read line by line (``text/event-stream`` as the WHATWG
spec writes it: fields, then a blank line; ``:`` starts a comment).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from robotrace.web import agent_events

from .conftest import CALL

AAAA, BBBB, COORDINATOR = "noc@aaaa.example", "noc@bbbb.example", "coord@example.org"


def set_settings(world, **changed) -> None:
    """The portal's settings, with ``changed``."""
    world.app.state.settings = replace(world.app.state.settings, **changed)


@pytest.fixture(autouse=True)
def quick_keepalives(world) -> None:
    set_settings(world, agent_events_keepalive_seconds=0.2)


def blocks(lines: Iterator[str], seconds: float) -> Iterator[list[str]]:
    """The stream's blocks (lines up to a blank one), for at most ``seconds`` — keep-alives
    every 0.2 s let the clock be read even while no event comes."""
    deadline, block = time.monotonic() + seconds, []
    for line in lines:
        if line:
            block.append(line)
        elif block:
            yield block
            block = []
        if time.monotonic() > deadline:
            return


def events(lines: Iterator[str], seconds: float) -> list[tuple[str, dict]]:
    """The events (name, data) among the blocks, comments left out."""
    found = []
    for block in blocks(lines, seconds):
        fields = dict(line.split(": ", 1) for line in block if not line.startswith(":"))
        if "event" in fields:
            found.append((fields["event"], json.loads(fields["data"])))
    return found


def open_traceback(coordinator: TestClient, terminating: str) -> int:
    """A new traceback at ``terminating``; the id of its first hop request."""
    body = {
        "calling_number": CALL.calling_number,
        "called_number": CALL.called_number,
        "call_time": CALL.call_time.isoformat(),
        "terminating_provider": terminating,
    }
    response = coordinator.post("/api/v1/tracebacks", json=body)
    assert response.status_code == 201, response.text
    return int(response.json()["hops"][0]["id"])


def wait_ready(lines: Iterator[str]) -> None:
    first = events(lines, 0.1)
    assert first and first[0][0] == "ready", first


def test_a_provider_hears_of_each_of_its_requests_and_of_no_one_elses(api_for):
    coordinator = api_for(COORDINATOR)
    with api_for(BBBB, write=False).stream("GET", "/api/v1/events") as stream:  # read-only
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        lines = stream.iter_lines()
        wait_ready(lines)
        open_traceback(coordinator, "AAAA")  # not BBBB's
        bbbb_hop = open_traceback(coordinator, "BBBB")
        heard = events(lines, 1.0)
    assert heard == [("hop", {"kind": "hop", "id": bbbb_hop})]


def test_an_idle_stream_carries_keepalive_comments_and_ends_after_its_lifetime(api_for, world):
    set_settings(world, agent_events_lifetime_seconds=0.7)
    started = time.monotonic()
    with api_for(AAAA).stream("GET", "/api/v1/events") as stream:
        lines = list(stream.iter_lines())  # to its end
    took = time.monotonic() - started
    assert lines[:4] == ["retry: 2000", "event: ready", 'data: {"provider":"AAAA"}', ""]
    assert 2 <= lines.count(": keep-alive") <= 4  # one each 0.2 s of 0.7 s
    assert 0.6 < took < 5


def test_a_provider_may_hold_only_so_many_streams(api_for, world):
    set_settings(world, agent_events_per_provider=1)
    client = api_for(AAAA)
    with client.stream("GET", "/api/v1/events") as first:
        wait_ready(first.iter_lines())
        second = client.get("/api/v1/events")
        assert second.status_code == 429
        assert second.headers["retry-after"] == "30"
        with api_for(BBBB).stream("GET", "/api/v1/events") as other:  # another provider's
            assert other.status_code == 200
    with client.stream("GET", "/api/v1/events") as again:  # the first one's place is free
        assert again.status_code == 200


def test_staff_hear_nothing(api_for):
    assert api_for(COORDINATOR).get("/api/v1/events").status_code == 403


def test_a_stream_that_falls_behind_is_told_to_catch_up(api_for, monkeypatch):
    monkeypatch.setattr(agent_events, "QUEUE_SIZE", 2)
    coordinator = api_for(COORDINATOR)
    with api_for(AAAA).stream("GET", "/api/v1/events") as stream:
        lines = stream.iter_lines()
        wait_ready(lines)
        made = [open_traceback(coordinator, "AAAA") for _ in range(6)]  # none read meanwhile
        heard = events(lines, 1.0)
    hops = [data["id"] for name, data in heard if name == "hop"]
    assert ("catch-up", {}) in heard
    assert 2 <= len(hops) < len(made) and set(hops) <= set(made)
