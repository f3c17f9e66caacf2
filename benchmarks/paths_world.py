"""A fast generator of bulk-tracing worlds for ``bench_paths.py``: a canonical CDR store,
calls files to trace and the truth of their paths, straight from numpy (no simulator).

A world is fixed by :class:`WorldSpec` (legs, providers, maximum clock skew, seed) and
cached under ``<work>/<spec.key>/``:

- ``store/<OCN>.parquet``: each provider's legs in ``STORE_SCHEMA``, sorted by
  ``called_key, call_time`` (calls are generated in called-key order, a chunk never splits a
  key, and each chunk's legs are sorted before they are appended), lz4, row groups of at most
  ``ROW_GROUP_ROWS``;
- ``world.json``: the providers (OCN, kind, records kept, skew), counts;
- ``calls-<M>.parquet`` and ``truth-<M>.parquet``: ``M`` of the store's calls as a
  terminating provider lists them (true time), and their true paths (origin first; for a
  dead end from the provider without records) with the status a perfect tracer gives.

The traffic: ~15 % of providers are foreign (40 % of those share records), gateways take
their calls in; 60 % of calls start abroad. Paths are 2–6 providers long, no provider twice.
Each called number belongs to one local carrier (its terminating provider); one number takes
1 % of all calls and ten more 0.1 % each; 30 % of calls show one of 1,000 spoofed calling
numbers. Every provider's clock is off by a fixed amount within ±``max_skew_ms``, and each
hop adds 1–20 ms. Calls are spread over one day.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from robotrace.cdr.schema import STORE_SCHEMA
from robotrace.cdr.store import ROW_GROUP_ROWS
from robotrace.files import written_whole

VERSION = 1
T0_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z
SPAN_MS = 86_400_000
MAX_PATH = 6
LENGTHS, LENGTH_SHARES = [2, 3, 4, 5, 6], [0.15, 0.3, 0.3, 0.15, 0.1]
FOREIGN_ORIGIN_SHARE = 0.6
HEAVY_SHARE, HEAVY_TAIL_SHARE, HEAVY_TAIL = 0.01, 0.001, 10
SPOOFED_SHARE, SPOOFED_NUMBERS = 0.3, 1_000
CUSTOMERS_PER_PROVIDER = 20
CHUNK_CALLS = 400_000
TIMESTAMP = pa.timestamp("ms", tz="UTC")
CALLS_SCHEMA = pa.schema(
    [
        ("call_id", pa.string()),
        ("called_number", pa.string()),
        ("calling_number", pa.string()),
        ("call_time", TIMESTAMP),
        ("terminating_provider", pa.string()),
        ("campaign", pa.string()),
    ]
)
TRUTH_SCHEMA = pa.schema([("call_id", pa.string()), ("path", pa.string()), ("status", pa.string())])


@dataclass(frozen=True)
class WorldSpec:
    legs: int
    providers: int = 120
    max_skew_ms: int = 4000
    seed: int = 8

    @property
    def key(self) -> str:
        return f"v{VERSION}-legs{self.legs}-p{self.providers}-skew{self.max_skew_ms}-s{self.seed}"


@dataclass(frozen=True)
class Providers:
    ocns: list[str]
    kinds: list[str]
    records: np.ndarray  # bool per provider: its legs are in the store
    skew_ms: np.ndarray

    def of_kind(self, kind: str) -> np.ndarray:
        return np.array([i for i, k in enumerate(self.kinds) if k == kind], dtype=np.int16)

    @property
    def foreign(self) -> list[str]:
        return [o for o, k in zip(self.ocns, self.kinds, strict=True) if k == "foreign"]


@dataclass(frozen=True)
class World:
    """What the generator decides once per world: providers, numbers, their carriers."""

    spec: WorldSpec
    providers: Providers
    calls: int  # in the store
    called_keys: np.ndarray  # the pool of called numbers (int64, ascending)
    owner: np.ndarray  # terminating provider of each pool number
    spoofed: np.ndarray  # the spoofed calling numbers


@dataclass(frozen=True)
class Generated:
    folder: Path
    legs: int
    calls: int
    seconds: float

    @property
    def store(self) -> Path:
        return self.folder / "store"

    def calls_file(self, count: int) -> Path:
        return self.folder / f"calls-{count}.parquet"

    def truth_file(self, count: int) -> Path:
        return self.folder / f"truth-{count}.parquet"

    @property
    def foreign(self) -> list[str]:
        described = json.loads((self.folder / "world.json").read_text())
        return [p["ocn"] for p in described["providers"] if p["kind"] == "foreign"]


# --- the world's fixed parts -------------------------------------------------------------


def make_providers(spec: WorldSpec) -> Providers:
    rng = np.random.default_rng([spec.seed, 0])
    n = spec.providers
    counts = {"foreign": round(0.15 * n), "gateway": max(2, round(0.08 * n))}
    counts["wholesale"] = max(2, round(0.2 * n))
    counts["local"] = n - sum(counts.values())
    ocns, kinds = [], []
    for kind, count in counts.items():
        ocns += [f"{kind[0].upper()}{i:03d}" for i in range(count)]
        kinds += [kind] * count
    kinds_array = np.array(kinds)
    records = (kinds_array != "foreign") | (rng.random(n) < 0.4)
    skew = np.rint(rng.uniform(-1, 1, n) * spec.max_skew_ms).astype(np.int64)
    return Providers(ocns, kinds, records, skew)


def _weights(count: int) -> np.ndarray:
    """A few big carriers and a long tail (1/(i+1)^0.8)."""
    w = 1.0 / np.arange(1, count + 1) ** 0.8
    return w / w.sum()


def make_world(spec: WorldSpec) -> World:
    providers = make_providers(spec)
    rng = np.random.default_rng([spec.seed, 1])
    calls = max(1, round(spec.legs / legs_per_call(spec, providers)))
    pool = max(64, calls // 3)
    stride = 7_000_000_000 // pool
    keys = 2_100_000_000 + np.arange(pool, dtype=np.int64) * stride
    keys += rng.integers(0, stride, pool)
    local = providers.of_kind("local")
    owner = local[rng.choice(len(local), pool, p=_weights(len(local)))]
    spoofed = 2_100_000_000 + rng.integers(0, 7_000_000_000, SPOOFED_NUMBERS)
    return World(spec, providers, calls, keys, owner, spoofed)


def legs_per_call(spec: WorldSpec, providers: Providers) -> float:
    """Mean legs in the store per call, from a pilot of the path generator."""
    rng = np.random.default_rng([spec.seed, 2])
    local = providers.of_kind("local")
    term = local[rng.integers(0, len(local), 50_000)]
    paths, _ = draw_paths(rng, term, providers)
    kept = (paths >= 0) & providers.records[np.maximum(paths, 0)]
    return float(kept.sum() / len(term))


def called_indices(world: World) -> np.ndarray:
    """Each stored call's called number (index into the pool), ascending."""
    rng = np.random.default_rng([world.spec.seed, 3])
    n, pool = world.calls, len(world.called_keys)
    heavy = rng.choice(pool, 1 + HEAVY_TAIL, replace=False)
    picked = rng.integers(0, pool, n)
    u = rng.random(n)
    picked[u < HEAVY_SHARE] = heavy[0]
    tail = (u >= HEAVY_SHARE) & (u < HEAVY_SHARE + HEAVY_TAIL * HEAVY_TAIL_SHARE)
    picked[tail] = heavy[1 + rng.integers(0, HEAVY_TAIL, int(tail.sum()))]
    picked.sort()
    return picked


