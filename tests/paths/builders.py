"""Generated networks for the bulk-tracing tests: legs, calls, and the answer for each call.

A :class:`Network` is built by the generator, which decides every leg's fate itself — kept
(within the tolerance, edges included), lost, recorded too far off, or naming an upstream
already on the path (a loop) — so the expected status and path of each call follow from the
generator's own choices, never from robotrace. Decoy legs (same provider and called number,
farther off, or as near but with another calling number) and other calls to the same number
sit close enough to land in a neighbouring time bucket but never win a correct match.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

import pyarrow as pa
from hypothesis import strategies as st

from robotrace.cdr.store import write_provider_store
from robotrace.paths.assemble import assemble_paths
from robotrace.paths.calls import read_calls
from robotrace.paths.engine import TracingEngine, trace_paths

T0_MS = 1_585_699_200_000  # 2020-04-01T00:00:00Z
CALLS_HEADER = ["call_id", "called_number", "calling_number", "call_time", "terminating_provider"]
#: How each provider writes numbers; all give the same digits key.
NUMBER_FORMATS = ("e164", "national", "dashed")
#: Spoofed caller IDs seen in the wild, beside real numbers: none, a word, too short.
ODD_CALLING = ("", "anonymous", "123")


def iso_ms(t_ms: int) -> str:
    return datetime.fromtimestamp(t_ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def spelled(number: str, style: str) -> str:
    """``+1NPANXXXXXX`` as a provider of ``style`` writes it; odd caller IDs as they are."""
    if not number.startswith("+1"):
        return number
    national = number[2:]
    if style == "national":
        return national
    if style == "dashed":
        return f"1-{national[:3]}-{national[3:6]}-{national[6:]}"
    return number


@dataclass
class Provider:
    ocn: str
    foreign: bool = False
    keeps_records: bool = True
    skew_ms: int = 0  # its clock's offset, within the tolerance
    style: str = "e164"


@dataclass
class Leg:
    provider: str
    t_ms: int
    calling: str
    called: str
    from_provider: str = ""
    customer: str = ""
    sip_call_id: str = ""


@dataclass
class Call:
    call_id: str
    called: str
    calling: str
    t_ms: int
    path: list[str]  # the true path, origin first
    status: str = ""  # what a trace must report …
    traced: list[str] = field(default_factory=list)  # … and the path it must show


@dataclass
class Network:
    tolerance_ms: int
    providers: dict[str, Provider]
    calls: list[Call]
    legs: list[Leg]
    max_hops: int = 16

    def foreign(self) -> set[str]:
        return {ocn for ocn, p in self.providers.items() if p.foreign}

    def with_records(self) -> set[str]:
        return {leg.provider for leg in self.legs}

    def write_store(self, out: Path) -> Path:
        """The canonical store of the legs (through the importer, as real records go)."""
        rows = [self._raw(leg) for leg in self.legs]
        write_provider_store([pa.Table.from_pylist(rows)], out)
        return out

    def write_calls(self, path: Path) -> Path:
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(CALLS_HEADER)
            for c in self.calls:
                writer.writerow([c.call_id, c.called, c.calling, iso_ms(c.t_ms), c.path[-1]])
        return path

    def expected(self) -> dict[str, tuple[str, list[str]]]:
        return {c.call_id: (c.status, c.traced) for c in self.calls}

    def _raw(self, leg: Leg) -> dict[str, str]:
        style = self.providers[leg.provider].style
        return {
            "provider": leg.provider,
            "call_time": iso_ms(leg.t_ms),
            "calling_number": spelled(leg.calling, style),
            "called_number": spelled(leg.called, style),
            "from_provider": leg.from_provider,
            "customer": leg.customer,
            "sip_call_id": leg.sip_call_id,
        }


# --- the generator ------------------------------------------------------------------------


def subscriber(n: int) -> str:
    return f"+1202555{n:04d}"


@st.composite
def networks(draw: st.DrawFn, max_calls: int = 8) -> Network:
    """A handful of providers (some foreign, some keeping no records), calls 1–6 providers
    long sharing called numbers and caller IDs, their legs and decoys, and the answers."""
    tolerance = draw(st.sampled_from([0, 1, 7, 250, 5_000]) | st.integers(0, 30_000))
    providers = draw(_providers(tolerance))
    network = Network(tolerance, providers, [], [])
    network.max_hops = draw(st.just(16) | st.integers(1, 6))
    callings = [subscriber(9000 + n) for n in range(3)] + list(ODD_CALLING)
    next_time: dict[str, int] = {}  # per called number: the earliest time of its next call
    for n in range(draw(st.integers(1, max_calls))):
        called = subscriber(draw(st.integers(0, 2)))
        # Calls to one number: far enough apart that neither's legs can match the other,
        # near enough that they share neighbouring buckets.
        gap = draw(st.integers(0, 2 * tolerance + 10))
        t_ms = next_time.get(called, T0_MS + draw(st.integers(0, 4 * tolerance + 10))) + gap
        next_time[called] = t_ms + 3 * tolerance + 2
        ocns = draw(st.permutations(sorted(providers)))
        path = sorted(ocns[: draw(st.integers(1, min(6, len(ocns))))], key=_us_last(providers))
        call = Call(f"c{n}", called, draw(st.sampled_from(callings)), t_ms, path)
        _follow(draw, network, call)
        network.calls.append(call)
    _settle_dead_ends(network)
    # Legs to a number nobody listed, and a provider that is on no path.
    network.providers["FILLER"] = Provider("FILLER")
    network.legs.append(Leg("FILLER", T0_MS, subscriber(1), subscriber(8888), customer="x"))
    return network


def _us_last(providers: dict[str, Provider]):  # type: ignore[no-untyped-def]
    return lambda ocn: not providers[ocn].foreign  # foreign providers only before US ones


@st.composite
def _providers(draw: st.DrawFn, tolerance: int) -> dict[str, Provider]:
    count = draw(st.integers(2, 7))
    providers = {}
    for n in range(count):
        ocn = f"P{n:02d}"
        providers[ocn] = Provider(
            ocn,
            foreign=draw(st.booleans()),
            keeps_records=draw(st.sampled_from([True, True, True, True, False])),
            skew_ms=draw(
                st.sampled_from([-tolerance, tolerance]) | st.integers(-tolerance, tolerance)
            ),
            style=draw(st.sampled_from(NUMBER_FORMATS)),
        )
    return providers


_FATES = ("kept",) * 9 + ("lost", "too_far", "loop")


def _follow(draw: st.DrawFn, network: Network, call: Call) -> None:
    """Write the call's legs, from the terminating provider up, and its expected ending."""
    visited: list[str] = []
    for index in range(len(call.path) - 1, -1, -1):
        ocn = call.path[index]
        visited.append(ocn)
        provider = network.providers[ocn]
        if not provider.keeps_records:
            return _ends(call, visited, "dead_end")  # no_records or no_match: settled later
        fate = draw(st.sampled_from(_FATES))
        if fate == "lost":
            return _ends(call, visited, "dead_end")
        if fate == "too_far":
            _write_too_far(draw, network, call, ocn)
            return _ends(call, visited, "dead_end")
        upstream = call.path[index - 1] if index > 0 else ""
        if fate == "loop":
            upstream = draw(st.sampled_from(visited))
        _write_leg(draw, network, call, ocn, upstream)
        if len(visited) == network.max_hops and upstream and fate != "loop":
            return _ends(call, visited, "hop_limit")
        if fate == "loop":
            return _ends(call, visited, "loop")
        if not upstream:
            return _ends(call, visited, "origin")
    raise AssertionError("unreachable: the origin's leg ends every path")


