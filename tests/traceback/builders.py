"""Small builders for traceback tests: a fixed little network, helpers to answer hops, and an
answerer with one reply for every request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from robotrace.traceback.answerer import HopRequest
from robotrace.traceback.model import Answer, CallUnderTrace, ProviderInfo, Traceback
from robotrace.traceback.workflow import Policy, Reply, Step, answer_hop, open_traceback

T0 = datetime(2020, 5, 1, 12, 0, tzinfo=UTC)
POLICY = Policy(due_after=timedelta(hours=24))

# terminating TERM ← intermediate MID ← gateway GATE ← foreign FOR1 ← foreign FOR2
DIRECTORY = {
    "TERM": ProviderInfo("TERM", "Terminating Telco"),
    "MID": ProviderInfo("MID", "Middle Wholesale"),
    "GATE": ProviderInfo("GATE", "Gateway Voice"),
    "ORIG": ProviderInfo("ORIG", "Domestic Origin Inc"),
    "FOR1": ProviderInfo("FOR1", "Voice Are Us Ltd", "United Kingdom", foreign=True),
    "FOR2": ProviderInfo("FOR2", "Berlin Wholesale GmbH", "Germany", foreign=True),
}

CALL = CallUnderTrace("+12025550143", "+13125550199", datetime(2020, 4, 30, 15, 4, 5, tzinfo=UTC))


class FixedAnswerer:
    """An answerer with one reply for every request; remembers what it was asked."""

    def __init__(self, reply: Reply | None) -> None:
        self.reply = reply
        self.asked: list[HopRequest] = []

    def answer(self, request: HopRequest) -> Reply | None:
        self.asked.append(request)
        return self.reply


def opened(tb_id: str = "TB-1", at: datetime = T0) -> Traceback:
    return open_traceback(tb_id, CALL, DIRECTORY["TERM"], at, "coordinator:ann", POLICY).traceback


def upstream(ocn: str) -> Reply:
    return Reply(Answer.UPSTREAM, upstream=ocn)


def origin(customer: str = "Acme Outreach") -> Reply:
    return Reply(Answer.ORIGIN, customer=customer)


def refused(reason: str = "we need a subpoena first") -> Reply:
    return Reply(Answer.REFUSED, note=reason)


def answer(tb: Traceback, provider: str, reply: Reply, minutes: int = 30) -> Step:
    at = (tb.current_hop.requested_at if tb.current_hop else T0) + timedelta(minutes=minutes)
    return answer_hop(tb, provider, reply, DIRECTORY, at, f"provider:{provider}", POLICY)


def chain(*steps: tuple[str, Reply]) -> Traceback:
    """Open a traceback and apply each (provider, reply) in order."""
    tb = opened()
    for provider, reply in steps:
        tb = answer(tb, provider, reply).traceback
    return tb
