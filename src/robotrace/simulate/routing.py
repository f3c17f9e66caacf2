"""Routes: the providers a call crosses from its origin to (not including) the terminating one.

Rules the whole simulator relies on: a path is 2–8 providers long; foreign providers appear
only at its start; the first US provider after a foreign one is a gateway.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from robotrace.simulate.network import Network, SimProvider

MAX_PATH = 8
#: Weights for 0, 1, 2, 3 foreign transit providers before the gateway.
_FOREIGN_TRANSITS = (4, 3, 2, 1)
#: Weights for 0, 1, 2, 3 US intermediate providers before the terminating one.
_INTERMEDIATES = (3, 4, 2, 1)
ROUTES_PER_ORIGIN = 4


@dataclass(frozen=True)
class Route:
    """A route prefix; ``latencies_ms[i]`` is when the call reaches ``providers[i]``."""

    id: int
    providers: tuple[SimProvider, ...]
    latencies_ms: tuple[int, ...]

    @property
    def origin(self) -> SimProvider:
        return self.providers[0]


@dataclass(frozen=True)
class Pools:
    """The providers a route may pass through."""

    foreign: tuple[SimProvider, ...]
    domestic: tuple[SimProvider, ...]


class Router:
    """Makes routes with unique ids."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._next_id = 0

    def route(
        self,
        origin: SimProvider,
        gateway: SimProvider | None,
        pools: Pools,
        required: SimProvider | None = None,
    ) -> Route:
        """A route from ``origin``; ``required`` (foreign or wholesale) is always crossed."""
        hops = [origin]
        if origin.foreign:
            assert gateway is not None and gateway.kind == "gateway"
            hops += self._transits(origin, pools.foreign, required, limit=3)
            hops.append(gateway)
            hops += self._intermediates(origin, pools.domestic, required, limit=2)
        else:
            hops += self._intermediates(origin, pools.domestic, required, limit=3)
        assert len(hops) < MAX_PATH
        self._next_id += 1
        return Route(self._next_id, tuple(hops), self._latencies(len(hops)))

    def _transits(
        self,
        origin: SimProvider,
        pool: tuple[SimProvider, ...],
        required: SimProvider | None,
        limit: int,
    ) -> list[SimProvider]:
        extra = [required] if required is not None and required.foreign else []
        return self._sample(pool, (origin, *extra), _FOREIGN_TRANSITS, limit - len(extra)) + extra

    def _intermediates(
        self,
        origin: SimProvider,
        pool: tuple[SimProvider, ...],
        required: SimProvider | None,
        limit: int,
    ) -> list[SimProvider]:
        extra = [required] if required is not None and required.kind == "wholesale" else []
        return extra + self._sample(pool, (origin, *extra), _INTERMEDIATES, limit - len(extra))

    def _sample(
        self,
        pool: tuple[SimProvider, ...],
        exclude: tuple[SimProvider, ...],
        weights: tuple[int, ...],
        limit: int,
    ) -> list[SimProvider]:
        choices = [p for p in pool if p not in exclude]
        most = min(limit, len(choices), len(weights) - 1)
        if most <= 0:
            return []
        count = self._rng.choices(range(most + 1), weights[: most + 1])[0]
        return self._rng.sample(choices, count)

    def _latencies(self, count: int) -> tuple[int, ...]:
        total, out = 0, []
        for _ in range(count):
            out.append(total)
            total += self._rng.randint(3, 40)
        return tuple(out)


def all_pools(network: Network) -> Pools:
    return Pools(tuple(network.of_kind("foreign")), tuple(network.of_kind("wholesale")))


def legit_routes(network: Network, router: Router, rng: random.Random) -> dict[int, list[Route]]:
    """Least-cost routes of ordinary traffic: a few per originating provider."""
    pools = all_pools(network)
    gateways = network.of_kind("gateway")
    routes: dict[int, list[Route]] = {}
    for origin in network.providers:
        if origin.kind == "gateway":
            continue
        routes[origin.index] = [
            router.route(origin, rng.choice(gateways) if origin.foreign else None, pools)
            for _ in range(ROUTES_PER_ORIGIN)
        ]
    return routes


def hop_latency_ms(route: Route, terminating: SimProvider) -> int:
    """When the call reaches ``terminating`` after ``route``: fixed per pair, no randomness."""
    return route.latencies_ms[-1] + 3 + (route.id * 7 + terminating.index * 13) % 30
