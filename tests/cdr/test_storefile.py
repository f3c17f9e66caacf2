"""The row-group reader of store files answers every hop request exactly as a brute-force
scan of the same legs does, on a store with skewed keys, ties and keys across row groups."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from robotrace.cdr import store
from robotrace.cdr.lookup import LookupResult, ProviderRecords
from robotrace.cdr.readers import read_cdrs
from robotrace.cdr.schema import STORE_SCHEMA
from robotrace.cdr.store import write_table_store
from robotrace.cdr.storefile import KeyRanges, open_store_file
from robotrace.numbers import digits_key

T0 = datetime(2020, 5, 1, 12, tzinfo=UTC)
SKEW_MS = 5000
HEAVY = "3105550100"  # one number with a fifth of all legs: it spans many row groups
CALLERS = ["+12025550143", "1-202-555-0144", "2025550145", "anonymous", "tel:+1-202-555-0143"]
SPELLINGS = ["+1{}", "{}", "1-{}", "tel:+1{}", "sip:+1{}@gw.example;user=phone", "011{}"]


@dataclass(frozen=True)
class Truth:
    """One leg as the brute force sees it: computed here from the raw rows, not the store."""

    key: str
    ms: int
    calling_key: str
    call_id: str
    from_provider: str | None
    customer: str | None


def raw_legs(rng: random.Random) -> list[dict[str, str]]:
    """About 3,000 legs: 600 to HEAVY within a minute, the rest to 250 numbers over an hour;
    times on a 250 ms grid so that many legs share a time or lie equally near a request."""
    numbers = [HEAVY] * 600 + [f"31055{n:05d}" for n in rng.choices(range(250), k=2400)]
    rows = []
    for n, number in enumerate(numbers):
        span = 240 if number == HEAVY else 14_400
        upstream = rng.random() < 0.7
        rows.append(
            {
                "provider": "TERM",
                "call_time": (T0 + timedelta(milliseconds=250 * rng.randrange(span))).isoformat(),
                "calling_number": rng.choice(CALLERS),
                "called_number": rng.choice(SPELLINGS).format(number),
                "from_provider": rng.choice(["UPA", "UPB", "UPC"]) if upstream else "",
                "customer": "" if upstream else f"customer-{n % 7}",
                "sip_call_id": f"call-{n:05d}",
            }
        )
    return rows


def truth_of(row: dict[str, str]) -> Truth:
    moment = datetime.fromisoformat(row["call_time"])
    return Truth(
        key=digits_key(row["called_number"]),
        ms=round((moment - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds() * 1000),
        calling_key=digits_key(row["calling_number"]),
        call_id=row["sip_call_id"],
        from_provider=row["from_provider"] or None,
        customer=row["customer"] or None,
    )


def brute_force(legs: list[Truth], called: str, calling: str, when_ms: int) -> tuple:
    """docs/formats.md's rule, over every leg: the nearest in time within the skew; among
    equally near ones a matching calling key; then the earlier, then the smaller call id."""
    key, calling_key = digits_key(called), digits_key(calling)
    near = [leg for leg in legs if leg.key == key and abs(leg.ms - when_ms) <= SKEW_MS]
    if not key or not near:
        return (False, None, None, None, 0)

    def rank(leg: Truth) -> tuple:
        return abs(leg.ms - when_ms), leg.calling_key != calling_key or not calling_key, leg.ms

    best = min(near, key=lambda leg: (*rank(leg), leg.call_id))
    return (True, best.call_id, best.from_provider, best.customer, len(near))


def seen(result: LookupResult) -> tuple:
    if not result.found:
        return (False, None, None, None, 0)
    return (True, result.sip_call_id, result.from_provider, result.customer, result.candidates)


def requests(legs: list[Truth], rng: random.Random) -> Iterator[tuple[str, str, int]]:
    """Near every kind of edge: exactly on a leg, on the skew's edges and just past them,
    halfway between grid times (ties), other numbers, numbers between stored keys."""
    offsets = [0, 1, -1, 125, -125, 250, SKEW_MS, -SKEW_MS, SKEW_MS + 1, -SKEW_MS - 1, 2600]
    for leg in rng.sample(legs, 150):
        for offset in rng.sample(offsets, 4):
            spelled = rng.choice(SPELLINGS).format(leg.key)
            yield spelled, rng.choice(CALLERS), leg.ms + offset
    for missing in ["3105549999", "3105550099", "31055001005", "9999999999", "anonymous", ""]:
        yield missing, CALLERS[0], legs[0].ms


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[Truth], list]:
    """The legs written by the real store writer in 64-row groups (about 47 of them)."""
    monkeypatch.setattr(store, "ROW_GROUP_ROWS", 64)
    rng = random.Random(21)
    rows = raw_legs(rng)
    write_table_store(read_cdrs([pa.Table.from_pylist(rows)]), tmp_path / "store")
    truths = [truth_of(row) for row in rows]
    return tmp_path / "store" / "TERM.parquet", truths, list(requests(truths, rng))


def _at(ms: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=ms)


def test_the_row_group_reader_agrees_with_a_brute_force_scan(world) -> None:
    path, truths, asked = world
    assert pq.ParquetFile(path).metadata.num_row_groups > 40
    with ProviderRecords.open(path) as records:
        assert records.by_row_groups
        for called, calling, when_ms in asked:
            got = seen(records.lookup(called, calling, _at(when_ms), skew_s=SKEW_MS / 1000))
            assert got == brute_force(truths, called, calling, when_ms), (called, when_ms)


def test_the_heavy_number_spans_row_groups_and_they_are_all_read(world) -> None:
    path, truths, _ = world
    reader = open_store_file(path)
    assert reader is not None
    first, last = min(t.ms for t in truths if t.key == HEAVY), max(t.ms for t in truths)
    rows = reader.candidates(HEAVY, first, last, limit=10_000)
    assert len(rows) == sum(t.key == HEAVY for t in truths) == 600


def test_an_unsorted_file_without_statistics_still_answers_the_same(world, tmp_path) -> None:
    """Another tool's file: shuffled rows (ranges overlap, so every range is checked) or no
    statistics at all (refused: DuckDB answers)."""
    path, truths, asked = world
    table = pq.read_table(path, schema=STORE_SCHEMA)
    order = list(range(table.num_rows))
    random.Random(5).shuffle(order)
    shuffled, bare = tmp_path / "shuffled" / "TERM.parquet", tmp_path / "bare" / "TERM.parquet"
    for target, statistics in ((shuffled, True), (bare, False)):
        target.parent.mkdir()
        pq.write_table(table.take(order), target, row_group_size=64, write_statistics=statistics)
    assert open_store_file(bare) is None
    for target in (shuffled, bare):
        with ProviderRecords.open(target) as records:
            assert records.by_row_groups is (target == shuffled)
            for called, calling, when_ms in asked[::7]:
                got = seen(records.lookup(called, calling, _at(when_ms), skew_s=SKEW_MS / 1000))
                assert got == brute_force(truths, called, calling, when_ms)


def test_key_ranges_find_the_groups_a_key_may_be_in() -> None:
    ranges = KeyRanges.of(["1", "3", "3", "5"], ["3", "3", "4", "9"])
    assert ranges.ordered
    assert [list(ranges.groups_holding(k)) for k in ("0", "1", "3", "4", "6", "99")] == [
        [],
        [0],
        [0, 1, 2],
        [2],
        [3],
        [],
    ]
    overlapping = KeyRanges.of(["1", "0"], ["5", "9"])
    assert not overlapping.ordered and list(overlapping.groups_holding("3")) == [0, 1]
