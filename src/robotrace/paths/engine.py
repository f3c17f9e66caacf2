"""What a bulk-tracing engine must do, and the hop loop that drives any of them.

An engine holds relations of its own kind (DuckDB tables, Spark DataFrames):

- the **best legs**: for every listed call and every provider with a leg to the call's
  called number within the tolerance of the call's time, the best such leg. This is the one
  **band join** (:meth:`TracingEngine.best_legs`): the store's legs to the listed numbers (a
  semi-join on ``called_key``) are joined to the calls on equality of called key and time
  bucket (``leg_ms // tolerance``), each call taking its own bucket and the two neighbours,
  so every leg within the tolerance is a candidate whatever the bucket edges; then the
  tolerance filter and the nearest match per call and provider — by ``|leg_ms − t_ms|``,
  then a leg whose calling key equals the call's, then the earlier leg, then the smaller
  ``sip_call_id`` (:func:`robotrace.cdr.lookup.best_leg`'s order). No ASOF join: its cost
  grows with the size of a key's group (one spoofed number with millions of calls), the
  band join's does not;
- the **frontier**: one row per call still being followed — the provider whose leg is
  wanted next, and the path so far.

Every hop compares a leg with the listed call's time (not with the previous leg's: each
provider's clock is off on its own, and chaining would add the errors up), so a call's best
leg at a provider is the same whichever hop asks for it: the band join runs once, and each
hop (:meth:`TracingEngine.follow`) is an equality join of the frontier with the best legs on call
and provider. The loop (:func:`trace_paths`) follows ``from_provider`` until every call ends:
at an origin (a leg without ``from_provider``), a dead end, a loop or the hop limit. The hops
found are collected as Arrow and assembled into paths by
:func:`robotrace.paths.assemble.assemble_paths`, the same for every engine.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

#: Columns of the listed calls an engine receives (:func:`robotrace.paths.calls.read_calls`).
CALL_COLUMNS = ("call_id", "called_key", "calling_key", "t_ms", "terminating_provider")
#: Columns of the hop rows an engine returns from :meth:`TracingEngine.hops`.
HOP_SCHEMA = pa.schema(
    [
        ("call_id", pa.string()),
        ("hop", pa.int32()),  # 0 = the terminating provider's leg
        ("provider", pa.string()),
        ("found", pa.bool_()),
        ("leg_ms", pa.int64()),
        ("delta_ms", pa.int64()),
        ("from_provider", pa.string()),
        ("customer", pa.string()),
        ("calling_matched", pa.bool_()),
        ("loop", pa.bool_()),  # from_provider is already on the path
        ("path", pa.string()),  # the providers asked so far, "|TERM|MID|…|"
    ]
)
DEFAULT_MAX_HOPS = 16

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Band:
    """The band join's parameters: matches within ``tolerance_ms``; buckets of that width."""

    tolerance_ms: int

    @property
    def bucket_ms(self) -> int:
        return max(self.tolerance_ms, 1)


class TracingEngine(ABC):
    """One bulk-tracing engine. Relations are the engine's own objects; only :meth:`hops`
    hands rows back (as Arrow)."""

    name: str

    @abstractmethod
    def load_calls(self, calls: pa.Table) -> Any:
        """The listed calls (``CALL_COLUMNS``) as the engine's relation."""

    @abstractmethod
    def best_legs(self, store: Path, calls: Any, band: Band) -> Any:
        """The band join: per call and provider, the best leg within the tolerance —
        ``call_id, provider, leg_ms, delta_ms, from_provider, customer, calling_matched``;
        ``calls`` is what :meth:`load_calls` returned."""

    @abstractmethod
    def first_frontier(self, calls: Any) -> Any:
        """Hop 0: each call at its terminating provider, path ``"|<provider>|"``."""

    @abstractmethod
    def follow(self, frontier: Any, best: Any) -> Any:
        """Every frontier row with its provider's best leg (or none), in ``HOP_SCHEMA``."""

    @abstractmethod
    def next_frontier(self, matched: Any) -> Any:
        """The calls that go on: a found leg with a ``from_provider`` not on the path yet."""

    @abstractmethod
    def is_empty(self, relation: Any) -> bool: ...

    @abstractmethod
    def hops(self, matched: list[Any]) -> pa.Table:
        """The hop rows of every step, as one Arrow table in ``HOP_SCHEMA``."""

    @abstractmethod
    def providers_with_records(self, store: Path) -> set[str]:
        """The providers the store has legs for."""

    def close(self) -> None:  # noqa: B027 - engines without resources need nothing
        """Release the engine's resources."""


def trace_paths(
    engine: TracingEngine,
    store: Path,
    calls: pa.Table,
    tolerance_ms: int,
    max_hops: int = DEFAULT_MAX_HOPS,
    progress: Progress | None = None,
) -> pa.Table:
    """The hop rows of every listed call, followed through the store until it ends."""
    band = Band(tolerance_ms)
    relation = engine.load_calls(calls)
    if progress:
        progress("matching every call's legs at every provider (the band join)")
    best = engine.best_legs(store, relation, band)
    frontier = engine.first_frontier(relation)
    steps = []
    for hop in range(max_hops):
        if progress:
            progress(f"following hop {hop}")
        matched = engine.follow(frontier, best)
        steps.append(matched)
        frontier = engine.next_frontier(matched)
        if engine.is_empty(frontier):
            break
    return engine.hops(steps)


def engine_named(name: str, master: str | None = None) -> TracingEngine:
    """``duckdb`` (embedded) or ``spark`` (``pyspark``; ``master`` defaults to local[*])."""
    if name == "duckdb":
        from robotrace.paths.duck import DuckEngine

        return DuckEngine()
    if name == "spark":
        from robotrace.paths.spark import SparkEngine

        return SparkEngine(master)
    raise ValueError(f"no engine {name!r}: duckdb or spark")
