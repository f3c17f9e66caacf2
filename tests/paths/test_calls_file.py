"""The calls file: every bad row refused with its line (CSV) or row (Parquet) and reason,
nothing traced; the good file's keys and times as the standard library reads them."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from robotrace.paths.calls import read_calls
from robotrace.rows import BadRowsError

HEADER = ["call_id", "called_number", "calling_number", "call_time", "terminating_provider"]


def calls_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_a_good_file_gives_keys_and_epoch_milliseconds(tmp_path):
    path = calls_csv(
        tmp_path / "calls.csv",
        [
            ["a", "+1 (202) 555-0143", "1-312-555-0199", "2020-04-01T00:00:05.123Z", "term"],
            ["b", "2025550143", "", "1585699205.5", "TERM"],
            ["c", "tel:+1-202-555-0143", "123", "2020-04-01 00:00:05", "TERM"],
        ],
    )
    rows = read_calls(path).to_pylist()
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    five = (datetime(2020, 4, 1, 0, 0, 5, tzinfo=UTC) - epoch).total_seconds() * 1000
    assert [r["t_ms"] for r in rows] == [five + 123, five + 500, five]
    assert {r["called_key"] for r in rows} == {"2025550143"}
    assert [r["calling_key"] for r in rows] == ["3125550199", "", "123"]
    assert {r["terminating_provider"] for r in rows} == {"TERM"}
    assert [r["campaign"] for r in rows] == [None, None, None]


def test_every_bad_row_is_named_with_its_line(tmp_path):
    path = calls_csv(
        tmp_path / "calls.csv",
        [
            ["a", "+12025550143", "", "2020-04-01T00:00:05Z", "TERM"],  # line 2: good
            ["", "+12025550143", "", "2020-04-01T00:00:05Z", "TERM"],  # 3: no id
            ["c", "unknown", "", "2020-04-01T00:00:05Z", "TERM"],  # 4: no digits
            ["d", "+12025550143", "", "yesterday", "TERM"],  # 5: not a time
            ["e", "+12025550143", "", "2020-04-01T00:00:05Z", " "],  # 6: no provider
            ["a", "+12025550144", "", "2020-04-01T00:00:06Z", "TERM"],  # 7: a again
        ],
    )
    with pytest.raises(BadRowsError) as caught:
        read_calls(path)
    found = [(e.line, e.reason) for e in caught.value.errors]
    assert found == [
        (2, "call_id a is listed more than once"),
        (3, "call_id is empty"),
        (4, "called_number has no digits: unknown"),
        (5, "call_time is not a time: yesterday"),
        (6, "terminating_provider is empty"),
        (7, "call_id a is listed more than once"),
    ]
    assert all(e.file == str(path) for e in caught.value.errors)


def test_a_missing_column_is_named(tmp_path):
    path = calls_csv(tmp_path / "calls.csv", [["a", "1", "2"]], HEADER[:3])
    with pytest.raises(BadRowsError, match="no column call_time, terminating_provider"):
        read_calls(path)


def test_quoted_newlines_keep_the_physical_line(tmp_path):
    path = tmp_path / "calls.csv"
    path.write_text(
        ",".join(HEADER) + ",campaign\n"
        'a,+12025550143,,2020-04-01T00:00:05Z,TERM,"two\nlines"\n'
        "b,+12025550143,,never,TERM,c\n"
    )
    with pytest.raises(BadRowsError) as caught:
        read_calls(path)
    assert [(e.line, e.reason) for e in caught.value.errors] == [
        (4, "call_time is not a time: never")
    ]


def test_parquet_rows_are_counted_from_one(tmp_path):
    path = tmp_path / "calls.parquet"
    pq.write_table(
        pa.table(
            {
                "call_id": ["a", "b"],
                "called_number": ["+12025550143", "+12025550144"],
                "calling_number": [None, "+13125550199"],
                "call_time": pa.array(
                    [datetime(2020, 4, 1, tzinfo=UTC), None], pa.timestamp("ms", tz="UTC")
                ),
                "terminating_provider": ["TERM", "TERM"],
                "campaign": ["c01", None],
            }
        ),
        path,
    )
    with pytest.raises(BadRowsError) as caught:
        read_calls(path)
    assert [(e.line, e.reason) for e in caught.value.errors] == [(2, "call_time is not a time: ")]


def test_a_row_with_the_wrong_number_of_fields_is_named(tmp_path):
    path = calls_csv(
        tmp_path / "calls.csv",
        [["a", "+12025550143", "", "2020-04-01T00:00:05Z", "TERM"], ["b", "+12025550144", ""]],
    )
    with pytest.raises(BadRowsError) as caught:
        read_calls(path)
    assert [(e.line, e.reason) for e in caught.value.errors] == [
        (3, "has 3 fields, the header has 5")
    ]
