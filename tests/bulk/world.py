"""A small simulated world for federated bulk tracing, a portal database that knows its
providers, and what ``robotrace paths`` finds over the pooled records — the yardstick.

The world has providers that keep no records (``truth.json`` says ``no_records``): they get
no user and no agent, as such a provider would not run one.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from robotrace.accounts.tokens import create_token
from robotrace.accounts.users import create_user
from robotrace.cdr.store import write_provider_store
from robotrace.clock import Clock, SystemClock
from robotrace.paths.assemble import assemble_paths
from robotrace.paths.calls import read_calls
from robotrace.paths.duck import DuckEngine
from robotrace.paths.engine import trace_paths
from robotrace.providers.imports import registry_of_files
from robotrace.providers.store import resolve_provider, upsert_providers
from robotrace.simulate.runner import SimulationParams, simulate
from robotrace.store.db import make_engine, transaction, upgrade

PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class World:
    folder: Path

    @property
    def store(self) -> Path:
        return self.folder / "store"

    @property
    def calls(self) -> Path:
        return self.folder / "honeypot.csv"

    @property
    def registry_files(self) -> list[Path]:
        return [self.folder / "providers.csv", self.folder / "provider-ids.csv"]

    def record_keepers(self) -> list[str]:
        """The providers with records, as the records name them (their store files)."""
        return sorted(p.stem for p in self.store.glob("*.parquet"))

    def own_store(self, provider: str) -> Path:
        """A folder with ``provider``'s records only: what its agent has at home."""
        folder = self.folder / "agents" / provider
        if not folder.is_dir():
            folder.mkdir(parents=True)
            shutil.copy(self.store / f"{provider}.parquet", folder / f"{provider}.parquet")
        return folder / f"{provider}.parquet"


def small_world(out: Path, seed: int = 11, providers: int = 8, calls: int = 6000) -> World:
    """A simulated world (every provider cooperative at this size) with two dead ends
    made in its store (:func:`make_dead_ends`)."""
    simulate(
        SimulationParams(seed=seed, providers=providers, days=1, calls=calls, shaken="off"), out
    )
    write_provider_store([out / "cdrs"], out / "store")
    world = World(out)
    make_dead_ends(world)
    return world


def true_paths(world: World) -> dict[str, list[str]]:
    """Each honeypot call's true path, origin first (``truth.json``)."""
    truth = json.loads((world.folder / "truth.json").read_text())
    return {call_id: call["path"] for call_id, call in truth["honeypot"].items()}


def make_dead_ends(world: World) -> None:
    """A provider in the middle of about a quarter of the honeypot calls' paths keeps no
    records (its store file goes: ``no_records``); the one most often in the middle lost its
    legs to every third such call's number (``no_match``). Written to ``dead_ends.json``
    for the expectations."""
    paths = true_paths(world)
    middles = Counter(p for path in paths.values() for p in path[1:-1]).most_common()
    quarter = len(paths) / 4
    silent = min(middles, key=lambda m: (abs(m[1] - quarter), m[0]))[0]
    lossy = next(p for p, _ in middles if p != silent)
    (world.store / f"{silent}.parquet").unlink()
    calls = read_calls(world.calls).to_pylist()
    through = [c for c in calls if lossy in paths[c["call_id"]]]
    lost_keys = sorted({c["called_key"] for c in through[::3]})
    legs = pq.read_table(world.store / f"{lossy}.parquet")
    kept = legs.filter(pc.invert(pc.is_in(legs["called_key"], pa.array(lost_keys))))
    pq.write_table(kept, world.store / f"{lossy}.parquet")
    lost = sorted(c["call_id"] for c in calls if c["called_key"] in set(lost_keys))
    dead = {"no_records": silent, "no_match": lossy, "lost": lost}
    (world.folder / "dead_ends.json").write_text(json.dumps(dead))


def expected_ends(world: World) -> dict[str, tuple[str, list[str]]]:
    """Each honeypot call's ``(status, path)`` from the truth and the dead ends made: from
    the terminating provider up, the first provider without records (``no_records``) or
    without the call's legs (``no_match``) ends it, the path from there on; else the
    origin."""
    dead = json.loads((world.folder / "dead_ends.json").read_text())
    lost = set(dead["lost"])
    found = {}
    for call_id, path in true_paths(world).items():
        found[call_id] = ("origin", path)
        for index in range(len(path) - 1, -1, -1):
            if path[index] == dead["no_records"]:
                found[call_id] = ("no_records", path[index:])
                break
            if path[index] == dead["no_match"] and call_id in lost:
                found[call_id] = ("no_match", path[index:])
                break
    return found


def foreign_keys(world: World) -> set[str]:
    return {p.key for p in registry_of_files(world.registry_files) if p.foreign}


def pooled_paths(world: World, tolerance_ms: int = 5000, max_hops: int = 16) -> pa.Table:
    """What ``robotrace paths`` finds for the world's honeypot calls over the pooled store
    (the same functions its command runs)."""
    calls = read_calls(world.calls)
    engine = DuckEngine()
    try:
        hops = trace_paths(engine, world.store, calls, tolerance_ms, max_hops)
        return assemble_paths(
            hops, calls, engine.providers_with_records(world.store), foreign_keys(world)
        )
    finally:
        engine.close()


def prepare_portal(database_url: str, world: World, clock: Clock | None = None) -> dict[str, str]:
    """The world's providers, a coordinator and one agent user per provider that keeps
    records; read-write tokens by provider (as the records name it) and ``coordinator``."""
    engine = make_engine(database_url)
    upgrade(engine)
    clock = clock or SystemClock()
    tokens = {}
    with transaction(engine) as session:
        upsert_providers(session, registry_of_files(world.registry_files), clock)
        coordinator = create_user(session, "coord@example.org", "coordinator", PASSWORD)
        tokens["coordinator"], _ = create_token(session, coordinator, "bulk", True, clock)
        for named in world.record_keepers():
            row = resolve_provider(session, named)
            assert row is not None, named
            user = create_user(session, f"agent@{named.lower()}.example", "provider", None, row.key)
            tokens[named], _ = create_token(session, user, "agent", True, clock)
    engine.dispose()
    return tokens


def read_paths(path: Path) -> dict[str, dict]:
    """paths.parquet by call id."""
    return {row["call_id"]: row for row in pq.read_table(path).to_pylist()}
