"""The service against the store, on SQLite and PostgreSQL, and the worker's step."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from robotrace.accounts.users import create_user
from robotrace.clock import SimulatedClock
from robotrace.enforcement import service
from robotrace.enforcement.authorizations import Scope
from robotrace.enforcement.errors import EnforcementError, InvalidRequest
from robotrace.enforcement.worker import decide_due_letters
from robotrace.providers.store import upsert_providers
from robotrace.settings import Settings
from robotrace.store import models
from robotrace.store.db import transaction
from robotrace.traceback.store import save_traceback
from robotrace.worker.loop import run_once

from .builders import PROVIDERS, T0, through

REGULATOR = "regulator:fcc@example.org"


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(T0)


@pytest.fixture
def seeded(engine, clock, monkeypatch):
    monkeypatch.setenv("ROBOTRACE_SMTP_PORT", "9")  # nothing listens: delivery just retries
    # These tests follow the worker's own decisions; test_decisions.py has the regulator's.
    monkeypatch.setenv("ROBOTRACE_ENFORCEMENT_DECISIONS", "automatic")
    with transaction(engine) as session:
        upsert_providers(session, PROVIDERS, clock)
        create_user(session, "ops@cccc.example", "provider", None, "CCCC", clock=clock)
        for n, days in enumerate((3, 10, 20), start=1):
            save_traceback(session, through("CCCC", T0 - timedelta(days=days), f"TB-00000{n}"))
    return engine


def issue(engine, clock, **named):
    named = named or {"campaigns": ["covid-test-kits"]}
    with transaction(engine) as session:
        return service.issue_letter(
            session,
            "cccc",
            named.get("campaigns", []),
            named.get("originators", []),
            REGULATOR,
            clock,
            Settings.from_environ(),
        ).id


def letter(engine, letter_id) -> models.EnforcementAction:
    with transaction(engine) as session:
        return session.get(models.EnforcementAction, letter_id)


def add_traceback(engine, tb):
    with transaction(engine) as session:
        save_traceback(session, tb)


def test_issuing_a_letter_stores_its_evidence_deadlines_and_document(seeded, clock):
    row = letter(seeded, issue(seeded, clock))
    assert (row.kind, row.status, row.issued_at) == ("warning_letter", "issued", T0)
    assert row.mitigate_by == T0 + timedelta(hours=48)
    assert row.report_by == T0 + timedelta(days=14)
    assert [r["traceback_id"] for r in row.evidence["rows"]] == [
        "TB-000003",
        "TB-000002",
        "TB-000001",
    ]
    assert "Charlie Gateway" in row.document and "TB-000003" in row.document


def test_issuing_a_letter_emails_the_provider_and_is_audited(seeded, clock):
    letter_id = issue(seeded, clock)
    with transaction(seeded) as session:
        mail = session.scalars(select(models.Notification).order_by(models.Notification.target))
        sent = [(n.kind, n.target, n.payload["link"]) for n in mail]
        actions = list(session.scalars(select(models.AuditEvent.action)))
    link = f"http://127.0.0.1:8000/api/v1/letters/{letter_id}.pdf"
    assert sent == [
        ("letter.issued", "noc@cccc.example", link),
        ("letter.issued", "ops@cccc.example", link),
    ]
    assert "letter.issued" in actions and "letter.emailed" in actions


def test_the_letter_email_renders(seeded, clock):
    from robotrace.notify.channels.email.render import render

    issue(seeded, clock)
    with transaction(seeded) as session:
        payload = session.scalars(select(models.Notification.payload)).first()
    rendered = render("letter.issued", payload, Settings.from_environ().display_zone)
    assert "Charlie Gateway (CCCC)" in rendered.subject
    assert "3 May 2020, 08:00 EDT" in rendered.body  # mitigate_by, 12:00 UTC


def test_a_letter_needs_evidence_for_the_named_traffic(seeded, clock):
    with pytest.raises(InvalidRequest, match="no traceback in the last 60 days"):
        issue(seeded, clock, campaigns=["auto-warranty"])
    with pytest.raises(InvalidRequest, match="at least one campaign, originator or finding"):
        issue(seeded, clock, campaigns=[" "])


def test_evidence_outside_the_window_is_left_out(seeded, clock):
    add_traceback(seeded, through("CCCC", T0 - timedelta(days=61), "TB-000009"))
    with transaction(seeded) as session:
        rows = service.evidence_for_provider(
            session, "CCCC", clock, Settings.from_environ().evidence_window_days
        )
        ranked = service.letter_candidates(
            session, clock, Settings.from_environ().evidence_window_days
        )
    assert "TB-000009" not in [r.traceback_id for r in rows]
    assert [(c.key, c.tracebacks) for c in ranked] == [("CCCC", 3), ("FFFF", 3)]


def test_the_worker_decides_complied_when_no_later_traceback_shows_the_traffic(seeded, clock):
    letter_id = issue(seeded, clock)
    clock.set(T0 + timedelta(hours=48 + 24) - timedelta(seconds=1))
    assert decide_due_letters(seeded, clock, Settings.from_environ()) == 0
    clock.advance(timedelta(seconds=1))
    assert decide_due_letters(seeded, clock, Settings.from_environ()) == 1
    assert decide_due_letters(seeded, clock, Settings.from_environ()) == 0  # decided once
    row = letter(seeded, letter_id)
    assert (row.status, row.decided_at) == ("complied", clock.now())
    assert row.evidence["after_deadline"] == []


def test_the_worker_flags_a_provider_still_carrying_the_campaign(seeded, clock):
    letter_id = issue(seeded, clock)
    clock.advance(timedelta(hours=48))
    add_traceback(seeded, through("CCCC", clock.now() + timedelta(seconds=1), "TB-000010"))
    add_traceback(seeded, through("CCCC", clock.now(), "TB-000011"))  # at the deadline
    clock.advance(timedelta(hours=24))
    assert run_once(seeded, clock, "w1", Settings.from_environ()).letters_decided == 1
    row = letter(seeded, letter_id)
    assert row.status == "noncompliant"
    assert [r["traceback_id"] for r in row.evidence["after_deadline"]] == ["TB-000010"]
    assert "TB-000010" in row.decision


def test_the_regulator_may_decide_again_on_later_evidence(seeded, clock):
    letter_id = issue(seeded, clock)
    with transaction(seeded) as session, pytest.raises(EnforcementError, match="not passed"):
        service.decide_letter(
            session, letter_id, REGULATOR, clock, Settings.from_environ().display_zone
        )
    clock.advance(timedelta(hours=72))
    decide_due_letters(seeded, clock, Settings.from_environ())
    assert letter(seeded, letter_id).status == "complied"
    add_traceback(seeded, through("CCCC", T0 + timedelta(hours=50), "TB-000012"))
    decide_due_letters(seeded, clock, Settings.from_environ())
    assert letter(seeded, letter_id).status == "complied"  # the worker decides once
    with transaction(seeded) as session:
        service.decide_letter(
            session, letter_id, REGULATOR, clock, Settings.from_environ().display_zone
        )
    assert letter(seeded, letter_id).status == "noncompliant"


def noncompliant_letter(engine, clock) -> int:
    letter_id = issue(engine, clock)
    add_traceback(engine, through("CCCC", T0 + timedelta(hours=49), "TB-000020"))
    clock.advance(timedelta(hours=72))
    decide_due_letters(engine, clock, Settings.from_environ())
    return letter_id


def authorize(engine, clock, **kwargs):
    request = service.AuthorizationRequest(**{"key": "CCCC", **kwargs})
    with transaction(engine) as session:
        return service.issue_authorization(
            session, request, REGULATOR, clock, Settings.from_environ()
        ).id


def test_blocking_needs_a_noncompliant_letter(seeded, clock):
    with pytest.raises(EnforcementError, match="decided noncompliant"):
        authorize(seeded, clock)


def test_an_authorization_puts_the_provider_on_a_new_block_list_version(seeded, clock):
    letter_id = noncompliant_letter(seeded, clock)
    auth_id = authorize(seeded, clock, reason="still carrying covid-test-kits")
    with transaction(seeded) as session:
        auth = session.get(models.EnforcementAction, auth_id)
        assert (auth.status, auth.letter_id, auth.effective_at) == (
            "active",
            letter_id,
            clock.now(),
        )
        assert "Charlie Gateway" in auth.document
        version = service.latest_blocklist(session)
        again = service.publish_blocklist(session, clock, Settings.from_environ())
    assert again.version == version.version  # nothing changed: no new version
    assert '"provider":"CCCC"' in version.body
    with pytest.raises(EnforcementError, match="already in force"):
        authorize(seeded, clock)


def test_lifting_removes_the_entry_in_a_new_version_and_keeps_the_old(seeded, clock):
    noncompliant_letter(seeded, clock)
    auth_id = authorize(seeded, clock)
    with transaction(seeded) as session:
        before = service.latest_blocklist(session).version
        service.lift_authorization(session, auth_id, REGULATOR, clock, Settings.from_environ())
    with transaction(seeded) as session:
        after = service.latest_blocklist(session)
        kept = service.blocklist_version(session, before)
        auth = session.get(models.EnforcementAction, auth_id)
        actions = list(session.scalars(select(models.AuditEvent.action)))
    assert after.version == before + 1 and '"entries":[]' in after.body
    assert '"provider":"CCCC"' in kept.body
    assert (auth.status, auth.lifted_at, auth.lifted_by) == ("lifted", clock.now(), REGULATOR)
    assert {"authorization.issued", "authorization.lifted", "blocklist.published"} <= set(actions)
    with transaction(seeded) as session, pytest.raises(EnforcementError, match="is lifted"):
        service.lift_authorization(session, auth_id, REGULATOR, clock, Settings.from_environ())


def test_a_future_authorization_enters_the_list_at_its_effective_time(seeded, clock):
    noncompliant_letter(seeded, clock)
    authorize(seeded, clock, effective_at=clock.now() + timedelta(hours=1))
    with transaction(seeded) as session:
        assert (
            '"entries":[]'
            in service.publish_blocklist(session, clock, Settings.from_environ()).body
        )
    clock.advance(timedelta(hours=1))
    with transaction(seeded) as session:
        assert (
            '"provider":"CCCC"'
            in service.publish_blocklist(session, clock, Settings.from_environ()).body
        )


def test_a_provider_absent_from_the_rmd_can_be_listed_no_direct_traffic(seeded, clock):
    authorize(seeded, clock, key="BBBB", scope=Scope.NO_DIRECT_TRAFFIC, reason="not in the RMD")
    with transaction(seeded) as session:
        body = service.latest_blocklist(session).body
    assert '"scope":"no_direct_traffic"' in body and '"provider":"BBBB"' in body


def test_a_numbers_authorization_needs_valid_numbers(seeded, clock):
    noncompliant_letter(seeded, clock)
    with pytest.raises(InvalidRequest, match="at least one"):
        authorize(seeded, clock, scope=Scope.NUMBERS)
    with pytest.raises(InvalidRequest, match="not a telephone number"):
        authorize(seeded, clock, scope=Scope.NUMBERS, numbers=["hello"])
    authorize(seeded, clock, scope=Scope.NUMBERS, numbers=["(202) 555-0143"])
    with transaction(seeded) as session:
        assert '"number":"+12025550143"' in service.latest_blocklist(session).body


def test_a_mitigation_report_after_report_by_is_kept_and_marked_late(seeded, clock):
    letter_id = issue(seeded, clock)
    with transaction(seeded) as session:
        row = session.get(models.EnforcementAction, letter_id)
        on_time = service.file_mitigation_report(session, row, "Trunk 7 cut off.", "p", clock)
        clock.advance(timedelta(days=14, seconds=1))
        late = service.file_mitigation_report(session, row, "More measures.", "p", clock)
        session.flush()
        reports = service.mitigation_reports(session, letter_id)
    assert (on_time.late, late.late) == (False, True)
    assert [r.text for r in reports] == ["Trunk 7 cut off.", "More measures."]


def test_an_issued_letter_names_the_campaign_quotes_its_calls_and_is_signed(
    seeded, clock, monkeypatch
):
    monkeypatch.setenv("ROBOTRACE_OPERATOR_NAME", "FCC Enforcement Bureau")
    monkeypatch.setenv("ROBOTRACE_OPERATOR_ADDRESS", "45 L Street NE, Washington, DC 20554")
    with transaction(seeded) as session:
        session.add(
            models.Campaign(
                id="covid-test-kits",
                name="COVID-19 test kits",
                created_at=T0,
                representative="Press one for your free COVID-19 test kit.",
                call_count=40,
            )
        )
        user = create_user(session, "analyst@fcc.example", "regulator", None, clock=clock)
        user.name = "Rosa Analyst"
        user_id = user.id
    with transaction(seeded) as session:
        letter = service.issue_letter(
            session,
            "CCCC",
            ["covid-test-kits"],
            [],
            REGULATOR,
            clock,
            Settings.from_environ(),
            user_id,
        )
        document = letter.document
    assert "FCC Enforcement Bureau" in document and "45 L Street NE" in document
    assert "COVID-19 test kits" in document
    assert "Press one for your free COVID-19 test kit." in document
    assert "Rosa Analyst" in document
