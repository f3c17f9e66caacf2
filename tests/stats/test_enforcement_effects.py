"""Enforcement effects against counts made here: the complaint CSV read with the csv module,
the calls and tracebacks from the lists the test built (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session

from robotrace.cli import main
from robotrace.clock import SimulatedClock, SystemClock
from robotrace.enforcement import service as enforcement
from robotrace.enforcement.authorizations import Scope
from robotrace.providers.registry import Provider
from robotrace.providers.store import upsert_providers
from robotrace.settings import Settings
from robotrace.stats.enforcement import enforcement_effects
from robotrace.store import models
from robotrace.store.db import make_engine, transaction, upgrade
from robotrace.traceback import service as traceback
from robotrace.traceback.model import Answer, CallUnderTrace
from robotrace.traceback.workflow import Policy, Reply
from tests.evidence.builders import ftc_csv, ftc_row
from tests.stats.test_complaints import stored

REGULATOR = "regulator:fcc@example.org"
POLICY = Policy(due_after=timedelta(hours=24), follow_foreign=False)
START = datetime(2020, 4, 1, tzinfo=UTC)
LETTER_AT = datetime(2020, 4, 20, 9, tzinfo=UTC)
AUTHORIZED_AT = datetime(2020, 4, 25, 9, tzinfo=UTC)
NOW = datetime(2020, 5, 1, 9, tzinfo=UTC)  # six days after the authorization: it is cut short
WEEK = timedelta(days=7)

# Campaign → (call-back numbers, caller IDs its calls show).
CAMPAIGNS = {
    "C-WARRANTY": (["+18885550100"], ["+12025550143", "+12025550144"]),
    "C-MEDICARE": (["+18335550199"], ["+13125550188"]),
}
OTHER_NUMBERS = ["+14155550123", "202", ""]  # another number, a fragment, none


def setup_world(session: Session) -> list[tuple[str, datetime]]:
    """Campaigns, their calls through April, tracebacks, a letter naming C-WARRANTY to GATE,
    decided noncompliant, and a block authorization resting on it. The calls made."""
    clock = SimulatedClock(START)
    upsert_providers(
        session,
        [
            Provider("TERM", "Terminating Telco"),
            Provider("GATE", "Gateway Voice"),
            Provider("FOR", "Voice Are Us Ltd", country="United Kingdom", foreign=True),
        ],
        clock,
    )
    for campaign_id, (callbacks, _) in CAMPAIGNS.items():
        session.add(
            models.Campaign(
                id=campaign_id, name=campaign_id, created_at=START, callback_numbers=callbacks
            )
        )
    session.flush()
    pick = random.Random(5)
    calls = []
    for n in range(120):
        campaign_id = pick.choice(list(CAMPAIGNS))
        at = START + timedelta(minutes=pick.randrange(30 * 24 * 60))
        calls.append((campaign_id, at))
        session.add(
            models.Call(
                source="honeypot",
                source_ref=f"call-{n}",
                calling_number=pick.choice(CAMPAIGNS[campaign_id][1]),
                called_number="+13125550100",
                call_time=at,
                imported_at=at,
                campaign_id=campaign_id,
            )
        )
    session.flush()
    # Tracebacks: TERM ← GATE ← FOR (GATE is the gateway), for every 4th C-WARRANTY call,
    # each opened an hour after its call; the letter, its decision and the authorization
    # come in between, at their times.
    traced = sorted((c for c in calls if c[0] == "C-WARRANTY"), key=lambda c: c[1])[::4]
    steps = [(at + timedelta(hours=1), "trace", at) for _, at in traced]
    steps += [(LETTER_AT, "letter", None), (AUTHORIZED_AT - timedelta(hours=1), "decide", None)]
    steps += [(AUTHORIZED_AT, "authorize", None)]
    letter = None
    for when, step, call_time in sorted(steps, key=lambda s: s[0]):
        clock.set(when)
        if step == "trace":
            trace(session, clock, call_time)
        elif step == "letter":
            letter = enforcement.issue_letter(
                session, "GATE", ["C-WARRANTY"], [], REGULATOR, clock, Settings.from_environ()
            )
        elif step == "decide":
            assert letter is not None
            decided = enforcement.decide_letter(
                session, letter.id, REGULATOR, clock, Settings.from_environ().display_zone
            )
            assert decided.status == "noncompliant"
        else:
            request = enforcement.AuthorizationRequest("GATE", Scope.PROVIDER, reason="no")
            enforcement.issue_authorization(
                session, request, REGULATOR, clock, Settings.from_environ()
            )
    session.flush()
    return calls


def trace(session: Session, clock: SimulatedClock, call_time: datetime) -> None:
    call = CallUnderTrace("+12025550143", "+13125550100", call_time)
    tb = traceback.open_traceback(
        session, call, "TERM", "coordinator:ann", clock, POLICY, campaign="C-WARRANTY"
    )
    for ocn, upstream in (("TERM", "GATE"), ("GATE", "FOR")):
        reply = Reply(Answer.UPSTREAM, upstream=upstream)
        traceback.answer_hop(session, tb.id, ocn, reply, f"provider:{ocn}", clock, POLICY)


def complaints_file(path: Path) -> Path:
    """Complaints about the campaigns' numbers and others, some without the call's time."""
    pick = random.Random(8)
    numbers = [n for callbacks, callers in CAMPAIGNS.values() for n in callbacks + callers]
    spellings = [lambda n: n, lambda n: n[2:], lambda n: f"({n[2:5]}) {n[5:8]}-{n[8:]}"]
    rows = []
    for n in range(500):
        number = pick.choice(numbers + OTHER_NUMBERS)
        spelled = pick.choice(spellings)(number) if len(number) == 12 else number
        violated = START + timedelta(seconds=pick.randrange(32 * 86400))
        created = violated + timedelta(hours=pick.randrange(72), seconds=n)
        rows.append(
            ftc_row(
                Company_Phone_Number=spelled,
                Created_Date=f"{created:%Y-%m-%d %H:%M:%S}",
                Violation_Date="" if n % 5 == 0 else f"{violated:%Y-%m-%d %H:%M:%S}",
            )
        )
    return ftc_csv(path, *rows)


# --- The independent count ----------------------------------------------------------------


def _key(text: str) -> str:
    digits = "".join(ch for ch in text if ch.isdigit())
    return digits[1:] if len(digits) == 11 and digits.startswith("1") else digits


def _when(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)


def expected_complaints(path: Path, campaigns: list[str], since: datetime, until: datetime):
    keys = {
        _key(n) for c in campaigns for n in CAMPAIGNS[c][0] + CAMPAIGNS[c][1]
    }  # every caller ID above is used by some call
    count = 0
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            at = _when(row["Violation_Date"] or row["Created_Date"])
            count += _key(row["Company_Phone_Number"]) in keys and since <= at < until
    return count


def test_each_event_counts_its_campaigns_before_and_after(session, tmp_path):
    calls = setup_world(session)
    path = complaints_file(tmp_path / "ftc.csv")
    effects = enforcement_effects(session, stored(tmp_path, path), NOW, WEEK)
    assert [(e.kind, e.at) for e in effects] == [
        ("warning_letter", LETTER_AT),
        ("block_authorization", AUTHORIZED_AT),
    ]
    tracebacks = session.query(models.Traceback.call_time).all()
    for effect, window in zip(effects, (WEEK, NOW - AUTHORIZED_AT), strict=True):
        assert effect.campaigns == ("C-WARRANTY",)  # the authorization's from its letter
        assert effect.window_hours == window.total_seconds() / 3600
        assert effect.complete == (window == WEEK)
        for side, since, until in (
            (effect.before, effect.at - window, effect.at),
            (effect.after, effect.at, effect.at + window),
        ):
            assert side.complaints == expected_complaints(path, ["C-WARRANTY"], since, until)
            assert side.calls == sum(c == "C-WARRANTY" and since <= at < until for c, at in calls)
            assert side.traced_calls == sum(
                since <= at.replace(tzinfo=UTC) < until for (at,) in tracebacks
            )
        assert effect.before.complaints > 0 and effect.after.complaints > 0
        assert effect.difference.complaints == effect.after.complaints - effect.before.complaints


def test_the_period_selects_events_and_the_json_is_plain(session, tmp_path):
    setup_world(session)
    analytics = stored(tmp_path, complaints_file(tmp_path / "ftc.csv"))
    later = enforcement_effects(session, analytics, NOW, WEEK, start=LETTER_AT + timedelta(1))
    assert [e.kind for e in later] == ["block_authorization"]
    assert enforcement_effects(session, analytics, LETTER_AT - timedelta(1), WEEK) == []
    document = [e.as_dict() for e in enforcement_effects(session, analytics, NOW, WEEK)]
    assert json.loads(json.dumps(document)) == document
    first = document[0]
    assert first["difference"]["calls"] == first["after"]["calls"] - first["before"]["calls"]


def test_an_authorization_without_a_letter_has_no_campaigns(session, tmp_path):
    clock = SimulatedClock(START)
    upsert_providers(session, [Provider("GONE", "Gone Voice")], clock)
    request = enforcement.AuthorizationRequest("GONE", Scope.NO_DIRECT_TRAFFIC, reason="no RMD")
    enforcement.issue_authorization(session, request, REGULATOR, clock, Settings.from_environ())
    (effect,) = enforcement_effects(session, tmp_path / "empty", NOW, WEEK)
    assert effect.campaigns == () and effect.before.as_dict() == effect.after.as_dict()
    assert effect.after.complaints == effect.after.calls == 0


def test_a_window_must_be_positive(session, tmp_path):
    with pytest.raises(ValueError, match="longer than zero"):
        enforcement_effects(session, tmp_path, NOW, timedelta(0))


def test_the_command_prints_the_effects_as_json(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = make_engine(url)
    upgrade(engine)
    path = complaints_file(tmp_path / "ftc.csv")
    analytics = stored(tmp_path, path)
    with transaction(engine) as session:
        setup_world(session)
        # Years later, both windows are whole whatever the moment.
        want = [e.as_dict() for e in enforcement_effects(session, analytics, SystemClock().now())]
    engine.dispose()
    arguments = ["stats", "effects", "--json", "--database-url", url]
    arguments += ["--analytics-dir", str(analytics)]
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == want
    assert [e["window_hours"] for e in want] == [168, 168]
    assert want[1]["after"]["complaints"] == expected_complaints(
        path, ["C-WARRANTY"], AUTHORIZED_AT, AUTHORIZED_AT + WEEK
    )
    result = CliRunner().invoke(main, [*arguments, "--window", "2"])
    assert result.exit_code == 0, result.output
    assert [e["window_hours"] for e in json.loads(result.output)] == [48, 48]


def test_the_effects_chart_shows_each_steps_complaints(session, tmp_path):
    from robotrace.stats.charts import statistics_charts, write_pngs
    from robotrace.stats.complaints import complaint_stats
    from tests.stats.test_charts import png_size

    setup_world(session)
    path = complaints_file(tmp_path / "ftc.csv")
    analytics = stored(tmp_path, path)
    effects = enforcement_effects(session, analytics, NOW, WEEK)
    charts = statistics_charts(complaint_stats(analytics), effects)
    rows = charts["enforcement-effects"]["data"]["values"]
    want = []
    for effect, window in zip(effects, (WEEK, NOW - AUTHORIZED_AT), strict=True):
        for side, since, until in (
            ("before", effect.at - window, effect.at),
            ("after", effect.at, effect.at + window),
        ):
            want.append((side, expected_complaints(path, ["C-WARRANTY"], since, until)))
    assert [(row["side"], row["complaints"]) for row in rows] == want
    (png,) = write_pngs({"enforcement-effects": charts["enforcement-effects"]}, tmp_path)
    assert png_size(png)[0] > 300
