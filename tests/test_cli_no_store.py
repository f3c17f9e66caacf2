"""A command that reads the store, run where there is none, says so and names how to point
it at one — and makes no empty database on the way (SQLite would create the file)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from robotrace.cli import main

COMMANDS = [
    ["period-report", "--from", "2020-04-01", "--to", "2020-05-01"],
    ["worker", "--once"],
    ["campaigns", "update"],
    ["providers", "list"],
    ["reports", "feed"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda args: " ".join(args[:2]))
def test_a_command_in_a_folder_without_a_store_names_the_setting_and_makes_none(
    args, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ROBOTRACE_DATABASE_URL", raising=False)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    expected = f"Error: there is no database at {tmp_path.resolve() / 'robotrace.db'}"
    assert result.output.startswith(expected)
    assert "--database-url" in result.output and "ROBOTRACE_DATABASE_URL" in result.output
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []  # no robotrace.db, empty or otherwise


def test_a_database_url_naming_a_missing_file_is_refused_the_same_way(tmp_path):
    missing = tmp_path / "elsewhere" / "store.db"
    url = f"sqlite:///{missing}"
    result = CliRunner().invoke(
        main, ["period-report", "--from", "2020-04-01", "--to", "2020-05-01", "--database-url", url]
    )
    assert result.exit_code == 1
    assert f"there is no database at {missing}" in result.output
    assert not missing.exists()
