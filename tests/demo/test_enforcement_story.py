"""The demo's enforcement part against the simulator's truth: warned providers that kept
sending are found noncompliant and blocked, those that stopped are not; the block list's
signature verifies with the published key in a separate process."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from robotrace.demo.report import report_json
from robotrace.demo.story import Story, run_story
from robotrace.enforcement import signing
from robotrace.settings import Settings
from robotrace.simulate.runner import SimulationParams
from robotrace.store.db import make_engine
from robotrace.store.models import BlocklistVersion
from tests.demo import shaken_checks


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Story:
    out = tmp_path_factory.mktemp("enforcement")
    params = SimulationParams(seed=2020, providers=30, days=10, calls=20_000)
    params = replace(params, letters_at=params.start + timedelta(days=6))
    return run_story(out, params, Settings.from_environ())


def _truth(story: Story) -> dict:
    return json.loads((story.out / "truth.json").read_text())


def test_each_warned_providers_decision_matches_what_it_did_in_the_world(story: Story):
    providers = _truth(story)["providers"]
    letters = story.enforcement.letters
    assert {o.status for o in letters} == {"complied", "noncompliant"}
    for outcome in letters:
        did = providers[outcome.provider]["after_letter"]
        assert outcome.status == {"continues": "noncompliant", "stops": "complied"}[did]


def test_warned_providers_are_the_true_warned_providers_of_their_campaigns(story: Story):
    truth = _truth(story)
    warned_in_truth = {c["warned_provider"] for c in truth["campaigns"]}
    assert {o.provider for o in story.enforcement.letters} <= warned_in_truth


def test_the_block_list_carries_exactly_the_providers_that_kept_sending(story: Story):
    providers = _truth(story)["providers"]
    kept_sending = {
        o.provider
        for o in story.enforcement.letters
        if providers[o.provider]["after_letter"] == "continues"
    }
    assert set(story.enforcement.blocklist_providers) == kept_sending


VERIFY = (
    "import base64, sys\n"
    "from cryptography.hazmat.primitives.serialization import load_pem_public_key\n"
    "key = load_pem_public_key(open(sys.argv[1], 'rb').read())\n"
    "key.verify(base64.b64decode(sys.argv[3].removeprefix('ed25519=')),"
    " open(sys.argv[2], 'rb').read())\n"
    "print('verified')\n"
)


def test_the_block_list_signature_verifies_with_the_published_key_elsewhere(
    story: Story, tmp_path: Path
):
    engine = make_engine(f"sqlite:///{story.out / 'robotrace.db'}")
    with engine.connect() as connection:
        row = connection.execute(
            select(BlocklistVersion.body, BlocklistVersion.signature).where(
                BlocklistVersion.version == story.enforcement.blocklist_version
            )
        ).one()
    engine.dispose()
    (tmp_path / "key.pem").write_bytes(
        signing.public_key_pem(Settings.from_environ().blocklist_signing_key)
    )
    (tmp_path / "body").write_text(row.body, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", VERIFY, "key.pem", "body", row.signature],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "verified", result.stderr


def _violations_between(story: Story, start: datetime, end: datetime) -> int:
    with open(story.out / "complaints.csv", newline="") as f:
        return sum(
            start <= datetime.fromisoformat(row["Violation_Date"]).replace(tzinfo=UTC) < end
            for row in csv.DictReader(f)
        )


def test_the_calls_after_the_authorization_are_blocked_where_they_leave_a_listed_provider(
    story: Story,
):
    blocking = story.enforcement.blocking
    blocked = set(story.enforcement.blocklist_providers)
    assert set(blocking.blocked_by_reason) == {"provider_blocked"}
    # Every robocall that truth routes through a listed provider (and on, to a next hop)
    # well inside the window is one blocked hand-over; legitimate calls through it are too.
    margin = timedelta(seconds=30)
    through = sum(
        1
        for call in _truth(story)["robocalls"]
        if blocking.after.start + margin
        <= datetime.fromisoformat(call["t"].replace("Z", "+00:00"))
        < blocking.after.end - margin
        and any(ocn in blocked for ocn in call["path"][:-1])
    )
    assert through > 0
    assert blocking.blocked >= through


def test_the_complaint_windows_count_what_the_csv_module_counts(story: Story):
    blocking = story.enforcement.blocking
    before = _violations_between(story, blocking.before.start, blocking.before.end)
    after = _violations_between(story, blocking.after.start, blocking.after.end)
    assert (blocking.complaints_before, blocking.complaints_after) == (before, after)
    assert 0 < blocking.complaints_spared <= after


def test_the_signer_shortcut_names_the_true_originating_provider(story: Story):
    shaken_checks.check_shortcut_names_the_true_origin(story)


def test_a_shortcut_traceback_reaches_the_origin_no_later_than_its_twin(story: Story):
    shaken_checks.check_shortcut_is_never_slower(story)


def test_the_stir_shaken_counts_are_the_store_and_truths(story: Story):
    shaken_checks.check_report_counts(story)


def _key(text: str) -> str:
    digits = "".join(ch for ch in text if ch.isdigit())
    return digits[1:] if len(digits) == 11 and digits.startswith("1") else digits


def _campaign_keys(story: Story, campaigns: tuple[str, ...]) -> set[str]:
    """Call-back numbers and caller IDs of the campaigns, read with sqlite3 (not robotrace)."""
    import sqlite3

    marks = ",".join("?" * len(campaigns))
    with sqlite3.connect(story.out / "robotrace.db") as db:
        callbacks = db.execute(
            f"SELECT callback_numbers FROM campaigns WHERE id IN ({marks})", campaigns
        ).fetchall()
        callers = db.execute(
            f"SELECT DISTINCT calling_number FROM calls WHERE campaign_id IN ({marks})", campaigns
        ).fetchall()
    numbers = [n for (text,) in callbacks for n in json.loads(text)] + [n for (n,) in callers]
    return {k for k in map(_key, numbers) if len(k) >= 10}


def test_each_steps_before_and_after_complaints_are_the_csv_modules_count(story: Story):
    effects = story.enforcement.effects
    letters = [e for e in effects if e.kind == "warning_letter"]
    assert len(letters) == len(story.enforcement.letters)
    assert len(effects) - len(letters) == len(story.enforcement.authorizations)
    with (story.out / "complaints.csv").open(newline="", encoding="utf-8") as handle:
        rows = [
            (
                _key(row["Company_Phone_Number"]),
                datetime.fromisoformat(row["Violation_Date"] or row["Created_Date"]).replace(
                    tzinfo=UTC
                ),
            )
            for row in csv.DictReader(handle)
        ]
    end = story.enforcement.blocking.after.end  # the world's end: windows are cut there
    for effect in effects:
        assert effect.campaigns, effect  # every letter names campaigns; authorizations, its
        keys = _campaign_keys(story, effect.campaigns)
        window = min(timedelta(days=7), end - effect.at)
        assert effect.window_hours == pytest.approx(window / timedelta(hours=1))
        for side, since, until in (
            (effect.before, effect.at - window, effect.at),
            (effect.after, effect.at, effect.at + window),
        ):
            assert side.complaints == sum(k in keys and since <= at < until for k, at in rows)
    assert sum(e.before.complaints + e.after.complaints for e in effects) > 0
    document = report_json(story)["enforcement"]["effects"]
    assert [e["difference"]["complaints"] for e in document] == [
        e.after.complaints - e.before.complaints for e in effects
    ]
