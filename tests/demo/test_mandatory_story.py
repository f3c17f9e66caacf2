"""The demo's mandatory part against the simulator's truth, on the demo's default world: the
notified gateway blocks only the named campaign, keeps carrying its second script, and is
judged noncompliant for it; the final order names the providers truly downstream of it; the
signed block list carries the permissive and the mandatory entries."""

from __future__ import annotations

import io
import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from robotrace.clock import parse_utc
from robotrace.demo.report import print_report, report_json
from robotrace.demo.story import Story, run_story
from robotrace.demo.timeline import enforcement_params
from robotrace.enforcement import signing
from robotrace.settings import Settings
from robotrace.simulate.runner import SimulationParams

#: What a notified provider's decision must be, by what it did in the world.
DID = {
    "blocks": "complied",
    "blocks_named_only": "noncompliant",
    "ignores": "no_response",
    "names_upstream": "referred",
}


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Story:
    out = tmp_path_factory.mktemp("mandatory")
    settings = Settings.from_environ()
    times = settings.mitigate_hours, settings.notification_response_days
    params, notes = enforcement_params(
        SimulationParams(seed=2020, providers=30, days=30, calls=20_000), *times
    )
    assert not notes
    return run_story(out, params, settings)


def _truth(story: Story) -> dict[str, Any]:
    return json.loads((story.out / "truth.json").read_text())


@pytest.fixture
def db(story: Story) -> Iterator[sqlite3.Connection]:
    """The demo's database, read with sqlite3 (not robotrace)."""
    with closing(sqlite3.connect(story.out / "robotrace.db")) as connection:
        connection.row_factory = sqlite3.Row
        yield connection


def _steps(db: sqlite3.Connection, kind: str) -> list[sqlite3.Row]:
    return db.execute(
        "SELECT a.*, p.key FROM enforcement_actions a JOIN providers p ON p.id = a.provider_id "
        "WHERE a.kind = ? ORDER BY a.id",
        (kind,),
    ).fetchall()


def _ref_of(db: sqlite3.Connection, traceback_id: str) -> tuple[str, str]:
    """A traceback's honeypot call: its reference and its time."""
    row = db.execute(
        "SELECT c.source_ref, c.call_time FROM tracebacks t JOIN calls c ON c.id = t.call_id "
        "WHERE t.id = ?",
        (traceback_id,),
    ).fetchone()
    return row[0], row[1]


def _cited(step: sqlite3.Row) -> list[str]:
    evidence = json.loads(step["evidence"])
    ids = [r["traceback_id"] for r in evidence.get("rows", [])]
    ids += [r["traceback_id"] for r in evidence.get("after_deadline", [])]
    return list(dict.fromkeys(ids))


def _subjects(story: Story, db: sqlite3.Connection) -> list[sqlite3.Row]:
    """The notifications to the provider the world was told would be notified."""
    subject = _truth(story)["notification"]["provider"]
    return [row for row in _steps(db, "notification") if row["key"] == subject]


def test_the_notice_reaches_the_provider_the_world_expects_through_its_downstream(story: Story, db):
    truth = _truth(story)
    notice = truth["notification"]
    first, *rest = _steps(db, "notification")
    [notification] = _subjects(story, db)
    # The first notice goes to the provider right after the subject on the true paths; it is
    # not the carrier and names the subject, whose notice follows it.
    paths = [h["path"] for h in truth["honeypot"].values() if h["campaign"] == notice["campaign"]]
    after = {p[p.index(notice["provider"]) + 1] for p in paths if notice["provider"] in p[:-1]}
    assert first["key"] in after and first["status"] == "referred"
    assert notification["follows_id"] == first["id"] and notification in rest
    respond_by = parse_utc(notification["respond_by"].replace(" ", "T"))
    assert abs(respond_by - parse_utc(notice["respond_by"])) <= timedelta(hours=1)


def test_each_notified_providers_decision_matches_what_it_did_in_the_world(story: Story, db):
    providers = _truth(story)["providers"]
    notifications = _steps(db, "notification")
    assert notifications
    for row in notifications:
        assert row["status"] == DID[providers[row["key"]]["on_notification"]], row["key"]
    assert [n.status for n in story.mandatory.notices] == [r["status"] for r in notifications]


