"""Small builders for enforcement tests: providers, and tracebacks as finished chains."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from robotrace.providers.registry import Provider
from robotrace.traceback.model import (
    Answer,
    CallUnderTrace,
    Hop,
    Outcome,
    ProviderInfo,
    Status,
    Traceback,
)

T0 = datetime(2020, 5, 1, 12, 0, tzinfo=UTC)

PROVIDERS = [
    Provider("AAAA", "Alpha Local Telco", contact_email="noc@aaaa.example"),
    Provider("BBBB", "Bravo Wholesale", contact_email="noc@bbbb.example"),
    Provider(
        "CCCC",
        "Charlie Gateway",
        gateway_provider=True,
        contact_email="noc@cccc.example",
        frns=("0012345678",),
        rmd_numbers=("RMD0001234",),
    ),
    Provider("DDDD", "Delta Gateway", gateway_provider=True, contact_email="noc@dddd.example"),
    Provider("FFFF", "Foxtrot Intl Ltd", country="United Kingdom", foreign=True),
]
DIRECTORY = {
    p.key: ProviderInfo(p.key, p.business_name, p.country, p.foreign, p.contact_email)
    for p in PROVIDERS
}


def answered(position: int, key: str, t: datetime, answer: Answer, **given: str | None) -> Hop:
    """Hop ``position`` at ``key``, asked at ``t``, due a day later, answered ``answer`` at ``t``
    (``given``: the upstream or the customer it named)."""
    return Hop(position, key, t, t + timedelta(hours=24), answer=answer, answered_at=t, **given)


def through(
    gateway: str,
    call_time: datetime,
    tb_id: str = "TB-000001",
    campaign: str | None = "covid-test-kits",
    customer: str | None = "Voice Are Us Ltd",
    caller_id: str = "+12025550143",
) -> Traceback:
    """AAAA (terminating) ← ``gateway`` ← FFFF (foreign), which names its ``customer``
    (or refuses when None). ``gateway`` is the gateway provider of the call."""
    t = call_time + timedelta(days=1)
    hops = (
        answered(0, "AAAA", t, Answer.UPSTREAM, upstream=gateway),
        answered(1, gateway, t, Answer.UPSTREAM, upstream="FFFF"),
        answered(2, "FFFF", t, Answer.ORIGIN if customer else Answer.REFUSED, customer=customer),
    )
    return Traceback(
        id=tb_id,
        call=CallUnderTrace(caller_id, "+13125550199", call_time),
        terminating_provider="AAAA",
        opened_at=t,
        hops=hops,
        status=Status.CLOSED,
        outcome=Outcome.ORIGIN_IDENTIFIED if customer else Outcome.FOREIGN_ORIGIN,
        closed_at=t,
        campaign=campaign,
    )


def originated_by(
    key: str,
    call_time: datetime,
    tb_id: str,
    campaign: str | None = "auto-warranty",
    customer: str = "Acme Outreach",
) -> Traceback:
    """AAAA (terminating) ← ``key``, which names its own customer: ``key`` originated it."""
    t = call_time + timedelta(days=1)
    hops = (
        answered(0, "AAAA", t, Answer.UPSTREAM, upstream=key),
        answered(1, key, t, Answer.ORIGIN, customer=customer),
    )
    return Traceback(
        tb_id,
        CallUnderTrace("+12025550100", "+13125550101", call_time),
        "AAAA",
        t,
        hops,
        Status.CLOSED,
        Outcome.ORIGIN_IDENTIFIED,
        t,
        campaign,
    )


def refused_by(key: str, call_time: datetime, tb_id: str, campaign: str = "ssa") -> Traceback:
    """AAAA (terminating) ← ``key``, which refuses to say: non-cooperative."""
    t = call_time + timedelta(days=1)
    hops = (
        answered(0, "AAAA", t, Answer.UPSTREAM, upstream=key),
        answered(1, key, t, Answer.REFUSED),
    )
    return Traceback(
        tb_id,
        CallUnderTrace("+12025550111", "+13125550112", call_time),
        "AAAA",
        t,
        hops,
        Status.CLOSED,
        Outcome.NON_RESPONSIVE,
        t,
        campaign,
    )
