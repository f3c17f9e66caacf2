"""Marking a campaign "not illegal" and taking the mark back: the reason's rules, and
``robotrace campaigns not-illegal`` / ``requeue`` against a store."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from robotrace.campaigns.review import REASON_LIMIT, ReviewRefused, checked_reason
from robotrace.cli import main
from robotrace.store import models
from robotrace.store.db import make_engine, transaction, upgrade

WHEN = datetime(2020, 4, 1, tzinfo=UTC)


def test_a_reason_is_trimmed_and_kept_as_typed():
    assert checked_reason("  Dental office recalls.\n") == "Dental office recalls."


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("", "Say why the calls are not illegal"),
        (" \t\n", "Say why the calls are not illegal"),
        ("x" * (REASON_LIMIT + 1), f"{REASON_LIMIT + 1} characters long: shorten it to 500"),
        ("bell\x07", "control characters"),
    ],
)
def test_a_reason_that_is_missing_too_long_or_not_text_is_refused(typed, said):
    with pytest.raises(ReviewRefused, match=said):
        checked_reason(typed)


def test_putting_back_needs_no_reason():
    assert checked_reason("", required=False) == ""


def store_with_campaign(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'robotrace.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with transaction(engine) as session:
        session.add(models.Campaign(id="rx", name="Your refill is ready", created_at=WHEN))
    engine.dispose()
    return url


def stored(url: str) -> tuple[str, str, list[str]]:
    engine = make_engine(url)
    with transaction(engine) as session:
        row = session.get(models.Campaign, "rx")
        assert row is not None
        actions = session.scalars(select(models.AuditEvent.action).order_by(models.AuditEvent.id))
        found = (row.status, row.status_reason, list(actions))
    engine.dispose()
    return found


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["campaigns", *args])
    return result.exit_code, result.output


def test_the_cli_marks_a_campaign_and_puts_it_back(tmp_path: Path):
    url = store_with_campaign(tmp_path)
    code, output = run("not-illegal", "rx", "--reason", "Pharmacy refills", "--database-url", url)
    assert (code, output) == (0, "rx marked not illegal: out of the queue\n")
    assert stored(url) == ("not_illegal", "Pharmacy refills", ["campaign.not_illegal"])
    code, output = run("requeue", "rx", "--database-url", url)
    assert (code, output) == (0, "rx is back in the queue\n")
    assert stored(url) == ("open", "", ["campaign.not_illegal", "campaign.requeued"])


def test_the_cli_names_what_is_wrong_and_changes_nothing(tmp_path: Path):
    url = store_with_campaign(tmp_path)
    code, output = run("not-illegal", "nope", "--reason", "x", "--database-url", url)
    assert code == 1 and "there is no campaign 'nope'" in output
    code, output = run("not-illegal", "rx", "--reason", " ", "--database-url", url)
    assert code == 1 and "Say why the calls are not illegal" in output
    code, output = run("requeue", "rx", "--database-url", url)
    assert code == 1 and "is not marked not illegal" in output
    assert stored(url) == ("open", "", [])
