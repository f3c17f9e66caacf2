"""Call generation: calls in time order, each leg written straight to its provider's writer.

This is the hot loop. Per (route, terminating provider) pair the legs are planned once (the
writer, the provider's clock offset plus latency, the neighbours' keys), so a call costs a
few random draws and one formatted line per leg.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from robotrace.simulate.campaigns import Campaign
from robotrace.simulate.network import Network, SimProvider
from robotrace.simulate.numbering import TimeText, e164_or_raw
from robotrace.simulate.outputs import ComplaintWriter, HoneypotWriter, TruthWriter
from robotrace.simulate.routing import Route, hop_latency_ms
from robotrace.simulate.scripts import LEGIT_TEMPLATES, pick_template, render
from robotrace.simulate.shaken import CallSigner, orig_tn, signer_position
from robotrace.simulate.writers import CdrWriter

LEGIT_HONEYPOT_RATE = 0.0005
ROBOCALL_COMPLAINT_RATE = 0.02
LEGIT_COMPLAINT_RATE = 0.0003
_LEGIT_SUBJECTS = ("No Subject Provided", "Other", "Dropped call or no message")


def _dispositions(answered: int, no_answer: int, busy: int) -> tuple[str, ...]:
    failed = 100 - answered - no_answer - busy
    return (("ANSWERED",) * answered + ("NO ANSWER",) * no_answer + ("BUSY",) * busy) + (
        "FAILED",
    ) * failed


_LEGIT_DISPOSITIONS = _dispositions(62, 25, 8)
_ROBOCALL_DISPOSITIONS = _dispositions(40, 40, 8)

#: One planned leg: writer.add, clock offset (ms), from key, to key, origin leg?, id suffix,
#: whether the provider receives the call's Identity header (it comes after the signer).
Leg = tuple[Callable[..., None], int, str, str, bool, str, bool]


@dataclass(frozen=True)
class LegPlan:
    legs: tuple[Leg, ...]
    hops: int
    path_json: str
    terminating: SimProvider
    arrival_ms: int
    #: Who signs calls on this path, and how: "O" (the origin: A or B) or "C" (a gateway).
    signer: SimProvider | None = None
    signing: str = ""


@dataclass
class Counts:
    calls: int = 0
    robocalls: int = 0
    legit_calls: int = 0
    legs: int = 0
    cdr_rows: int = 0
    honeypot_calls: int = 0
    complaints: int = 0


@dataclass
class Evidence:
    """Where calls leave traces besides CDRs."""

    honeypot: HoneypotWriter
    complaints: ComplaintWriter
    truth: TruthWriter

    def close(self) -> None:
        """Close the CSV files; ``truth`` is finished (or aborted) by the caller."""
        self.honeypot.close()
        self.complaints.close()


@dataclass
class Traffic:
    network: Network
    campaigns: list[Campaign]
    legit_routes: dict[int, list[Route]]
    writers: dict[int, CdrWriter]
    evidence: Evidence
    times: TimeText
    rng: random.Random
    #: Signs calls (STIR/SHAKEN); ``sign_all`` False: only the calls that reach honeypots.
    signer: CallSigner | None = None
    sign_all: bool = True
    #: Attestation each campaign's originating provider signs with (A or B), by campaign id.
    campaign_attest: dict[str, str] = field(default_factory=dict)
    counts: Counts = field(default_factory=Counts)
    _plans: dict[tuple[int, int], LegPlan] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._legit_origins = _legit_origins(self.network)

    def run(
        self, calls: int, robocalls: int, start_ms: int, span_ms: int,
        progress: Callable[[int], None] | None = None,
    ) -> Counts:  # fmt: skip
        """Generate ``calls`` calls, ``robocalls`` of them from campaigns, over the span."""
        rand = self.rng.random
        step = span_ms / calls
        legit_left = calls - robocalls
        for i in range(calls):
            t_ms = start_ms + int((i + rand()) * step)
            campaign = self._pick(rand() * (calls - i), legit_left)
            if campaign is None:
                legit_left -= 1
                self._legit_call(t_ms)
            else:
                self._robocall(t_ms, campaign)
            if progress is not None and i & 8191 == 8191:
                progress(8192)
        if progress is not None:
            progress(calls & 8191)
        return self.counts

    def _pick(self, draw: float, legit_left: int) -> Campaign | None:
        """Sample without replacement: exact totals per campaign, any order in time."""
        if draw < legit_left:
            return None
        draw -= legit_left
        for campaign in self.campaigns:
            left = campaign.planned_calls - campaign.calls
            if draw < left:
                return campaign
            draw -= left
        return next(c for c in reversed(self.campaigns) if c.planned_calls > c.calls)

    def _legit_call(self, t_ms: int) -> None:
        rand = self.rng.random
        origin = self._legit_origins[int(rand() * len(self._legit_origins))]
        routes = self.legit_routes[origin.index]
        route = routes[int(rand() * len(routes))]
        to_honeypot = rand() < LEGIT_HONEYPOT_RATE
        called = self._called(to_honeypot)
        while self.network.owner_of(called) is origin:
            to_honeypot, called = False, self.network.subscriber(rand)
        plan = self._plan(route, self.network.owner_of(called))
        calling = self._own_number(origin)
        disposition, duration = self._outcome(_LEGIT_DISPOSITIONS, 900, to_honeypot)
        customer = origin.customers[int(rand() * len(origin.customers))]
        attest = _attest(plan, "A" if calling[:6] in origin.blocks else "B")
        identity = self._identity(plan, t_ms, calling, True, called, attest, to_honeypot)
        self._emit(plan, t_ms, calling, True, called, customer, duration, disposition, identity)
        self.counts.legit_calls += 1
        if to_honeypot:
            text = render(self.rng.choice(LEGIT_TEMPLATES), self.rng, calling)
            self._honeypot(plan, t_ms, calling, True, called, text, None, identity, attest)
        elif rand() < LEGIT_COMPLAINT_RATE:
            subject = self.rng.choice(_LEGIT_SUBJECTS)
            self.evidence.complaints.file(t_ms, calling, True, called, subject, False)

    def _robocall(self, t_ms: int, campaign: Campaign) -> None:
        rng = self.rng
        to_honeypot = campaign.aims_at_honeypot(rng.random)
        called = self._called(to_honeypot)
        calling, valid = campaign.caller_id(rng, called)
        route = campaign.routes[int(rng.random() * len(campaign.routes))]
        plan = self._plan(route, self.network.owner_of(called))
        disposition, duration = self._outcome(_ROBOCALL_DISPOSITIONS, 70, to_honeypot)
        attest = _attest(plan, self.campaign_attest.get(campaign.id, "B"))
        identity = self._identity(plan, t_ms, calling, valid, called, attest, to_honeypot)
        self._emit(plan, t_ms, calling, valid, called, campaign.customer, duration, disposition,
                   identity)  # fmt: skip
        campaign.calls += 1
        self.counts.robocalls += 1
        self.evidence.truth.robocall(
            self.times.iso(t_ms), campaign.id, e164_or_raw(calling, valid), "+1" + called,
            plan.path_json,
        )  # fmt: skip
        if to_honeypot:
            campaign.honeypot_calls += 1
            text = render(pick_template(rng, campaign.kind.templates), rng, campaign.callback)
            self._honeypot(plan, t_ms, calling, valid, called, text, campaign.id, identity,
                           attest)  # fmt: skip
        elif rng.random() < ROBOCALL_COMPLAINT_RATE:
            subject = campaign.kind.subject
            self.evidence.complaints.file(t_ms, calling, valid, called, subject, True)

    def _called(self, to_honeypot: bool) -> str:
        rand = self.rng.random
        if to_honeypot:
            return self.network.honeypot_number(rand)
        return self.network.subscriber(rand)

    def _own_number(self, origin: SimProvider) -> str:
        """A legitimate caller's real number: the origin's own block, or any US number."""
        rand = self.rng.random
        if not origin.blocks:
            return self.network.subscriber(rand)
        return f"{origin.blocks[int(rand() * len(origin.blocks))]}{int(rand() * 9000):04d}"

    def _outcome(
        self, table: tuple[str, ...], longest_s: int, to_honeypot: bool
    ) -> tuple[str, int]:
        """Disposition and duration; honeypot lines answer every call."""
        rand = self.rng.random
        disposition = "ANSWERED" if to_honeypot else table[int(rand() * 100)]
        if disposition != "ANSWERED":
            return disposition, 0
        return disposition, 5 + int(rand() * longest_s)

    def _identity(
        self, plan: LegPlan, t_ms: int, calling: str, valid: bool, called: str,
        attest: str, to_honeypot: bool,
    ) -> str:  # fmt: skip
        """The Identity header the call carries after its signer ("" when unsigned)."""
        if plan.signer is None or self.signer is None or not (self.sign_all or to_honeypot):
            return ""
        return self.signer.sign(
            plan.signer, attest, t_ms, orig_tn(calling, valid), "1" + called, self.counts.calls + 1
        )

    def _emit(
        self, plan: LegPlan, t_ms: int, calling: str, valid: bool, called: str,
        customer: str, duration: int, disposition: str, identity: str = "",
    ) -> None:  # fmt: skip
        counts = self.counts
        counts.calls += 1
        base = f"{self.rng.getrandbits(32):08x}-{counts.calls:x}"
        for add, offset, from_key, to_key, origin_leg, suffix, carries in plan.legs:
            add(t_ms + offset, calling, valid, called, from_key, to_key,
                customer if origin_leg else "", duration, disposition, base + suffix,
                identity if carries else "")  # fmt: skip
        counts.legs += plan.hops
        counts.cdr_rows += len(plan.legs)

    def _honeypot(
        self, plan: LegPlan, t_ms: int, calling: str, valid: bool, called: str,
        transcript: str, campaign: str | None, identity: str = "", attest: str = "",
    ) -> None:  # fmt: skip
        call_id = self.evidence.honeypot.record(
            t_ms + plan.arrival_ms, calling, valid, called, plan.terminating.key, transcript,
            identity,
        )  # fmt: skip
        signer = plan.signer.key if identity and plan.signer else None
        self.evidence.truth.honeypot(
            call_id, campaign, plan.path_json, signer, attest if signer else None
        )
        self.counts.honeypot_calls += 1

    def _plan(self, route: Route, terminating: SimProvider) -> LegPlan:
        key = (route.id, terminating.index)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = plan_legs(route, terminating, self.writers)
        return plan


def plan_legs(route: Route, terminating: SimProvider, writers: dict[int, CdrWriter]) -> LegPlan:
    path = (*route.providers, terminating)
    arrival = hop_latency_ms(route, terminating)
    latencies = (*route.latencies_ms, arrival)
    signed_at, signing = signer_position(path)
    legs: list[Leg] = []
    for i, provider in enumerate(path):
        writer = writers.get(provider.index)
        if writer is None:
            continue
        legs.append(
            (writer.add, latencies[i] + provider.skew_ms,
             path[i - 1].key if i else "", path[i + 1].key if i + 1 < len(path) else "",
             i == 0, f"-{i}@{provider.key.lower()}.example", 0 <= signed_at < i)
        )  # fmt: skip
    path_json = json.dumps([p.key for p in path], separators=(",", ":"))
    signer = path[signed_at] if signed_at >= 0 else None
    return LegPlan(tuple(legs), len(path), path_json, terminating, arrival, signer, signing)


def _attest(plan: LegPlan, origin_attest: str) -> str:
    """The attestation on a call of ``plan``: the origin's own, or C at a gateway."""
    return "C" if plan.signing == "C" else origin_attest


def _legit_origins(network: Network) -> list[SimProvider]:
    """Origins of ordinary calls, repeated by weight: mostly local carriers' subscribers."""
    weights = {"local": 8, "wholesale": 2, "foreign": 1}
    return [p for p in network.providers for _ in range(weights.get(p.kind, 0))]
