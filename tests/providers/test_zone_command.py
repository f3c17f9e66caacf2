"""``robotrace providers zone``: which zone a provider's business hours are read in, and
setting it by hand (audited), through the command line as an operator runs it."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, select

from robotrace.store import models
from robotrace.store.db import session_factory

from .test_command import cli, ok_json, small_export

OKLAHOMA = "RMD0002619"  # "223 Broadway PO Box 789 Davenport Oklahoma 74026"
CANADA = "RMD0009375"  # foreign: its address names no US state


def imported(db_url: str, tmp_path: Path) -> None:
    ok_json(db_url, "import", str(small_export(tmp_path / "rmd.csv")))


def test_the_zone_comes_from_the_state_in_the_address(engine, db_url, tmp_path):
    imported(db_url, tmp_path)
    assert ok_json(db_url, "zone", OKLAHOMA) == {
        "provider": OKLAHOMA,
        "time_zone": "America/Chicago",  # Oklahoma: Central time
        "source": "address",
        "state": "OK",
    }
    assert ok_json(db_url, "zone", CANADA)["time_zone"] == "America/New_York"  # the default


def test_a_zone_set_by_hand_is_shown_and_audited_and_clear_forgets_it(
    engine: Engine, db_url, tmp_path
):
    imported(db_url, tmp_path)
    result = cli(db_url, "zone", CANADA, "America/Toronto")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{CANADA}: America/Toronto (set by hand)\n"
    assert ok_json(db_url, "show", CANADA)["time_zone"] == "America/Toronto"
    with session_factory(engine)() as session:
        event = session.scalars(
            select(models.AuditEvent).where(models.AuditEvent.action == "provider.zone_set")
        ).one()
        assert (event.actor, event.details["new"]) == ("cli:providers-zone", "America/Toronto")

    cleared = ok_json(db_url, "zone", CANADA, "--clear")
    assert (cleared["time_zone"], cleared["source"]) == ("America/New_York", "default")


def test_an_unknown_zone_is_one_line_and_changes_nothing(engine, db_url, tmp_path):
    imported(db_url, tmp_path)
    result = cli(db_url, "zone", OKLAHOMA, "Central")
    assert result.exit_code == 1
    assert result.output == (
        "Error: unknown time zone 'Central': use an IANA name, e.g. America/Chicago\n"
    )
    assert ok_json(db_url, "zone", OKLAHOMA)["source"] == "address"


def test_a_zone_and_clear_together_are_refused(engine, db_url, tmp_path):
    imported(db_url, tmp_path)
    result = cli(db_url, "zone", OKLAHOMA, "America/Denver", "--clear")
    assert result.exit_code == 2 and "not both" in result.output


def test_an_unknown_provider_is_named(engine, db_url):
    result = cli(db_url, "zone", "RMD9999999")
    assert result.exit_code == 1
    assert result.output == "Error: no provider is known by 'RMD9999999'\n"
