import json
from pathlib import Path

from click.testing import CliRunner

from robotrace.cli import main

from .builders import leg, write_csv


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["cdr", *args])
    return result.exit_code, result.output


def test_check_lists_bad_rows_as_file_line_reason_and_exits_1(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [leg(), leg(duration_s="x")])
    code, output = run("check", str(path))
    assert code == 1
    assert f"{path}:3: duration_s 'x' is not a whole number of seconds >= 0" in output


def test_check_of_good_files_exits_0(tmp_path: Path) -> None:
    write_csv(tmp_path / "a.csv", [leg(), leg()])
    code, output = run("check", str(tmp_path))
    assert (code, output.strip()) == (0, "1 file(s), 2 row(s): all rows valid")


def test_check_json_lists_the_errors(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [leg(provider="")])
    code, output = run("check", "--json", str(path))
    assert code == 1
    assert json.loads(output)["errors"] == [
        {"file": str(path), "line": 2, "reason": "provider is empty"}
    ]


def test_import_writes_the_store_and_summarises_it(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [leg(provider="AAAA"), leg(provider="BBBB")])
    code, output = run("import", str(path), "--out", str(tmp_path / "store"), "--json")
    assert code == 0
    summary = json.loads(output)
    assert (summary["legs"], summary["providers"]) == (2, {"AAAA": 1, "BBBB": 1})
    assert (tmp_path / "store" / "AAAA.parquet").is_file()


def test_import_with_a_bad_row_writes_nothing_and_exits_1(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [leg(), leg(called_number="")])
    code, output = run("import", str(path), "--out", str(tmp_path / "store"))
    assert code == 1
    assert f"{path}:3: called_number is empty" in output
    assert not (tmp_path / "store").exists()
