from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest

from robotrace.cdr.readers import check_cdrs, read_cdrs
from robotrace.cdr.schema import CDR_SCHEMA
from robotrace.rows import BadRowsError

from .builders import leg, write_csv, write_parquet

NOON = datetime(2020, 5, 1, 12, tzinfo=UTC)


def errors_of(*paths: Path) -> list[str]:
    return [str(e) for check in check_cdrs(list(paths)) for e in check.errors]


def test_a_valid_csv_loads_in_canonical_form(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [leg(disposition="no answer", duration_s=" 7 ")])
    table = read_cdrs([path])
    assert table.schema == CDR_SCHEMA
    row = table.to_pylist()[0]
    assert row["call_time"] == NOON
    assert (row["duration_s"], row["disposition"]) == (7, "NO ANSWER")
    assert (row["customer"], row["identity"], row["to_provider"]) == (None, None, None)


@pytest.mark.parametrize(
    "spelling",
    [
        "2020-05-01T12:00:00Z",
        "2020-05-01 12:00:00",
        "2020-05-01T14:00:00+02:00",
        "2020-05-01T08:00:00-04:00",
        "1588334400",
        "1588334400.000",
    ],
)
def test_epoch_and_iso_times_give_the_same_instant(tmp_path: Path, spelling: str) -> None:
    table = read_cdrs([write_csv(tmp_path / "a.csv", [leg(call_time=spelling)])])
    assert table.column("call_time").to_pylist() == [NOON]


def test_epoch_seconds_keep_their_milliseconds(tmp_path: Path) -> None:
    table = read_cdrs([write_csv(tmp_path / "a.csv", [leg(call_time="1588334400.123")])])
    assert table.column("call_time")[0].as_py().microsecond == 123_000


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"provider": ""}, "provider is empty"),
        (
            {"provider": "../etc"},
            "provider '../etc' is not a provider key (letters, digits, - and _)",
        ),
        ({"call_time": ""}, "call_time is empty"),
        (
            {"call_time": "yesterday"},
            "call_time 'yesterday' is not an ISO-8601 time or epoch seconds between 1970 and 2100",
        ),
        (
            {"call_time": "1588334400123"},
            "call_time '1588334400123' is not an ISO-8601 time or epoch seconds between 1970 "
            "and 2100",
        ),
        ({"called_number": " "}, "called_number is empty"),
        ({"duration_s": "-3"}, "duration_s '-3' is not a whole number of seconds >= 0"),
        ({"duration_s": "2.5"}, "duration_s '2.5' is not a whole number of seconds >= 0"),
        (
            {"disposition": "HUNG UP"},
            "disposition 'HUNG UP' is not one of ANSWERED, NO ANSWER, BUSY, FAILED",
        ),
        ({"from_provider": "", "customer": ""}, "neither from_provider nor customer is set"),
    ],
)
def test_each_rule_reports_its_csv_line(tmp_path: Path, fields: dict, reason: str) -> None:
    path = write_csv(tmp_path / "a.csv", [leg(), leg(**fields), leg()])
    assert errors_of(path) == [f"{path}:3: {reason}"]


def test_a_row_breaking_several_rules_lists_them_all(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [leg(provider="", called_number="")])
    assert errors_of(path) == [f"{path}:2: provider is empty; called_number is empty"]


def test_an_empty_or_garbage_calling_number_is_not_a_bad_row(tmp_path: Path) -> None:
    rows = [leg(calling_number=n) for n in ("", "anonymous", "0000000000", "123")]
    table = read_cdrs([write_csv(tmp_path / "a.csv", rows)])
    assert table.column("calling_number").to_pylist() == [None, "anonymous", "0000000000", "123"]


def test_a_file_with_one_bad_row_loads_nothing(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [leg(), leg(), leg(called_number=""), leg()])
    with pytest.raises(BadRowsError) as raised:
        read_cdrs([path])
    assert [str(e) for e in raised.value.errors] == [f"{path}:4: called_number is empty"]


def test_a_bad_file_stops_the_good_ones_loading_too(tmp_path: Path) -> None:
    good = write_csv(tmp_path / "good.csv", [leg()])
    bad = write_csv(tmp_path / "bad.csv", [leg(provider="")])
    with pytest.raises(BadRowsError) as raised:
        read_cdrs([good, bad])
    assert [e.file for e in raised.value.errors] == [str(bad)]


