"""The agent's loop with an injected HTTP transport: no server, no records files."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from robotrace.agent.client import Backoff, PortalClient, PortalRefused, PortalUnavailable
from robotrace.agent.loop import Agent, body_of
from robotrace.agent.state import AnsweredRequests
from robotrace.cdr.trunkmap import parse_trunk_map
from robotrace.traceback.answerer import HopRequest, UnmappedTrunk
from robotrace.traceback.model import Answer, ProviderInfo
from robotrace.traceback.workflow import Reply
from tests.traceback.builders import FixedAnswerer

from .builders import portal_http

REQUEST = {
    "id": 17,
    "calling_number": "+12025550143",
    "called_number": "+13125550199",
    "call_time": "2020-04-30T15:04:05Z",
    "requested_at": "2020-05-01T12:00:00Z",
    "due_at": "2020-05-02T12:00:00Z",
}


@dataclass
class Portal:
    """A fake portal: open requests, what was posted, and scripted failures."""

    open: list[dict] = field(default_factory=lambda: [dict(REQUEST)])
    posted: list[tuple[int, dict]] = field(default_factory=list)
    failures: list[object] = field(default_factory=list)  # exceptions or status codes
    answer_status: int = 200
    signer_open: list[dict] = field(default_factory=list)
    signer_posted: list[tuple[int, dict]] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.failures:
            failure = self.failures.pop(0)
            if isinstance(failure, Exception):
                raise failure
            return httpx.Response(int(failure), json={"detail": "busy"})  # type: ignore[call-overload]
        if request.url.path.endswith("/hop-requests"):
            return httpx.Response(200, json=self.open)
        if request.url.path.endswith("/signer-requests"):
            return httpx.Response(200, json=self.signer_open)
        if "/signer-requests/" in request.url.path:
            request_id = int(request.url.path.split("/")[-2])
            self.signer_posted.append((request_id, json.loads(request.content)))
            return httpx.Response(self.answer_status, json={"detail": "answered already"})
        hop_id = int(request.url.path.split("/")[-2])
        self.posted.append((hop_id, json.loads(request.content)))
        return httpx.Response(self.answer_status, json={"detail": "answered already"})


UPSTREAM = Reply(
    Answer.UPSTREAM, upstream="BBBB", new_provider=ProviderInfo("BBBB"), note="matched c1"
)


def agent_for(
    portal: Portal, reply: Reply | None = UPSTREAM, state: Path | None = None
) -> tuple[Agent, list[str], list[float]]:
    lines: list[str] = []
    waits: list[float] = []
    http = portal_http(portal)
    backoff = Backoff(base=1, cap=8, attempts=4, rng=random.Random(1))
    client = PortalClient(http, backoff, sleep=waits.append, log=lines.append)
    agent = Agent(client, FixedAnswerer(reply), "AAAA", AnsweredRequests(state), lines.append)
    return agent, lines, waits


def test_it_answers_an_open_request_with_what_its_records_say():
    portal = Portal()
    agent, lines, _ = agent_for(portal)
    assert agent.poll() == [17]
    assert portal.posted == [
        (
            17,
            {
                "answer": "upstream",
                "upstream": "BBBB",
                "note": "matched c1",
                "new_provider": {"name": "provider BBBB", "ocn": "BBBB"},
            },
        )
    ]
    assert lines == ["hop request 17: answered upstream BBBB (matched c1)"]
    asked = agent.answerer.asked[0]  # type: ignore[attr-defined]
    assert asked.called_number == "+13125550199" and asked.call_time.isoformat().startswith(
        "2020-04-30T15:04:05"
    )


def test_it_never_answers_the_same_request_twice():
    portal = Portal()
    agent, _, _ = agent_for(portal)
    agent.poll()
    assert agent.poll() == []
    assert len(portal.posted) == 1


def test_a_409_counts_as_answered_already():
    portal = Portal(answer_status=409)
    agent, lines, _ = agent_for(portal)
    assert agent.poll() == []
    assert 17 in agent.answered
    assert "answered already" in lines[-1]
    agent.poll()
    assert len(portal.posted) == 1


def test_the_state_file_remembers_answers_across_restarts(tmp_path):
    state = tmp_path / "state.json"
    portal = Portal()
    agent_for(portal, state=state)[0].poll()
    assert json.loads(state.read_text()) == {"answered": [17]}
    restarted, _, _ = agent_for(portal, state=state)
    assert restarted.poll() == []
    assert len(portal.posted) == 1


def test_it_retries_an_unreachable_or_failing_portal_with_capped_jittered_backoff():
    portal = Portal(failures=[httpx.ConnectError("refused"), 503, 502])
    agent, lines, waits = agent_for(portal)
    assert agent.poll() == [17]
    assert len(waits) == 3
    assert all(0 <= w <= cap for w, cap in zip(waits, (1, 2, 4), strict=True))
    assert "portal unreachable" in lines[0] and "answered 503" in lines[1]


def test_backoff_never_waits_longer_than_its_cap():
    backoff = Backoff(base=1, cap=8, attempts=20, rng=random.Random(3))
    assert max(backoff.delay(n) for n in range(20)) <= 8


def test_once_exits_1_when_the_portal_stays_away():
    portal = Portal(failures=[httpx.ConnectError("refused")] * 4)
    agent, lines, waits = agent_for(portal)
    assert agent.run(interval=0, once=True) == 1
    assert len(waits) == 3 and "gave up" in lines[-1]


def test_it_stops_on_a_refused_token():
    portal = Portal(answer_status=403)
    agent, _, _ = agent_for(portal)
    with pytest.raises(PortalRefused):
        agent.poll()
    assert 17 not in agent.answered


def test_a_request_the_portal_rejects_is_logged_and_not_retried_every_poll():
    portal = Portal(answer_status=422)
    agent, lines, _ = agent_for(portal)
    agent.poll()
    agent.poll()
    assert len(portal.posted) == 1 and "422" in lines[-1]
    assert 17 not in agent.answered


def test_a_request_it_cannot_answer_is_left_for_later():
    portal = Portal()
    agent, lines, _ = agent_for(portal, reply=None)
    assert agent.poll() == [] and portal.posted == []
    assert lines == ["hop request 17: no answer given"]


def test_an_origin_answer_names_the_customer_and_no_provider():
    reply = Reply(Answer.ORIGIN, customer="Acme Outreach Ltd", note="matched c1")
    assert body_of(reply) == {
        "answer": "origin",
        "customer": "Acme Outreach Ltd",
        "note": "matched c1",
    }


def test_portal_unavailable_is_raised_after_the_last_attempt():
    portal = Portal(failures=[500] * 4)
    agent, _, _ = agent_for(portal)
    with pytest.raises(PortalUnavailable):
        agent.client.open_requests()


SIGNER_REQUEST = {**REQUEST, "id": 5, "origid": "5c1a0e4e-6f0b-4d7e-9a53-1f2e3d4c5b6a"}


def test_it_answers_a_direct_request_to_the_signer_from_the_same_records():
    portal = Portal(open=[], signer_open=[dict(SIGNER_REQUEST)])
    reply = Reply(Answer.ORIGIN, customer="Acme Outreach LLC", note="matched c1")
    agent, lines, _ = agent_for(portal, reply=reply)
    assert agent.run(interval=0, once=True) == 0
    assert portal.signer_posted == [
        (5, {"answer": "origin", "customer": "Acme Outreach LLC", "note": "matched c1"})
    ]
    asked = agent.answerer.asked[0]  # type: ignore[attr-defined]
    assert asked.origid == SIGNER_REQUEST["origid"] and asked.called_number == "+13125550199"
    assert lines[-1].startswith("direct request 5 (origid 5c1a0e4e")
    assert agent.poll_signer() == [] and len(portal.signer_posted) == 1


def test_an_upstream_reply_to_a_direct_request_registers_no_provider():
    portal = Portal(open=[], signer_open=[dict(SIGNER_REQUEST)])
    agent, _, _ = agent_for(portal)
    assert agent.poll_signer() == [5]
    assert portal.signer_posted == [
        (5, {"answer": "upstream", "upstream": "BBBB", "note": "matched c1"})
    ]


def test_a_portal_without_direct_requests_is_no_error():
    def old_portal(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/hop-requests"):
            return httpx.Response(200, json=[])
        return httpx.Response(404, json={"detail": "Not Found"})

    http = portal_http(old_portal)
    client = PortalClient(http, Backoff(attempts=1), sleep=lambda _: None, log=lambda _: None)
    agent = Agent(client, FixedAnswerer(UPSTREAM), "AAAA", log=lambda _: None)
    assert agent.run(interval=0, once=True) == 0


def test_a_409_on_a_direct_request_is_remembered_and_not_posted_again():
    portal = Portal(open=[], signer_open=[dict(SIGNER_REQUEST)], answer_status=409)
    agent, lines, _ = agent_for(portal)
    assert agent.poll_signer() == [] and agent.poll_signer() == []
    assert len(portal.signer_posted) == 1 and "skipped" in lines[-1]


class UnmappedAnswerer:
    """Records whose matching leg came in on a trunk the trunk map does not map."""

    def __init__(self) -> None:
        self.asked = 0

    def answer(self, request: HopRequest) -> Reply | None:
        self.asked += 1
        raise UnmappedTrunk(request, "source=198.51.100.9:5060", "c9@h", 0.5)


def test_a_call_on_an_unmapped_trunk_is_not_answered_and_the_run_says_so():
    portal = Portal()
    agent, lines, _ = agent_for(portal)
    agent.answerer = UnmappedAnswerer()
    assert agent.run(interval=0, once=True) == 3
    agent.poll()  # not asked again until the agent restarts (with a better trunk map)
    assert portal.posted == [] and agent.answerer.asked == 1
    reason = (
        "the matching call c9@h (at +0.500 s) came in on source=198.51.100.9:5060, which the "
        "trunk map does not map: add it to the trunk map"
    )
    assert lines == [
        f"hop request 17: not answered: {reason}",
        "1 request(s) not answered: unmapped trunks",
        f"  hop request 17: {reason}",
    ]


def test_an_upstream_the_trunk_map_knows_by_name_only_is_named_in_new_provider():
    upstreams = parse_trunk_map(
        '[[trunk]]\ntrunk = "t9"\nupstream = { name = "Carrier Nine Inc" }\n'
    ).upstreams
    reply = Reply(
        Answer.UPSTREAM,
        upstream="Carrier Nine Inc",
        new_provider=ProviderInfo("Carrier Nine Inc"),
        note="matched c1",
    )
    assert body_of(reply, upstreams) == {
        "answer": "upstream",
        "note": "matched c1",
        "new_provider": {"name": "Carrier Nine Inc"},
    }