def test_the_provider_that_blocks_only_the_named_campaign_is_noncompliant_for_the_variant(
    story: Story, db
):
    truth = _truth(story)
    notice = truth["notification"]
    assert truth["providers"][notice["provider"]]["on_notification"] == "blocks_named_only"
    [notification] = _subjects(story, db)
    assert notification["status"] == "noncompliant"
    reports = db.execute(
        "SELECT kind FROM mitigation_reports WHERE action_id = ?", (notification["id"],)
    ).fetchall()
    assert [r["kind"] for r in reports] == ["blocked"]
    respond_by = parse_utc(notice["respond_by"])
    counted = json.loads(notification["evidence"])["after_deadline"]
    assert counted
    for row in counted:
        ref, call_time = _ref_of(db, row["traceback_id"])
        assert datetime.fromisoformat(call_time).replace(tzinfo=UTC) > respond_by
        assert truth["honeypot"][ref]["campaign"] in notice["similar"]
        assert notice["provider"] in truth["honeypot"][ref]["path"]
    late_named = [
        r
        for r in truth["robocalls"]
        if r["campaign"] == notice["campaign"] and parse_utc(r["t"]) >= respond_by
    ]
    assert late_named == []


def test_the_final_orders_downstream_providers_are_the_true_ones(story: Story, db):
    truth = _truth(story)
    [final] = _steps(db, "final_determination")
    key = final["key"]
    truly_after: set[str] = set()
    for traceback_id in _cited(final):
        path = truth["honeypot"][_ref_of(db, traceback_id)[0]]["path"]
        if key in path[:-1]:
            truly_after.add(path[path.index(key) + 1])
    assert truly_after
    assert sorted(json.loads(final["downstream"])) == sorted(truly_after)
    assert final["status"] == "in_force"


def test_the_orders_follow_the_notification_with_their_windows(story: Story, db):
    [notification] = _subjects(story, db)
    [initial] = _steps(db, "initial_determination")
    [final] = _steps(db, "final_determination")
    assert initial["follows_id"] == notification["id"]
    assert final["follows_id"] == initial["id"]
    assert initial["issued_at"] > notification["respond_by"]
    assert final["issued_at"] > initial["respond_by"]


def test_the_signed_list_carries_a_permissive_and_a_mandatory_entry(
    story: Story, db, tmp_path: Path
):
    latest = db.execute(
        "SELECT version, body, signature FROM blocklist_versions ORDER BY version DESC LIMIT 1"
    ).fetchone()
    assert latest["version"] == story.mandatory.blocklist_version
    entries = json.loads(latest["body"])["entries"]
    kinds = {(e["reason_code"], e["obligation"]) for e in entries}
    assert kinds == {("authorization", "permissive"), ("final_order", "mandatory")}
    [final] = _steps(db, "final_determination")
    [mandatory] = [e for e in entries if e["reason_code"] == "final_order"]
    assert (mandatory["provider"], mandatory["order_id"]) == (final["key"], final["id"])
    assert mandatory["downstream"] == sorted(json.loads(final["downstream"]))
    noncompliant = {r["key"] for r in _steps(db, "warning_letter") if r["status"] == "noncompliant"}
    permissive = {e["provider"] for e in entries if e["reason_code"] == "authorization"}
    assert permissive == noncompliant
    (tmp_path / "key.pem").write_bytes(
        signing.public_key_pem(Settings.from_environ().blocklist_signing_key)
    )
    (tmp_path / "body").write_text(latest["body"], encoding="utf-8")
    verify = (
        "import base64, sys\n"
        "from cryptography.hazmat.primitives.serialization import load_pem_public_key\n"
        "key = load_pem_public_key(open('key.pem', 'rb').read())\n"
        "key.verify(base64.b64decode(sys.argv[1].removeprefix('ed25519=')),"
        " open('body', 'rb').read())\n"
        "print('verified')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", verify, latest["signature"]],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "verified", result.stderr


def test_the_warning_letters_still_match_the_truth(story: Story):
    providers = _truth(story)["providers"]
    for outcome in story.enforcement.letters:
        did = providers[outcome.provider]["after_letter"]
        assert outcome.status == {"continues": "noncompliant", "stops": "complied"}[did]


def test_the_named_campaign_and_its_variant_are_scored_as_one_campaign(story: Story):
    truth = _truth(story)
    bases = {c["id"] for c in truth["campaigns"] if not c["variant_of"]}
    assert {s.campaign for s in story.scores} == bases
    assert all("wrong" not in (s.originating, s.gateway) for s in story.scores)


def test_the_report_shows_both_ladders_and_the_json_says_they_are_right(story: Story):
    document = json.loads(json.dumps(report_json(story), default=str))
    assert document["mandatory"]["right"] is True
    assert document["mandatory"]["orders"][0]["final"].startswith("FDO-")
    out = io.StringIO()
    print_report(Console(file=out, width=160), story)
    text = out.getvalue()
    key = _truth(story)["notification"]["provider"]
    for shown in ("WL-", "BA-", "NSIT-", "IDO-", "FDO-", f"mandatory (final_order): {key}"):
        assert shown in text