# --- paths ---------------------------------------------------------------------------------


def draw_paths(
    rng: np.random.Generator, term: np.ndarray, providers: Providers
) -> tuple[np.ndarray, np.ndarray]:
    """Provider indices (n × 6, origin first, -1 after the end) and path lengths; a row
    holding a provider twice is drawn again."""
    paths = np.full((len(term), MAX_PATH), -1, dtype=np.int16)
    length = np.zeros(len(term), dtype=np.int8)
    todo = np.arange(len(term))
    while len(todo):
        p, n = _draw_some(rng, term[todo], providers)
        paths[todo], length[todo] = p, n
        todo = todo[_has_repeats(p)]
    return paths, length


def _draw_some(
    rng: np.random.Generator, term: np.ndarray, providers: Providers
) -> tuple[np.ndarray, np.ndarray]:
    n = len(term)
    foreign_origin = rng.random(n) < FOREIGN_ORIGIN_SHARE
    length = rng.choice(LENGTHS, n, p=LENGTH_SHARES).astype(np.int8)
    length[foreign_origin & (length < 3)] = 3
    foreigners = np.where(foreign_origin, 1 + ((rng.random(n) < 0.3) & (length >= 4)), 0)
    pick = {
        kind: (providers.of_kind(kind), _weights(len(providers.of_kind(kind))))
        for kind in ("foreign", "gateway", "wholesale")
    }
    domestic = np.concatenate([providers.of_kind("local"), providers.of_kind("wholesale")])
    paths = np.full((n, MAX_PATH), -1, dtype=np.int16)
    for j in range(MAX_PATH - 1):
        kind = np.full(n, "wholesale", dtype=object)
        kind[(j == 0) & ~foreign_origin] = "domestic"
        kind[foreign_origin & (j == foreigners)] = "gateway"
        kind[j < foreigners] = "foreign"
        for name, (members, weights) in pick.items():
            rows = kind == name
            paths[rows, j] = members[rng.choice(len(members), int(rows.sum()), p=weights)]
        rows = kind == "domestic"
        paths[rows, j] = domestic[rng.integers(0, len(domestic), int(rows.sum()))]
        paths[j >= length - 1, j] = -1
    paths[np.arange(n), length - 1] = term
    return paths, length


