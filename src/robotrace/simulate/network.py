"""The providers of the synthetic network: identities, roles, behaviours and numbering.

Kinds (roles): ``local`` US carriers own subscribers and terminate calls; ``wholesale`` US
carriers carry calls between others and serve a few business customers; ``gateway`` US
carriers are the only ones that accept calls from ``foreign`` providers.

Every provider has an RMD number and an FRN; most foreign providers and some wholesale
resellers have no OCN (local carriers hold numbering and gateways sign, so they have one).
The simulator names a provider by its **key**: its OCN, or else its RMD number — the key
robotrace gives it when the world's registry is loaded (``simulate.registry``).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from robotrace.numbers import try_normalize
from robotrace.providers.registry import IMPLEMENTATIONS, Provider
from robotrace.simulate import names
from robotrace.simulate.numbering import (
    FOREIGN_NUMBER_FORMATS,
    HONEYPOT_LINE_START,
    NPA_PLACES,
    NUMBER_FORMATS,
    random_nxx,
)

KINDS = ("local", "wholesale", "gateway", "foreign")
BEHAVIOURS = ("cooperative", "no_records", "never_answers", "refuses")
NON_COOPERATIVE = BEHAVIOURS[1:]
#: Largest clock offset of any provider; lookups tolerate 5 s (setting cdr_skew_seconds).
MAX_SKEW_MS = 4000
HONEYPOT_LINES = 64
#: How the FCC's export spells the United States.
US_COUNTRY = "United States of America"
#: Share of the providers of a kind that hold no OCN (the others always have one); the first
#: foreign provider never has one, so that every world has a provider without an OCN.
NO_OCN_SHARE = {"foreign": 0.75, "wholesale": 0.35}


@dataclass
class SimProvider:
    """A provider as the simulator sees it: its registry record plus hidden behaviour."""

    index: int
    record: Provider
    kind: str
    region: str
    behaviour: str = "cooperative"
    skew_ms: int = 0
    number_format: str = "e164"
    time_format: str = "iso"
    blocks: list[str] = field(default_factory=list)
    customers: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        """How the simulator names the provider (files, CDRs, truth.json): its OCN, or its
        RMD number when it has no OCN."""
        return self.record.key

    @property
    def ocn(self) -> str:
        """Its OCN (= STIR/SHAKEN SPC), or "" when it has none."""
        return self.record.ocn

    @property
    def foreign(self) -> bool:
        return self.record.foreign

    @property
    def keeps_records(self) -> bool:
        return self.behaviour != "no_records"

    @property
    def cooperative(self) -> bool:
        return self.behaviour == "cooperative"


@dataclass
class Network:
    providers: list[SimProvider]
    blocks: list[str]
    block_owner: dict[str, SimProvider]
    honeypot_numbers: list[str]

    def of_kind(self, kind: str) -> list[SimProvider]:
        return [p for p in self.providers if p.kind == kind]

    def subscriber(self, rand: Callable[[], float]) -> str:
        """A random ordinary subscriber number (never a honeypot line)."""
        block = self.blocks[int(rand() * len(self.blocks))]
        return f"{block}{int(rand() * HONEYPOT_LINE_START):04d}"

    def honeypot_number(self, rand: Callable[[], float]) -> str:
        return self.honeypot_numbers[int(rand() * len(self.honeypot_numbers))]

    def owner_of(self, number: str) -> SimProvider:
        return self.block_owner[number[:6]]


def plan_kinds(count: int) -> list[str]:
    """About 60 % domestic (locals, wholesale, gateways) and 40 % foreign providers."""
    if count < 8:
        raise ValueError("the network needs at least 8 providers")
    foreign = max(3, round(count * 0.4))
    domestic = count - foreign
    gateways = max(1, round(domestic * 0.15))
    wholesale = max(1, round(domestic * 0.3))
    locals_ = domestic - gateways - wholesale
    return (
        ["local"] * locals_
        + ["wholesale"] * wholesale
        + ["gateway"] * gateways
        + ["foreign"] * foreign
    )


def build_network(rng: random.Random, count: int, start: datetime) -> Network:
    kinds = plan_kinds(count)
    rng.shuffle(kinds)
    countries = list(names.FOREIGN_COUNTRIES)
    rng.shuffle(countries)
    providers: list[SimProvider] = []
    taken: set[str] = set()
    for index, kind in enumerate(kinds):
        country = countries[sum(1 for p in providers if p.foreign) % len(countries)]
        providers.append(_make_provider(rng, index, kind, country, start, taken))
    _assign_behaviours(rng, providers)
    blocks, owner = _number_blocks(rng, [p for p in providers if p.kind == "local"])
    honeypots = _honeypot_numbers(rng, blocks)
    _drop_ocns(rng, providers)  # last, so that the draws before it stay as they were
    return Network(providers, blocks, owner, honeypots)


def _make_provider(
    rng: random.Random, index: int, kind: str, country: str, start: datetime, taken: set[str]
) -> SimProvider:
    foreign = kind == "foreign"
    if foreign:
        name = names.foreign_provider_name(rng, country, taken)
        region = names.FOREIGN_COUNTRIES[country][0]
    else:
        name = names.domestic_provider_name(rng, kind, taken)
        country, region = US_COUNTRY, "US"
    record = _registry_record(rng, kind, name, country, start, taken)
    formats = FOREIGN_NUMBER_FORMATS if foreign and region not in ("CA", "DO") else NUMBER_FORMATS
    return SimProvider(
        index=index,
        record=record,
        kind=kind,
        region=region,
        skew_ms=rng.randint(-MAX_SKEW_MS, MAX_SKEW_MS),
        number_format=rng.choice(formats),
        time_format=rng.choices(("iso", "epoch"), (3, 2))[0],
        customers=names.ordinary_customers(rng, 4),
    )


def _registry_record(
    rng: random.Random, kind: str, name: str, country: str, start: datetime, taken: set[str]
) -> Provider:
    """The provider as the Robocall Mitigation Database lists it, with its OCN."""
    foreign = kind == "foreign"
    ocn = names.ocn(rng, taken)
    return Provider(
        key=ocn,
        ocns=(ocn,),
        business_name=name,
        country=country,
        foreign=foreign,
        rmd_numbers=(names.unique(lambda: f"RMD{rng.randrange(10**7):07d}", taken),),
        # FRNs are 10 digits, most with two or three leading zeros (0001700905, 0033848292)
        frns=(names.unique(lambda: f"{rng.randrange(10**10) % (4 * 10**7):010d}", taken),),
        implementation=rng.choices(IMPLEMENTATIONS, (2, 3, 5) if foreign else (6, 3, 1))[0],
        voice_service_provider=kind != "gateway",
        gateway_provider=kind == "gateway",
        intermediate_provider=kind in ("wholesale", "gateway", "foreign"),
        last_recertified=(start - timedelta(days=rng.randint(10, 400))).date().isoformat(),
        contact_email=f"compliance@{names.slug(name)}.example",
    )


def _assign_behaviours(rng: random.Random, providers: list[SimProvider]) -> None:
    """Locals (terminating) stay cooperative; one of each kind of trouble from 20 providers.

    The first gateway, wholesale carrier and two foreign providers are kept cooperative so
    that fully traceable campaigns can always be routed.
    """
    kept: list[SimProvider] = []
    for kind, keep in (("gateway", 1), ("wholesale", 1), ("foreign", 2)):
        kept += [p for p in providers if p.kind == kind][:keep]
    pool = [p for p in providers if p.kind != "local" and p not in kept]
    rng.shuffle(pool)
    forced = NON_COOPERATIVE if len(providers) >= 20 else ()
    for behaviour, provider in zip(forced, pool, strict=False):
        provider.behaviour = behaviour
    for provider in pool[len(forced) :]:
        if rng.random() < 0.06:
            provider.behaviour = rng.choice(NON_COOPERATIVE)


def _drop_ocns(rng: random.Random, providers: list[SimProvider]) -> None:
    """Take the OCN from most foreign providers and some wholesale resellers (one draw per
    provider): their key becomes their RMD number, and a US one without an OCN cannot sign,
    so its RMD filing declares no STIR/SHAKEN implementation."""
    first_foreign = next((p for p in providers if p.foreign), None)
    for provider in providers:
        drawn = rng.random() < NO_OCN_SHARE.get(provider.kind, 0.0)
        if drawn or provider is first_foreign:
            provider.record = without_ocn(provider.record)


def without_ocn(record: Provider) -> Provider:
    implementation = record.implementation if record.foreign else IMPLEMENTATIONS[2]
    return replace(record, key=record.rmd_numbers[0], ocns=(), implementation=implementation)


def _number_blocks(
    rng: random.Random, locals_: list[SimProvider]
) -> tuple[list[str], dict[str, SimProvider]]:
    """Give each local carrier a few NPA-NXX blocks in one or two home area codes."""
    npas = sorted(NPA_PLACES)
    owner: dict[str, SimProvider] = {}
    for provider in locals_:
        homes = rng.sample(npas, 2)
        for _ in range(rng.randint(2, 5)):
            block = _new_block(rng, rng.choice(homes), owner)
            owner[block] = provider
            provider.blocks.append(block)
    return list(owner), owner


def _new_block(rng: random.Random, npa: str, taken: dict[str, SimProvider]) -> str:
    while True:
        block = npa + random_nxx(rng.random)
        if block not in taken and try_normalize(block + "0000") is not None:
            return block


def _honeypot_numbers(rng: random.Random, blocks: list[str]) -> list[str]:
    numbers: set[str] = set()
    while len(numbers) < HONEYPOT_LINES:
        line = rng.randrange(HONEYPOT_LINE_START, 10000)
        numbers.add(f"{rng.choice(blocks)}{line:04d}")
    return sorted(numbers)
