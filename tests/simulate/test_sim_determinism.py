"""Same seed and arguments, same bytes; another seed, another world."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyarrow.parquet as pq

from robotrace.cdr.schema import CDR_SCHEMA
from robotrace.simulate.runner import SimulationParams, simulate

from .worlds import LETTERS, read_csv

PARAMS = SimulationParams(seed=11, providers=12, days=0.5, calls=600)
#: SHA-256 over every file (relative path, NUL, bytes) of PARAMS in CSV with signing off.
#: First recorded before warning letters and STIR/SHAKEN signing existed (runs without them
#: must not change); recorded again when the registry became the FCC's RMD export with
#: provider-ids.csv beside it and providers without an OCN (named by their RMD number): the
#: calls, routes and honeypot calls stayed those of before, under the new names; and again
#: when campaigns with a US origin got a local call-back number rented from a local carrier
#: (Trace Forward: number-blocks/allutlzd.txt and subscribers.csv beside the rest): the CDRs
#: stayed byte for byte, the honeypot transcripts read the new number; and again when
#: truth.json gave each provider its action at the origin (``on_traceback_origin``, issue 23,
#: from its own random stream): every other file, and the rest of truth.json, stayed the same.
PARAMS_DIGEST = "979db4ffb1bcaca860e97aed25371c48b3f65ff49d24487e7815cd3aeb171c5e"


def _files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_the_same_seed_writes_byte_identical_files(tmp_path: Path) -> None:
    simulate(PARAMS, tmp_path / "a")
    simulate(PARAMS, tmp_path / "b")
    first, second = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert len(first) > 5
    assert first == second


def test_a_run_without_letters_or_signing_writes_the_recorded_bytes(
    tmp_path: Path,
) -> None:
    simulate(SimulationParams(**{**PARAMS.__dict__, "shaken": "off"}), tmp_path)
    digest = hashlib.sha256()
    for name, data in _files(tmp_path).items():
        digest.update(name.encode() + b"\0" + data)
    assert digest.hexdigest() == PARAMS_DIGEST


def test_the_same_seed_with_letters_writes_byte_identical_files(tmp_path: Path) -> None:
    params = SimulationParams(**{**LETTERS.__dict__, "calls": 2000})
    simulate(params, tmp_path / "a")
    simulate(params, tmp_path / "b")
    assert _files(tmp_path / "a") == _files(tmp_path / "b")


def test_the_same_seed_writes_byte_identical_parquet(tmp_path: Path) -> None:
    params = SimulationParams(**{**PARAMS.__dict__, "file_format": "parquet"})
    simulate(params, tmp_path / "a")
    simulate(params, tmp_path / "b")
    assert _files(tmp_path / "a") == _files(tmp_path / "b")


def test_a_different_seed_writes_different_files(tmp_path: Path) -> None:
    simulate(PARAMS, tmp_path / "a")
    simulate(SimulationParams(**{**PARAMS.__dict__, "seed": 12}), tmp_path / "b")
    first, second = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert first["truth.json"] != second["truth.json"]
    assert first["providers.csv"] != second["providers.csv"]


def test_parquet_cdrs_hold_the_same_legs_as_csv_in_the_canonical_schema(tmp_path: Path) -> None:
    simulate(PARAMS, tmp_path / "csv")
    simulate(SimulationParams(**{**PARAMS.__dict__, "file_format": "parquet"}), tmp_path / "pq")
    parquet_files = sorted((tmp_path / "pq" / "cdrs").glob("*.parquet"))
    assert [p.stem for p in parquet_files] == sorted(
        p.stem for p in (tmp_path / "csv" / "cdrs").glob("*.csv")
    )
    for path in parquet_files:
        table = pq.read_table(path)
        assert table.schema.equals(CDR_SCHEMA)
        rows = read_csv(tmp_path / "csv" / "cdrs" / f"{path.stem}.csv")
        assert table.column("sip_call_id").to_pylist() == [r["sip_call_id"] for r in rows]
        assert table.column("called_number").to_pylist() == [r["called_number"] for r in rows]
        empty_from = [r["from_provider"] or None for r in rows]
        assert table.column("from_provider").to_pylist() == empty_from
