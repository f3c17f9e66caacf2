from __future__ import annotations

from click.testing import CliRunner

from robotrace.cli import main


def test_db_upgrade_migrates_a_new_store_and_current_says_it_is_up_to_date(db_url):
    runner = CliRunner()
    before = runner.invoke(main, ["db", "current", "--database-url", db_url])
    assert before.exit_code == 0, before.output
    assert "empty" in before.output and "behind" in before.output
    upgraded = runner.invoke(main, ["db", "upgrade", "--database-url", db_url])
    assert upgraded.exit_code == 0, upgraded.output
    assert "empty → 0001" in upgraded.output
    after = runner.invoke(main, ["db", "current", "--database-url", db_url])
    assert "0001 — up to date" in after.output


def test_db_commands_fall_back_to_the_database_url_setting(monkeypatch, tmp_path):
    monkeypatch.setenv("ROBOTRACE_DATABASE_URL", f"sqlite:///{tmp_path / 'set.db'}")
    result = CliRunner().invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "set.db").is_file()


def test_db_commands_never_print_the_password():
    url = "postgresql+psycopg://robotrace:s3cret@127.0.0.1:1/none"
    result = CliRunner().invoke(main, ["db", "current", "--database-url", url])
    assert "s3cret" not in result.output