def test_a_missing_required_column_is_reported_at_line_1(tmp_path: Path) -> None:
    columns = ["provider", "call_time", "called_number", "customer"]
    path = write_csv(tmp_path / "a.csv", [leg()], columns)
    assert errors_of(path) == [f"{path}:1: missing required column(s): calling_number"]


def test_a_file_without_from_provider_or_customer_columns_is_rejected(tmp_path: Path) -> None:
    columns = ["provider", "call_time", "calling_number", "called_number"]
    path = write_csv(tmp_path / "a.csv", [leg()], columns)
    assert errors_of(path) == [f"{path}:1: needs a from_provider or a customer column"]


def test_optional_columns_may_be_absent(tmp_path: Path) -> None:
    columns = ["provider", "call_time", "calling_number", "called_number", "customer"]
    path = write_csv(tmp_path / "a.csv", [leg(customer="Acme")], columns)
    row = read_cdrs([path]).to_pylist()[0]
    assert (row["customer"], row["from_provider"], row["duration_s"]) == ("Acme", None, None)


def test_an_empty_file_is_reported_at_line_1(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("")
    assert errors_of(path) == [f"{path}:1: no header line (empty file)"]


def test_a_quoted_newline_moves_the_reported_line_down(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [leg(customer="Acme\nInc"), leg(called_number="")])
    assert errors_of(path) == [f"{path}:4: called_number is empty"]


def test_blank_lines_are_skipped_and_counted(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [leg(), leg(called_number="")])
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0], "", lines[1], "", lines[2]]) + "\n")
    assert errors_of(path) == [f"{path}:5: called_number is empty"]


def test_a_row_with_too_few_fields_is_reported_with_its_line(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [leg(), leg(called_number="")])
    with path.open("a") as stream:
        stream.write("TERM,2020-05-01T12:00:00Z\n")
    assert errors_of(path) == [
        f"{path}:3: called_number is empty",
        f"{path}:4: has 2 fields, the header has 12",
    ]


def test_rows_come_out_in_file_order(tmp_path: Path) -> None:
    rows = [leg(sip_call_id=f"c{n}", called_number=f"+1310555{n:04}") for n in range(50)]
    table = read_cdrs([write_csv(tmp_path / "a.csv", rows)])
    assert table.column("sip_call_id").to_pylist() == [f"c{n}" for n in range(50)]


def test_parquet_bad_rows_are_reported_by_row_number(tmp_path: Path) -> None:
    path = write_parquet(tmp_path / "a.parquet", [leg(), leg(), leg(disposition="MAYBE")])
    assert errors_of(path) == [
        f"{path}:3: disposition 'MAYBE' is not one of ANSWERED, NO ANSWER, BUSY, FAILED (row 3)"
    ]


def test_parquet_may_hold_timestamps_and_numbers(tmp_path: Path) -> None:
    row = {**leg(), "call_time": datetime(2020, 5, 1, 12), "called_number": 13105550199}
    row["duration_s"] = 12
    table = read_cdrs([write_parquet(tmp_path / "a.parquet", [row])])
    got = table.to_pylist()[0]
    assert (got["call_time"], got["called_number"], got["duration_s"]) == (
        NOON,
        "13105550199",
        12,
    )


def test_parquet_with_a_missing_timestamp_is_a_bad_row(tmp_path: Path) -> None:
    times = pa.array([NOON, None], pa.timestamp("us", tz="UTC"))
    table = pa.Table.from_pylist([leg(), leg()]).set_column(1, "call_time", times)
    errors = [str(e) for c in check_cdrs([table]) for e in c.errors]
    assert errors == ["<table 1>:2: call_time is empty (row 2)"]


def test_a_directory_reads_its_csv_and_parquet_files(tmp_path: Path) -> None:
    write_csv(tmp_path / "a.csv", [leg(sip_call_id="from-csv")])
    (tmp_path / "sub").mkdir()
    write_parquet(tmp_path / "sub" / "b.parquet", [leg(sip_call_id="from-parquet")])
    (tmp_path / "notes.txt").write_text("ignored")
    table = read_cdrs([tmp_path])
    assert sorted(table.column("sip_call_id").to_pylist()) == ["from-csv", "from-parquet"]


def test_a_missing_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_cdrs([tmp_path / "nope.csv"])