def _ends(call: Call, visited: list[str], status: str) -> None:
    call.status = status
    call.traced = visited[::-1]


def _write_leg(draw: st.DrawFn, network: Network, call: Call, ocn: str, upstream: str) -> None:
    provider = network.providers[ocn]
    delta = provider.skew_ms
    leg = Leg(
        ocn,
        call.t_ms + delta,
        call.calling,
        call.called,
        from_provider=upstream,
        customer="" if upstream else f"Customer of {ocn}",
        sip_call_id=call.call_id,
    )
    network.legs.append(leg)
    for decoy in _decoys(draw, network, call, delta):
        decoy.provider = ocn
        decoy.from_provider = draw(st.sampled_from(sorted(network.providers)))
        network.legs.append(decoy)


def _decoys(draw: st.DrawFn, network: Network, call: Call, delta: int) -> list[Leg]:
    """Legs the true one (at ``delta``) must beat, each by one rule of the order: farther
    off; as near, no later and first by ``sip_call_id``, but with another calling number; as
    near but later; the same but a greater ``sip_call_id``."""
    kinds = ["twin"]
    if call.calling not in ("", "anonymous"):  # the call's caller has a key
        kinds.append("caller")
    if delta < 0:
        kinds.append("later")
    if abs(delta) < network.tolerance_ms:
        kinds.append("farther")
    decoys = []
    for n in range(draw(st.integers(0, 2))):
        kind = draw(st.sampled_from(kinds))
        decoy = Leg("", call.t_ms + delta, call.calling, call.called)
        decoy.sip_call_id = f"{call.call_id}-decoy{n}"  # after the true leg's
        if kind == "caller":
            decoy.t_ms = call.t_ms - abs(delta)
            decoy.calling = subscriber(7000 + n)
            decoy.sip_call_id = f"!{call.call_id}-decoy{n}"  # before the true leg's
        elif kind == "later":
            decoy.t_ms = call.t_ms - delta
        elif kind == "farther":
            farther = draw(st.integers(abs(delta) + 1, network.tolerance_ms))
            decoy.t_ms = call.t_ms + draw(st.sampled_from([-1, 1])) * farther
        decoys.append(decoy)
    return decoys


