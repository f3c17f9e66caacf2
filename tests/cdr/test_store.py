from pathlib import Path

import pyarrow.parquet as pq
import pytest

import robotrace.cdr.store as store
from robotrace.cdr.schema import STORE_SCHEMA
from robotrace.cdr.store import write_provider_store
from robotrace.rows import BadRowsError

from .builders import leg, raw_table, write_csv


def test_import_writes_one_file_per_provider_with_matching_keys(tmp_path: Path) -> None:
    rows = [leg(provider="AAAA"), leg(provider="BBBB", calling_number="anonymous")]
    summary = write_provider_store([write_csv(tmp_path / "in.csv", rows)], tmp_path / "out")
    assert summary.legs == {"AAAA": 1, "BBBB": 1}
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["AAAA.parquet", "BBBB.parquet"]
    table = pq.read_table(summary.path("BBBB"))
    assert table.schema == STORE_SCHEMA
    assert table.select(["called_key", "calling_key"]).to_pylist() == [
        {"called_key": "3105550199", "calling_key": ""}
    ]


def test_store_files_are_sorted_by_called_key_then_time(tmp_path: Path) -> None:
    rows = [
        leg(called_number="+13105550199", call_time="2020-05-01T12:00:09Z", sip_call_id="c"),
        leg(called_number="2025550100", call_time="2020-05-01T12:00:05Z", sip_call_id="a"),
        leg(called_number="(310) 555-0199", call_time="2020-05-01T12:00:01Z", sip_call_id="b"),
    ]
    summary = write_provider_store([raw_table(rows)], tmp_path)
    assert pq.read_table(summary.path("TERM")).column("sip_call_id").to_pylist() == ["a", "b", "c"]


def test_a_bad_row_in_any_input_writes_nothing(tmp_path: Path) -> None:
    good = write_csv(tmp_path / "good.csv", [leg(provider="AAAA")])
    bad = write_csv(tmp_path / "bad.csv", [leg(provider="BBBB", call_time="soon")])
    with pytest.raises(BadRowsError):
        write_provider_store([good, bad], tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_failed_write_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    write_provider_store([raw_table([leg(provider="AAAA", sip_call_id="old")])], out)
    real_write = store._write_provider

    def fail_on_bbbb(connection, provider: str, path: Path) -> None:  # type: ignore[no-untyped-def]
        real_write(connection, provider, path)
        if provider == "BBBB":
            raise OSError("disk full")

    monkeypatch.setattr(store, "_write_provider", fail_on_bbbb)
    rows = [leg(provider="AAAA", sip_call_id="new"), leg(provider="BBBB")]
    with pytest.raises(OSError, match="disk full"):
        write_provider_store([raw_table(rows)], out)
    assert [p.name for p in out.iterdir()] == ["AAAA.parquet"]
    assert pq.read_table(out / "AAAA.parquet").column("sip_call_id").to_pylist() == ["old"]


def test_importing_again_replaces_a_providers_file(tmp_path: Path) -> None:
    write_provider_store([raw_table([leg(sip_call_id="old")])], tmp_path)
    write_provider_store([raw_table([leg(sip_call_id="new")])], tmp_path)
    assert pq.read_table(tmp_path / "TERM.parquet").column("sip_call_id").to_pylist() == ["new"]
