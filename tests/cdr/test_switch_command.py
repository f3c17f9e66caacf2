"""``robotrace cdr check|import --format --trunk-map``: switch records on the command line, and
the hop lookup over what they become (an unmapped leg gives no answer)."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
from click.testing import CliRunner

from robotrace.cdr.formats import format_names
from robotrace.cdr.lookup import ProviderRecords
from robotrace.cdr.options import FORMAT_HELP
from robotrace.cli import main
from robotrace.settings import DEFAULTS

from .builders import leg, write_csv
from .test_switch_formats import ACC_ROWS, NOON, TRUNKS, acc_file, write

SKEW_S = DEFAULTS.cdr_skew_seconds  # the cdr_skew_seconds setting by default: 5 s


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["cdr", *args])
    return result.exit_code, result.output


def kamailio(tmp_path: Path, trunks: str = TRUNKS) -> list[str]:
    acc_file(tmp_path / "dbtext", *ACC_ROWS)
    trunk_map = write(tmp_path / "trunks.toml", trunks)
    return [str(tmp_path / "dbtext"), "--format", "kamailio-dbtext", "--trunk-map", str(trunk_map)]


def test_check_lists_unmapped_trunks_and_passes(tmp_path: Path) -> None:
    code, output = run("check", *kamailio(tmp_path))
    assert code == 0
    assert output.splitlines() == [
        "unmapped trunk source=198.51.100.9:5060: 1 leg(s)",
        "1 leg(s) on 1 unmapped trunk(s): the agent answers no request that matches them; "
        "add them to the trunk map",
        "1 file(s), 2 row(s): all rows valid",
    ]


def test_check_json_gives_the_unmapped_trunks(tmp_path: Path) -> None:
    code, output = run("check", "--json", *kamailio(tmp_path))
    assert code == 0
    assert json.loads(output)["unmapped_trunks"] == {"source=198.51.100.9:5060": 1}


def test_import_writes_the_maps_provider_and_lookups_tell_unmapped_legs(tmp_path: Path) -> None:
    code, output = run("import", "--json", "--out", str(tmp_path / "store"), *kamailio(tmp_path))
    assert code == 0, output
    summary = json.loads(output)
    assert (summary["providers"], summary["unmapped_trunks"]) == (
        {"TERM": 2},
        {"source=198.51.100.9:5060": 1},
    )
    with ProviderRecords.open(tmp_path / "store" / "TERM.parquet") as records:
        mapped = records.lookup("+13105550199", "+12025550143", "2020-05-01T12:00:02Z", SKEW_S)
        unmapped = records.lookup("3105550100", None, "2020-05-01T12:00:01Z", SKEW_S)
    assert (mapped.answer, mapped.from_provider, mapped.call_time) == ("upstream", "UPST", NOON)
    assert (unmapped.answer, unmapped.trunk) == ("unmapped", "source=198.51.100.9:5060")


def test_import_needs_the_trunk_map_to_name_whose_records_they_are(tmp_path: Path) -> None:
    trunks = TRUNKS.replace('provider = "TERM"\n', "")
    code, output = run("import", "--out", str(tmp_path / "store"), *kamailio(tmp_path, trunks))
    assert code == 2
    assert "The trunk map must name the provider" in output
    assert not (tmp_path / "store").exists()


def test_a_bad_trunk_map_is_reported_with_its_lines(tmp_path: Path) -> None:
    code, output = run(
        "check", *kamailio(tmp_path, TRUNKS + '[[trunk]]\nsource = "x"\ncustomer = "X"\n')
    )
    assert code == 1
    assert (
        f"{tmp_path / 'trunks.toml'}:16: source: 'x' does not appear to be an IPv4 or IPv6 network"
        in output
    )


def test_a_trunk_map_needs_a_switch_format(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [leg()])
    trunk_map = write(tmp_path / "trunks.toml", TRUNKS)
    code, output = run("check", str(path), "--trunk-map", str(trunk_map))
    assert code == 2 and "--trunk-map goes with a switch --format" in output


def test_the_format_help_names_every_registered_format() -> None:
    assert all(name in FORMAT_HELP for name in format_names())


def test_a_store_written_before_trunk_maps_is_still_searched(tmp_path: Path) -> None:
    run("import", str(write_csv(tmp_path / "a.csv", [leg()])), "--out", str(tmp_path / "store"))
    table = pq.read_table(tmp_path / "store" / "TERM.parquet")
    old = tmp_path / "old.parquet"
    pq.write_table(table.drop_columns(["trunk"]), old)
    with ProviderRecords.open(old, provider="TERM") as records:
        found = records.lookup("+13105550199", "+12025550143", "2020-05-01T12:00:00Z", SKEW_S)
    assert (found.answer, found.from_provider, found.trunk) == ("upstream", "UPST", None)


def test_a_folder_without_records_of_the_format_is_a_usage_error(tmp_path: Path) -> None:
    write(tmp_path / "cdr-csv" / "acme.csv", '"acme","1","2"\n')  # a per-account copy only
    code, output = run("check", str(tmp_path / "cdr-csv"), "--format", "asterisk-csv")
    assert code == 2
    assert "no asterisk-csv records (Asterisk cdr_csv's Master.csv" in output