def _has_repeats(paths: np.ndarray) -> np.ndarray:
    ordered = np.sort(paths, axis=1)
    same = (ordered[:, 1:] == ordered[:, :-1]) & (ordered[:, 1:] >= 0)
    return same.any(axis=1)


# --- one chunk of calls ---------------------------------------------------------------------


@dataclass
class Chunk:
    first: int  # global number of the chunk's first call
    called: np.ndarray  # pool index
    t_ms: np.ndarray  # true time at the terminating provider
    paths: np.ndarray
    length: np.ndarray
    delay_ms: np.ndarray  # n × 6: how much earlier than t_ms each position saw the call
    calling: np.ndarray  # calling key (int64)
    customer: np.ndarray  # index of the origin's customer


def make_chunk(world: World, first: int, called: np.ndarray) -> Chunk:
    rng = np.random.default_rng([world.spec.seed, 4, first])
    n = len(called)
    t_ms = T0_MS + rng.integers(0, SPAN_MS, n)
    order = np.lexsort((t_ms, called))
    called, t_ms = called[order], t_ms[order]
    paths, length = draw_paths(rng, world.owner[called], world.providers)
    hop_ms = rng.integers(1, 21, (n, MAX_PATH)).astype(np.int64)
    hop_ms[np.arange(MAX_PATH)[None, :] >= (length[:, None] - 1)] = 0
    delay = np.cumsum(hop_ms[:, ::-1], axis=1)[:, ::-1]
    calling = 2_100_000_000 + rng.integers(0, 7_000_000_000, n)
    spoofed = rng.random(n) < SPOOFED_SHARE
    calling[spoofed] = world.spoofed[rng.integers(0, SPOOFED_NUMBERS, int(spoofed.sum()))]
    customer = rng.integers(0, CUSTOMERS_PER_PROVIDER, n)
    return Chunk(first, called, t_ms, paths, length, delay, calling, customer)


def chunks(world: World) -> Iterator[Chunk]:
    """The store's calls in called-key order, in chunks that never split a called number."""
    called = called_indices(world)
    start = 0
    while start < len(called):
        end = min(start + CHUNK_CALLS, len(called))
        if end < len(called):
            end = int(np.searchsorted(called, called[end - 1], side="right"))
        yield make_chunk(world, start, called[start:end])
        start = end


def _texts(values: np.ndarray, prefix: str = "") -> pa.Array:
    text = pc.cast(pa.array(values), pa.string())
    return pc.binary_join_element_wise(prefix, text, "") if prefix else text


