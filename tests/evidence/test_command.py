"""``robotrace evidence import``: a summary, every bad row as FILE:LINE: REASON, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from robotrace.cli import main
from robotrace.store.db import session_factory

from .builders import (
    count_calls,
    ftc_csv,
    ftc_row,
    honeypot_csv,
    honeypot_row,
    invite,
    sip_file,
    with_providers,
)
from .stored import complaint_count


def run(*args: str):
    return CliRunner().invoke(main, ["evidence", "import", *args])


def test_a_complaint_file_is_imported_and_summarised(tmp_path: Path):
    path = ftc_csv(tmp_path / "dnc.csv", ftc_row(), ftc_row(Subject="Imposters"))
    result = run(str(path), "--analytics-dir", str(tmp_path / "store"))
    assert result.exit_code == 0, result.output
    assert f"{path} (ftc): 2 rows, 2 added, 0 skipped" in result.stdout
    assert "2 added, 0 skipped (stored already or repeated)" in result.stderr + result.stdout
    assert complaint_count(tmp_path / "store") == 2


def test_a_bad_row_is_named_nothing_is_imported_and_the_exit_code_is_1(tmp_path: Path):
    path = ftc_csv(tmp_path / "dnc.csv", ftc_row(), ftc_row(Created_Date="2020-04-31 00:00:00"))
    result = run(str(path), "--analytics-dir", str(tmp_path / "store"))
    assert result.exit_code == 1
    assert (
        f"{path}:3: Created_Date '2020-04-31 00:00:00' is not a time YYYY-MM-DD HH:MM:SS "
        "between 1970 and 2099"
    ) in result.stdout
    assert "1 bad row(s); nothing imported" in result.stderr
    assert not (tmp_path / "store").exists()


def test_skip_bad_rows_imports_the_rest_and_still_lists_the_bad(tmp_path: Path):
    path = ftc_csv(tmp_path / "dnc.csv", ftc_row(), ftc_row(Created_Date="x"))
    result = run(str(path), "--skip-bad-rows", "--json", "--analytics-dir", str(tmp_path / "s"))
    assert result.exit_code == 0
    summary = json.loads(result.stdout)
    assert (summary["written"], summary["added"], summary["bad_rows"]) == (True, 1, 1)
    assert summary["files"][0]["errors"] == [
        {
            "file": str(path),
            "line": 3,
            "reason": "Created_Date 'x' is not a time YYYY-MM-DD HH:MM:SS between 1970 and 2099",
        }
    ]


def test_the_json_of_a_second_import_counts_every_row_as_skipped(tmp_path: Path):
    path = ftc_csv(tmp_path / "dnc.csv", ftc_row())
    run(str(path), "--analytics-dir", str(tmp_path / "store"))
    result = run(str(path), "--json", "--analytics-dir", str(tmp_path / "store"))
    summary = json.loads(result.stdout)
    assert (result.exit_code, summary["added"], summary["skipped"]) == (0, 0, 1)


def test_the_analytics_dir_setting_is_the_default_store(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("ROBOTRACE_ANALYTICS_DIR", str(tmp_path / "from-setting"))
    result = run(str(ftc_csv(tmp_path / "dnc.csv", ftc_row())))
    assert result.exit_code == 0
    assert complaint_count(tmp_path / "from-setting") == 1


def test_calls_go_to_the_database_in_one_transaction(engine, db_url, tmp_path: Path):
    with session_factory(engine)() as session, session.begin():
        with_providers(session)
    calls = honeypot_csv(tmp_path / "hp.csv", honeypot_row("hp-1"), honeypot_row("hp-2"))
    capture = sip_file(tmp_path / "capture.sip", invite(date=None))
    args = ["--database-url", db_url, "--default-time", "2020-05-01T12:00:00Z"]
    result = run(str(calls), str(capture), *args, "--terminating-provider", "TERM")
    assert result.exit_code == 0, result.output
    assert f"{capture} (sip): 1 rows, 1 added, 0 skipped" in result.stdout
    with session_factory(engine)() as session:
        assert count_calls(session) == 3


def test_a_file_of_no_known_format_is_refused(tmp_path: Path):
    path = tmp_path / "notes.csv"
    path.write_text("name,age\nBob,3\n", encoding="utf-8")
    result = run(str(path), "--analytics-dir", str(tmp_path / "store"))
    assert result.exit_code == 1
    assert f"{path}:1: cannot tell the evidence format from the first line" in result.stdout
    assert "1 file(s) refused" in result.stderr


def test_a_bad_default_time_is_a_usage_error(tmp_path: Path):
    path = sip_file(tmp_path / "capture.sip", invite())
    result = run(str(path), "--default-time", "noon")
    assert result.exit_code == 2 and "--default-time" in result.stderr


def test_calls_need_a_migrated_store(tmp_path: Path):
    calls = honeypot_csv(tmp_path / "hp.csv", honeypot_row("hp-1"))
    (tmp_path / "new.db").touch()  # a database without tables (a missing file: NoStore)
    result = run(str(calls), "--database-url", f"sqlite:///{tmp_path / 'new.db'}")
    assert result.exit_code == 2 and "robotrace db upgrade" in result.stderr
