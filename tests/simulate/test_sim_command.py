"""``robotrace simulate`` on the command line."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from robotrace.cli import main

ARGS = ["--seed", "5", "--providers", "10", "--days", "1", "--calls", "300"]


def test_the_command_prints_a_json_summary_and_no_progress(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["simulate", "--out", str(tmp_path), *ARGS, "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["calls"] == 300
    assert summary["robocalls"] == 90
    assert summary["cdr_rows"] <= summary["legs"]
    for key in ("providers", "honeypot", "complaints", "truth"):
        assert Path(summary["files"][key]).is_file()
    assert all(Path(p).is_file() for p in summary["files"]["cdrs"])


def test_the_command_refuses_earlier_output_unless_forced(tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["simulate", "--out", str(tmp_path), *ARGS, "--json"]
    assert runner.invoke(main, args).exit_code == 0
    refused = runner.invoke(main, args)
    assert refused.exit_code != 0
    assert "--force" in refused.output
    assert runner.invoke(main, [*args, "--force"]).exit_code == 0


def test_the_command_rejects_too_few_calls(tmp_path: Path) -> None:
    args = ["simulate", "--out", str(tmp_path), "--calls", "20"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code != 0
    assert "too few" in result.output


def test_the_command_reads_the_start_and_writes_parquet(tmp_path: Path) -> None:
    args = ["simulate", "--out", str(tmp_path), *ARGS, "--format", "parquet",
            "--start", "2021-01-02T03:04:05Z", "--json"]  # fmt: skip
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    truth = json.loads((tmp_path / "truth.json").read_text())
    assert truth["start"] == "2021-01-02T03:04:05Z"
    assert truth["robocalls"][0]["t"].startswith("2021-01-0")
    assert list((tmp_path / "cdrs").glob("*.parquet"))


def test_the_command_simulates_letters_and_a_custom_grace_period(tmp_path: Path) -> None:
    args = ["simulate", "--out", str(tmp_path), *ARGS, "--days", "3", "--calls", "1000", "--json",
            "--letters-at", "2020-04-01T12:00:00Z", "--mitigation-hours", "24"]  # fmt: skip
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    truth = json.loads((tmp_path / "truth.json").read_text())
    assert truth["letters_at"] == "2020-04-01T12:00:00Z"
    assert truth["mitigation_deadline"] == "2020-04-02T12:00:00Z"


def test_the_command_refuses_letters_without_a_day_of_traffic_after_the_deadline(
    tmp_path: Path,
) -> None:
    args = ["simulate", "--out", str(tmp_path), *ARGS, "--days", "3",
            "--letters-at", "2020-04-02T00:00:00Z"]  # fmt: skip
    result = CliRunner().invoke(main, args)
    assert result.exit_code != 0
    assert (
        "the mitigation deadline 2020-04-04T00:00:00Z (letters_at + 48 h) needs at least a day "
        "of traffic after it, but the traffic ends at 2020-04-04T00:00:00Z; make days at least 4"
    ) in result.output
    assert not (tmp_path / "truth.json").exists()


def test_the_command_refuses_letters_before_the_traffic_starts(tmp_path: Path) -> None:
    args = ["simulate", "--out", str(tmp_path), *ARGS, "--letters-at", "2020-03-31T00:00:00Z"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code != 0
    assert "letters_at 2020-03-31T00:00:00Z must come after the start" in result.output


def test_the_command_rejects_a_letters_time_that_is_not_iso(tmp_path: Path) -> None:
    args = ["simulate", "--out", str(tmp_path), *ARGS, "--letters-at", "next tuesday"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code != 0
    assert "Invalid value for '--letters-at'" in result.output
    assert "not an ISO-8601 time" in result.output