def chunk_legs(world: World, chunk: Chunk) -> tuple[pa.Table, np.ndarray]:
    """The chunk's legs in ``STORE_SCHEMA``, sorted by provider, called key and leg time,
    and each leg's provider index."""
    providers = world.providers
    position = np.arange(MAX_PATH)[None, :]
    valid = (position < chunk.length[:, None]) & (chunk.paths >= 0)
    valid &= providers.records[np.maximum(chunk.paths, 0)]
    row, j = np.nonzero(valid)
    provider = chunk.paths[row, j].astype(np.int64)
    leg_ms = chunk.t_ms[row] - chunk.delay_ms[row, j] + providers.skew_ms[provider]
    order = np.lexsort((leg_ms, chunk.called[row], provider))
    row, j, provider, leg_ms = row[order], j[order], provider[order], leg_ms[order]
    upstream = np.where(j > 0, chunk.paths[row, np.maximum(j - 1, 0)], -1)
    last = j == chunk.length[row] - 1
    downstream = np.where(last, -1, chunk.paths[row, np.minimum(j + 1, MAX_PATH - 1)])
    customer = np.where(j == 0, provider * CUSTOMERS_PER_PROVIDER + chunk.customer[row], -1)
    ocns = pa.array(providers.ocns)
    customers = pa.array(
        [f"{o}-cust{k:02d}" for o in providers.ocns for k in range(CUSTOMERS_PER_PROVIDER)]
    )
    called_key = _texts(world.called_keys[chunk.called])
    calling_key = _texts(chunk.calling)
    rows = pa.array(row)
    rng = np.random.default_rng([world.spec.seed, 5, chunk.first])
    columns = {
        "provider": ocns.take(pa.array(provider)),
        "call_time": pa.array(leg_ms).view(TIMESTAMP),
        "calling_number": pc.binary_join_element_wise("+1", calling_key, "").take(rows),
        "called_number": pc.binary_join_element_wise("+1", called_key, "").take(rows),
        "from_provider": ocns.take(pa.array(upstream, mask=upstream < 0)),
        "to_provider": ocns.take(pa.array(downstream, mask=downstream < 0)),
        "customer": customers.take(pa.array(customer, mask=customer < 0)),
        "duration_s": pa.array(rng.integers(0, 180, len(row)).astype(np.int32)),
        "disposition": pa.array(["ANSWERED", "NO ANSWER"]).take(
            pa.array((rng.random(len(row)) < 0.3).astype(np.int8))
        ),
        "identity": pa.nulls(len(row), pa.string()),
        "sip_call_id": pc.binary_join_element_wise(_texts(chunk.first + row), _texts(j), "-"),
        "trunk": pa.nulls(len(row), pa.string()),
        "called_key": called_key.take(rows),
        "calling_key": calling_key.take(rows),
    }
    return pa.table(columns, schema=STORE_SCHEMA), provider


def chunk_calls(world: World, chunk: Chunk, wanted: np.ndarray) -> tuple[pa.Table, pa.Table]:
    """The calls file rows and the truth of the chunk's calls marked in ``wanted``."""
    rows = np.nonzero(wanted[chunk.first : chunk.first + len(chunk.called)])[0]
    providers = world.providers
    paths, length = chunk.paths[rows], chunk.length[rows].astype(np.int64)
    position = np.arange(MAX_PATH)[None, :]
    on_path = (position < length[:, None]) & (paths >= 0)
    unrecorded = on_path & ~providers.records[np.maximum(paths, 0)]
    # the dead end nearest the terminating provider: the tracer stops there
    dead = np.where(unrecorded, position, -1).max(axis=1)
    start = np.maximum(dead, 0)
    ocns = pa.array(providers.ocns)
    parts = []
    for j in range(MAX_PATH):
        shown = on_path[:, j] & (j >= start)
        parts.append(ocns.take(pa.array(paths[:, j].astype(np.int64), mask=~shown)))
    path = pc.binary_join_element_wise(*parts, ">", null_handling="skip")
    call_id = pc.binary_join_element_wise("call-", _texts(chunk.first + rows), "")
    term = paths[np.arange(len(rows)), length - 1].astype(np.int64)
    origin = paths[:, 0].astype(np.int64)
    foreign_origin = (np.array(providers.kinds) == "foreign")[origin]
    campaign = pa.array([f"campaign-{k}" for k in range(6)]).take(
        pa.array(origin % 6, mask=~foreign_origin)
    )
    calls = pa.table(
        {
            "call_id": call_id,
            "called_number": _texts(world.called_keys[chunk.called[rows]], "+1"),
            "calling_number": _texts(chunk.calling[rows], "+1"),
            "call_time": pa.array(chunk.t_ms[rows]).view(TIMESTAMP),
            "terminating_provider": ocns.take(pa.array(term)),
            "campaign": campaign,
        },
        schema=CALLS_SCHEMA,
    )
    status = np.where(dead >= 0, "no_records", "origin")
    truth = pa.table({"call_id": call_id, "path": path, "status": pa.array(status)})
    return calls, truth.cast(TRUTH_SCHEMA)


