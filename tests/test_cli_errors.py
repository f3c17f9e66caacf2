"""The command line names an operator's mistake in one line, without a traceback (a bad
setting: tests/test_logs.py)."""

from __future__ import annotations

from click.testing import CliRunner

from robotrace.cli import main
from tests.support import free_port


def test_a_database_that_is_not_running_is_named_not_traced_back():
    url = f"postgresql+psycopg://robotrace:x@127.0.0.1:{free_port()}/robotrace"
    result = CliRunner().invoke(main, ["worker", "--once", "--database-url", url])
    assert result.exit_code == 1
    assert result.output.startswith("Error: the database is unavailable: ")
    assert "Traceback" not in result.output
