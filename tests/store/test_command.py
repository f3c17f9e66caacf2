from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

import robotrace.store
from robotrace.cli import main

VERSIONS = Path(robotrace.store.__file__).parent / "migrations" / "versions"


def test_db_upgrade_migrates_a_new_store_and_current_says_it_is_up_to_date(db_url):
    runner = CliRunner()
    before = runner.invoke(main, ["db", "current", "--database-url", db_url])
    assert before.exit_code == 0, before.output
    assert "empty" in before.output and "behind" in before.output
    upgraded = runner.invoke(main, ["db", "upgrade", "--database-url", db_url])
    assert upgraded.exit_code == 0, upgraded.output
    head = newest_migration()
    assert f"empty → {head}" in upgraded.output
    after = runner.invoke(main, ["db", "current", "--database-url", db_url])
    assert f"{head} — up to date" in after.output


def newest_migration() -> str:
    """The revision of the highest-numbered file in migrations/versions (NNNN_name.py)."""
    names = sorted(p.name for p in VERSIONS.glob("[0-9][0-9][0-9][0-9]_*.py"))
    return names[-1][:4]


def test_db_commands_fall_back_to_the_database_url_setting(monkeypatch, tmp_path):
    monkeypatch.setenv("ROBOTRACE_DATABASE_URL", f"sqlite:///{tmp_path / 'set.db'}")
    result = CliRunner().invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "set.db").is_file()


def test_db_commands_never_print_the_password():
    url = "postgresql+psycopg://robotrace:s3cret@127.0.0.1:1/none"
    result = CliRunner().invoke(main, ["db", "current", "--database-url", url])
    assert "s3cret" not in result.output
