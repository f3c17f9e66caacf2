"""Robocall campaigns: one originator customer at one originating provider, one gateway.

Most campaigns originate abroad and are fully traceable (every provider on their routes
cooperates); one or two cross a provider that keeps no records, never answers or refuses.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from robotrace.numbers import try_normalize
from robotrace.simulate import names
from robotrace.simulate.network import Network, SimProvider
from robotrace.simulate.numbering import NPA_PLACES, SPOOF_ONLY_NPAS, random_nxx
from robotrace.simulate.routing import Pools, Route, Router
from robotrace.simulate.scripts import (
    KINDS,
    OPTIONAL_KINDS,
    REQUIRED_KINDS,
    VARIANT_TEMPLATES,
    CampaignKind,
)

HONEYPOT_MINIMUM = 3
#: Share of a campaign's calls aimed at honeypot lines beyond the minimum.
HONEYPOT_RATE = 0.02
NEIGHBOUR_SPOOF_RATE = 0.2
INVALID_CALLER_ID_RATE = 0.04
_SPOOF_NPAS = (*sorted(NPA_PLACES), *SPOOF_ONLY_NPAS)
_TOLL_FREE = ("800", "833", "844", "855", "866", "877", "888")


@dataclass
class Campaign:
    id: str
    kind: CampaignKind
    origin: SimProvider
    gateway: SimProvider | None
    customer: str
    routes: list[Route]
    traceable: bool
    callback: str
    weight: float
    #: The campaign whose scam this one runs with a second script (same call-back number).
    variant_of: str | None = None
    #: The local carrier the call-back number was rented from (None: a toll-free number;
    #: simulate.callbacks).
    callback_holder: SimProvider | None = None
    planned_calls: int = 0
    calls: int = 0
    honeypot_calls: int = 0
    #: Calls and honeypot calls made before the current period began.
    calls_before_period: int = 0
    honeypot_calls_before_period: int = 0
    #: Calls and honeypot calls made before each named period began.
    marks: dict[str, tuple[int, int]] = field(default_factory=dict)
    _spoof: str = ""
    _spoof_left: int = 0

    @property
    def honeypot_calls_in_period(self) -> int:
        return self.honeypot_calls - self.honeypot_calls_before_period

    def begin_period(self, planned: int, name: str = "") -> None:
        """Plan ``planned`` more calls; the honeypot minimum applies to them afresh."""
        self.calls_before_period = self.calls
        self.honeypot_calls_before_period = self.honeypot_calls
        self.planned_calls = self.calls + planned
        self.marks[name] = (self.calls, self.honeypot_calls)

    def calls_since(self, period: str) -> tuple[int, int]:
        """Calls and honeypot calls from the start of the named period on (0 if none ran)."""
        calls, honeypot_calls = self.marks.get(period, (self.calls, self.honeypot_calls))
        return self.calls - calls, self.honeypot_calls - honeypot_calls

    def aims_at_honeypot(self, rand: Callable[[], float]) -> bool:
        """Decide before each call; guarantees the minimum by the period's last call."""
        left = self.planned_calls - self.calls
        planned = self.planned_calls - self.calls_before_period
        owed = min(HONEYPOT_MINIMUM, planned) - self.honeypot_calls_in_period
        return left > 0 and (owed >= left or rand() < max(HONEYPOT_RATE, owed / left))

    def caller_id(self, rng: random.Random, called: str) -> tuple[str, bool]:
        """The spoofed caller ID of the next call and whether it is a valid number."""
        draw = rng.random()
        if draw < NEIGHBOUR_SPOOF_RATE:
            return f"{called[:6]}{int(rng.random() * 10000):04d}", True
        if draw < NEIGHBOUR_SPOOF_RATE + INVALID_CALLER_ID_RATE:
            return invalid_caller_id(rng), False
        if self._spoof_left <= 0:
            self._spoof = random_valid_number(rng)
            self._spoof_left = rng.randint(20, 60)
        self._spoof_left -= 1
        return self._spoof, True


def invalid_caller_id(rng: random.Random) -> str:
    kind = rng.randrange(4)
    if kind == 0:
        return "0000000000"
    if kind == 1:
        return "123"
    if kind == 2:
        return "1111111111"
    return str(rng.randrange(10**8, 10**9))


def random_valid_number(rng: random.Random) -> str:
    while True:
        number = f"{rng.choice(_SPOOF_NPAS)}{random_nxx(rng.random)}{rng.randrange(10000):04d}"
        if try_normalize(number) is not None:
            return number


