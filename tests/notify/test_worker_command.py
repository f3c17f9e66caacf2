"""``robotrace worker --once`` runs one pass against the store it is given."""

from __future__ import annotations

from click.testing import CliRunner

from robotrace.cli import main


def test_robotrace_worker_once_sends_what_is_due_and_says_so(world, smtp, db_url, monkeypatch):
    monkeypatch.setenv("ROBOTRACE_NO_RESPONSE_GRACE_HOURS", "off")
    result = CliRunner().invoke(
        main, ["worker", "--once", "--database-url", db_url, "--worker-id", "cli"]
    )

    assert result.exit_code == 0, result.output
    # requested to AAAA (2), and, the system clock being late, overdue to AAAA and coord (3)
    assert "queued=5" in result.output
    assert ("hop.requested", "ops@aaaa.example") in smtp.kinds()


def test_robotrace_worker_refuses_a_store_that_is_not_migrated(tmp_path):
    (tmp_path / "empty.db").touch()  # a database without tables (a missing file: NoStore)
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    result = CliRunner().invoke(main, ["worker", "--once", "--database-url", url])

    assert result.exit_code == 1
    assert "robotrace db upgrade" in result.output