# --- writing -------------------------------------------------------------------------------


def ensure_world(spec: WorldSpec, call_counts: list[int], work: Path, say=print) -> Generated:
    """The cached world for ``spec`` with calls files of each count, generated if missing."""
    folder = work / spec.key
    started = time.perf_counter()
    if not (folder / "world.json").exists():
        say(f"generating {spec.key} under {work} …")
        _generate_store(spec, folder)
    missing = [m for m in call_counts if not (folder / f"truth-{m}.parquet").exists()]
    if missing:
        say(f"listing {', '.join(f'{m:,}' for m in missing)} calls of {spec.key} …")
        _write_calls(make_world(spec), folder, missing)
    described = json.loads((folder / "world.json").read_text())
    return Generated(folder, described["legs"], described["calls"], time.perf_counter() - started)


def _generate_store(spec: WorldSpec, folder: Path) -> None:
    world = make_world(spec)
    partial = folder.with_name(f".{folder.name}.{uuid.uuid4().hex[:8]}.tmp")
    store = partial / "store"
    store.mkdir(parents=True)
    writers: dict[str, pq.ParquetWriter] = {}
    legs = 0
    try:
        for chunk in chunks(world):
            table, provider = chunk_legs(world, chunk)
            legs += table.num_rows
            _append(table, provider, world.providers.ocns, store, writers)
        for writer in writers.values():
            writer.close()
        _describe(world, legs, partial / "world.json")
        folder.parent.mkdir(parents=True, exist_ok=True)
        os.replace(partial, folder)
    finally:
        for writer in writers.values():
            writer.close()
        shutil.rmtree(partial, ignore_errors=True)


def _append(
    table: pa.Table,
    provider: np.ndarray,
    ocns: list[str],
    store: Path,
    writers: dict[str, pq.ParquetWriter],
) -> None:
    """Each provider's rows of ``table`` (sorted by ``provider``) onto its file."""
    values, starts, counts = np.unique(provider, return_index=True, return_counts=True)
    for index, start, count in zip(values, starts, counts, strict=True):
        ocn = ocns[index]
        if ocn not in writers:
            path = store / f"{ocn}.parquet"
            writers[ocn] = pq.ParquetWriter(path, STORE_SCHEMA, compression="lz4")
        writers[ocn].write_table(table.slice(start, count), row_group_size=ROW_GROUP_ROWS)


def _describe(world: World, legs: int, path: Path) -> None:
    p = world.providers
    providers = [
        {"ocn": o, "kind": k, "records": bool(r), "skew_ms": int(s)}
        for o, k, r, s in zip(p.ocns, p.kinds, p.records, p.skew_ms, strict=True)
    ]
    described = {"spec": asdict(world.spec), "legs": legs, "calls": world.calls}
    described["providers"] = providers
    path.write_text(json.dumps(described, indent=1) + "\n")


def _write_calls(world: World, folder: Path, counts: list[int]) -> None:
    wanted = {}
    for m in counts:
        rng = np.random.default_rng([world.spec.seed, 6, m])
        mask = np.zeros(world.calls, dtype=bool)
        mask[rng.choice(world.calls, min(m, world.calls), replace=False)] = True
        wanted[m] = mask
    parts: dict[int, list[tuple[pa.Table, pa.Table]]] = {m: [] for m in counts}
    for chunk in chunks(world):
        for m in counts:
            parts[m].append(chunk_calls(world, chunk, wanted[m]))
    for m in counts:
        calls = pa.concat_tables([c for c, _ in parts[m]])
        truth = pa.concat_tables([t for _, t in parts[m]])
        order = pc.sort_indices(calls, [("call_time", "ascending"), ("call_id", "ascending")])
        with written_whole(folder / f"calls-{m}.parquet") as partial:
            pq.write_table(calls.take(order), partial)
        with written_whole(folder / f"truth-{m}.parquet") as partial:
            pq.write_table(truth, partial)