def build_campaigns(rng: random.Random, network: Network, router: Router) -> list[Campaign]:
    keys = list(REQUIRED_KINDS) + rng.sample(OPTIONAL_KINDS, rng.randint(1, 3))
    rng.shuffle(keys)
    domestic = set(rng.sample(range(len(keys)), 1 if len(keys) < 7 else rng.randint(1, 2)))
    troubled = _troubled_providers(network)
    foreign_slots = [i for i in range(len(keys)) if i not in domestic]
    untraceable = dict(zip(rng.sample(foreign_slots, len(troubled)), troubled, strict=True))
    taken: set[str] = set()
    return [
        _campaign(rng, network, router, i, KINDS[key], i in domestic, untraceable.get(i), taken)
        for i, key in enumerate(keys)
    ]


def _troubled_providers(network: Network) -> list[SimProvider]:
    """Up to two non-cooperative providers that some campaign will cross, distinct kinds."""
    chosen: list[SimProvider] = []
    for provider in network.providers:
        behaviours = {p.behaviour for p in chosen}
        if not provider.cooperative and provider.behaviour not in behaviours:
            chosen.append(provider)
    return chosen[:2]


def _campaign(
    rng: random.Random,
    network: Network,
    router: Router,
    index: int,
    kind: CampaignKind,
    domestic: bool,
    trouble: SimProvider | None,
    taken: set[str],
) -> Campaign:
    pools = _cooperative_pools(network)
    origin = rng.choice(pools.domestic if domestic else pools.foreign)
    gateway = None if domestic else rng.choice(_cooperative(network.of_kind("gateway")))
    if trouble is not None and trouble.kind == "gateway":
        gateway = trouble
    required = trouble if trouble is not None and trouble.kind != "gateway" else None
    routes = [router.route(origin, gateway, pools, required) for _ in range(rng.randint(2, 4))]
    return Campaign(
        id=f"c{index + 1:02d}",
        kind=kind,
        origin=origin,
        gateway=gateway,
        customer=names.originator_name(rng, taken),
        routes=routes,
        traceable=trouble is None,
        callback=rng.choice(_TOLL_FREE) + f"{rng.randrange(2000000, 10**7)}",
        weight=rng.uniform(0.5, 2.0),
    )


def variant_campaign(rng: random.Random, base: Campaign, index: int) -> Campaign:
    """A second script of ``base``'s scam: the same customer, providers, routes and call-back
    number, its own spoofed caller IDs and weight; ``index`` gives its id."""
    kind = base.kind
    second = CampaignKind(
        kind.key, f"{kind.name} (second script)", kind.subject, (VARIANT_TEMPLATES[kind.key],)
    )
    return Campaign(
        id=f"c{index + 1:02d}",
        kind=second,
        origin=base.origin,
        gateway=base.gateway,
        customer=base.customer,
        routes=list(base.routes),
        traceable=base.traceable,
        callback=base.callback,
        weight=rng.uniform(0.5, 2.0),
        variant_of=base.id,
        callback_holder=base.callback_holder,
    )


def _cooperative(providers: list[SimProvider]) -> list[SimProvider]:
    return [p for p in providers if p.cooperative]


def _cooperative_pools(network: Network) -> Pools:
    return Pools(
        tuple(_cooperative(network.of_kind("foreign"))),
        tuple(_cooperative(network.of_kind("wholesale"))),
    )


def plan_calls(
    campaigns: list[Campaign], robocalls: int, stopped: Collection[str] = (), period: str = ""
) -> int:
    """Begin a period: share ``robocalls`` among campaigns by weight (largest remainder), a
    minimum each. Campaigns in ``stopped`` get nothing; returns the calls they would have had.
    """
    minimum = min(2 * HONEYPOT_MINIMUM, robocalls // len(campaigns))
    spare = robocalls - minimum * len(campaigns)
    total = sum(c.weight for c in campaigns)
    shares = [spare * c.weight / total for c in campaigns]
    counts = [minimum + int(s) for s in shares]
    order = sorted(range(len(campaigns)), key=lambda i: int(shares[i]) - shares[i])
    for i in order[: robocalls - sum(counts)]:
        counts[i] += 1
    withheld = 0
    for campaign, count in zip(campaigns, counts, strict=True):
        if campaign.id in stopped:
            withheld, count = withheld + count, 0
        campaign.begin_period(count, period)
    return withheld