def _write_too_far(draw: st.DrawFn, network: Network, call: Call, ocn: str) -> None:
    """The call's leg, but just outside the tolerance (and no nearer than 2×tolerance + 1)."""
    tolerance = network.tolerance_ms
    off = draw(st.integers(tolerance + 1, 2 * tolerance + 1)) * draw(st.sampled_from([-1, 1]))
    far = Leg(ocn, call.t_ms + off, call.calling, call.called, customer=f"Customer of {ocn}")
    far.sip_call_id = f"{call.call_id}-{ocn}-far"
    network.legs.append(far)


def _settle_dead_ends(network: Network) -> None:
    """A dead end is ``no_match`` where the provider has any leg at all, else ``no_records``."""
    recorded = network.with_records()
    for call in network.calls:
        if call.status == "dead_end":
            call.status = "no_match" if call.traced[0] in recorded else "no_records"


# --- tracing a network --------------------------------------------------------------------


@dataclass
class Traced:
    """What an engine made of a network: the hop rows and the paths, by call id."""

    hops: pa.Table
    paths: pa.Table

    def by_call(self) -> dict[str, dict[str, object]]:
        return {row["call_id"]: row for row in self.paths.to_pylist()}

    def hop_rows(self, call_id: str) -> list[dict[str, object]]:
        rows = [r for r in self.hops.to_pylist() if r["call_id"] == call_id]
        return sorted(rows, key=lambda r: r["hop"])


def trace_network(engine: TracingEngine, network: Network, where: Path) -> Traced:
    """Write the network's store and calls under ``where`` and trace every call."""
    where.mkdir(parents=True, exist_ok=True)
    store = network.write_store(where / "store")
    calls = read_calls(network.write_calls(where / "calls.csv"))
    hops = trace_paths(engine, store, calls, network.tolerance_ms, network.max_hops)
    with_records = engine.providers_with_records(store)
    return Traced(hops, assemble_paths(hops, calls, with_records, network.foreign()))


def gateway_of(path: list[str], foreign: set[str]) -> str | None:
    """The US provider right after the last foreign one on ``path`` (origin first)."""
    gateways = [b for a, b in pairwise(path) if a in foreign and b not in foreign]
    return gateways[-1] if gateways else None
