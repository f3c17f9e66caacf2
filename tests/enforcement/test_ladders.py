"""Both ladders against the store, on SQLite and PostgreSQL: the worker proposes and a person
decides; the mandatory ladder of 47 CFR 64.1200(n) from notification to final order and its
mandatory block-list entry; blocking under a K4 authorization with its notice to the FCC."""

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from robotrace.clock import SimulatedClock
from robotrace.enforcement import k4, mandatory, service
from robotrace.enforcement.errors import EnforcementError, InvalidRequest
from robotrace.enforcement.worker import decide_due_letters
from robotrace.providers.store import upsert_providers
from robotrace.settings import Settings
from robotrace.store import models
from robotrace.store.db import transaction
from robotrace.traceback.store import save_traceback

from .builders import PROVIDERS, T0, through

REGULATOR = "regulator:fcc@example.org"
DAY = timedelta(days=1)


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(T0)


@pytest.fixture
def seeded(engine, clock, monkeypatch):
    """CCCC let in three covid-test-kits calls from FFFF; AAAA took each from CCCC."""
    monkeypatch.setenv("ROBOTRACE_SMTP_PORT", "9")
    monkeypatch.delenv("ROBOTRACE_ENFORCEMENT_DECISIONS", raising=False)
    with transaction(engine) as session:
        upsert_providers(session, PROVIDERS, clock)
        for n, days in enumerate((3, 10, 20), start=1):
            save_traceback(session, through("CCCC", T0 - timedelta(days=days), f"TB-00000{n}"))
    return engine


def action(engine, action_id) -> models.EnforcementAction:
    with transaction(engine) as session:
        return session.get(models.EnforcementAction, action_id)


def audit_actions(engine) -> list[str]:
    with transaction(engine) as session:
        return list(session.scalars(select(models.AuditEvent.action)))


def letter(engine, clock) -> int:
    with transaction(engine) as session:
        return service.issue_letter(
            session, "CCCC", ["covid-test-kits"], [], REGULATOR, clock, Settings.from_environ()
        ).id


def notify(engine, clock, key="CCCC") -> int:
    with transaction(engine) as session:
        return mandatory.issue_notification(
            session, key, ["covid-test-kits"], [], REGULATOR, clock, Settings.from_environ()
        ).id


def respond(engine, clock, notification_id, response, text="", upstreams=()):
    with transaction(engine) as session:
        return mandatory.respond_to_notification(
            session,
            notification_id,
            response,
            text,
            upstreams,
            "provider:x",
            clock,
            Settings.from_environ(),
        )


# --- Proposals and decisions ------------------------------------------------------------


def test_by_default_the_worker_proposes_and_the_letter_stays_undecided(seeded, clock):
    letter_id = letter(seeded, clock)
    save_traceback_after(seeded, T0 + timedelta(hours=49), "TB-000020")
    clock.advance(timedelta(hours=72))
    assert decide_due_letters(seeded, clock, Settings.from_environ()) == 1
    assert decide_due_letters(seeded, clock, Settings.from_environ()) == 0  # proposed once
    row = action(seeded, letter_id)
    assert (row.status, row.proposal, row.decided_at) == ("issued", "noncompliant", None)
    assert "TB-000020" in row.proposal_text
    assert "letter.proposed" in audit_actions(seeded)


def test_the_regulator_decides_the_proposal_or_overrides_it_with_a_reason(seeded, clock):
    letter_id = letter(seeded, clock)
    clock.advance(timedelta(hours=72))
    decide_due_letters(seeded, clock, Settings.from_environ())
    assert action(seeded, letter_id).proposal == "complied"
    with transaction(seeded) as session, pytest.raises(InvalidRequest, match="say why"):
        service.decide_letter(
            session,
            letter_id,
            REGULATOR,
            clock,
            Settings.from_environ().display_zone,
            "noncompliant",
        )
    with transaction(seeded) as session:
        service.decide_letter(
            session,
            letter_id,
            REGULATOR,
            clock,
            Settings.from_environ().display_zone,
            "noncompliant",
            "its report admits it",
        )
    row = action(seeded, letter_id)
    assert (row.status, row.proposal) == ("noncompliant", "complied")
    assert "its report admits it" in row.decision
    with transaction(seeded) as session:
        event = session.scalars(
            select(models.AuditEvent).where(models.AuditEvent.action == "letter.decided")
        ).one()
    assert event.details["proposal"] == "complied" and event.details["status"] == "noncompliant"


def test_a_decision_is_one_of_the_allowed_statuses(seeded, clock):
    letter_id = letter(seeded, clock)
    clock.advance(timedelta(hours=72))
    with transaction(seeded) as session, pytest.raises(InvalidRequest, match="one of"):
        service.decide_letter(
            session,
            letter_id,
            REGULATOR,
            clock,
            Settings.from_environ().display_zone,
            "no_response",
            "why not",
        )


def save_traceback_after(engine, when, tb_id, **kwargs):
    with transaction(engine) as session:
        save_traceback(session, through("CCCC", when, tb_id, **kwargs))


# --- The mandatory ladder -----------------------------------------------------------------


def test_a_notification_is_due_in_the_setting_days_and_emailed(seeded, clock):
    notification_id = notify(seeded, clock)
    row = action(seeded, notification_id)
    assert (row.kind, row.ladder, row.status) == ("notification", "n", "issued")
    assert row.respond_by == T0 + timedelta(days=14)
    assert "Notification of Suspected Illegal Traffic" in row.document
    with transaction(seeded) as session:
        kinds = {n.kind for n in session.scalars(select(models.Notification))}
    assert kinds == {"order.issued"}


def test_not_the_carrier_names_its_upstream_and_the_notice_moves_upstream(seeded, clock):
    notification_id = notify(seeded, clock)
    respond(seeded, clock, notification_id, "not_carrier", upstreams=["dddd"])
    row = action(seeded, notification_id)
    assert row.status == "referred"
    with transaction(seeded) as session:
        upstream = session.scalars(
            select(models.EnforcementAction).where(
                models.EnforcementAction.follows_id == notification_id
            )
        ).one()
        provider = session.get(models.Provider, upstream.provider_id)
        assert (provider.key, upstream.kind, upstream.status) == ("DDDD", "notification", "issued")
        assert upstream.named_campaigns == ["covid-test-kits"]
        assert [r["traceback_id"] for r in upstream.evidence["rows"]] == [
            "TB-000003",
            "TB-000002",
            "TB-000001",
        ]


@pytest.mark.parametrize(
    ("upstreams", "message"),
    [((), "name the provider"), (("CCCC",), "itself"), (("ZZZZ",), "no provider")],
)
def test_a_not_carrier_response_needs_real_other_upstreams(seeded, clock, upstreams, message):
    notification_id = notify(seeded, clock)
    with pytest.raises(InvalidRequest, match=message):
        respond(seeded, clock, notification_id, "not_carrier", upstreams=upstreams)
    assert action(seeded, notification_id).status == "issued"


def test_a_blocked_response_is_judged_on_the_traffic_after_respond_by(seeded, clock):
    notification_id = notify(seeded, clock)
    with pytest.raises(InvalidRequest, match="say what you blocked"):
        respond(seeded, clock, notification_id, "blocked")
    respond(seeded, clock, notification_id, "blocked", "blocked the customer's trunk")
    save_traceback_after(seeded, T0 + 15 * DAY, "TB-000030")
    clock.advance(16 * DAY)
    assert decide_due_letters(seeded, clock, Settings.from_environ()) == 1
    row = action(seeded, notification_id)
    assert (row.status, row.proposal) == ("responded", "noncompliant")
    assert row.evidence["reasons"] == {"TB-000030": "the identified traffic"}


def test_silence_is_proposed_no_response_then_initial_and_final_orders(seeded, clock):
    notification_id = notify(seeded, clock)
    clock.advance(15 * DAY)
    decide_due_letters(seeded, clock, Settings.from_environ())
    assert action(seeded, notification_id).proposal == "no_response"
    with transaction(seeded) as session, pytest.raises(EnforcementError, match="decided"):
        mandatory.issue_initial_order(
            session, notification_id, REGULATOR, clock, Settings.from_environ()
        )
    with transaction(seeded) as session:
        service.decide(
            session, notification_id, REGULATOR, clock, Settings.from_environ().display_zone
        )
    with transaction(seeded) as session, pytest.raises(InvalidRequest, match="at least 14"):
        mandatory.issue_initial_order(
            session, notification_id, REGULATOR, clock, Settings.from_environ(), respond_days=13
        )
    with transaction(seeded) as session:
        initial_id = mandatory.issue_initial_order(
            session, notification_id, REGULATOR, clock, Settings.from_environ()
        ).id
    assert action(seeded, initial_id).respond_by == clock.now() + 14 * DAY
    with transaction(seeded) as session, pytest.raises(EnforcementError, match="issued already"):
        mandatory.issue_initial_order(
            session, notification_id, REGULATOR, clock, Settings.from_environ()
        )
    clock.advance(14 * DAY)
    with transaction(seeded) as session, pytest.raises(EnforcementError, match="may respond"):
        mandatory.issue_final_order(session, initial_id, REGULATOR, clock, Settings.from_environ())
    clock.advance(timedelta(seconds=1))
    with transaction(seeded) as session:
        final_id = mandatory.issue_final_order(
            session, initial_id, REGULATOR, clock, Settings.from_environ()
        ).id
    final = action(seeded, final_id)
    # AAAA took every traced call from CCCC: the one provider immediately downstream.
    assert (final.status, final.downstream) == ("in_force", ["AAAA"])
    assert final.effective_at == clock.now() + 30 * DAY
    assert action(seeded, initial_id).status == "final"


def final_order(engine, clock) -> int:
    notification_id = notify(engine, clock)
    clock.advance(15 * DAY)
    with transaction(engine) as session:
        service.decide(
            session, notification_id, REGULATOR, clock, Settings.from_environ().display_zone
        )
        initial_id = mandatory.issue_initial_order(
            session, notification_id, REGULATOR, clock, Settings.from_environ()
        ).id
    clock.advance(15 * DAY)
    with transaction(engine) as session:
        return mandatory.issue_final_order(
            session, initial_id, REGULATOR, clock, Settings.from_environ()
        ).id


def entries(engine, clock) -> list[dict]:
    with transaction(engine) as session:
        return json.loads(service.publish_blocklist(session, clock, Settings.from_environ()).body)[
            "entries"
        ]


def test_the_final_order_is_a_mandatory_entry_from_its_effective_date(seeded, clock):
    final_id = final_order(seeded, clock)
    assert entries(seeded, clock) == []
    clock.advance(30 * DAY)
    [entry] = entries(seeded, clock)
    assert (entry["provider"], entry["reason_code"], entry["obligation"]) == (
        "CCCC",
        "final_order",
        "mandatory",
    )
    assert (entry["order_id"], entry["authorization_id"], entry["downstream"]) == (
        final_id,
        None,
        ["AAAA"],
    )
    with transaction(seeded) as session:
        service.lift_authorization(session, final_id, REGULATOR, clock, Settings.from_environ())
    assert entries(seeded, clock) == []


def test_a_provider_answers_an_initial_order_and_it_is_kept(seeded, clock):
    notification_id = notify(seeded, clock)
    clock.advance(15 * DAY)
    with transaction(seeded) as session:
        service.decide(
            session, notification_id, REGULATOR, clock, Settings.from_environ().display_zone
        )
        initial_id = mandatory.issue_initial_order(
            session, notification_id, REGULATOR, clock, Settings.from_environ()
        ).id
    with transaction(seeded) as session:
        mandatory.respond_to_order(session, initial_id, "we blocked it on day 2", "p:x", clock)
    with transaction(seeded) as session:
        [report] = service.mitigation_reports(session, initial_id)
        assert (report.kind, report.late, report.text) == (
            "order_response",
            False,
            "we blocked it on day 2",
        )
    assert action(seeded, initial_id).status == "responded"


def test_a_withdrawn_notification_goes_no_further(seeded, clock):
    notification_id = notify(seeded, clock)
    with transaction(seeded) as session, pytest.raises(InvalidRequest, match="why"):
        mandatory.withdraw(session, notification_id, " ", REGULATOR, clock)
    with transaction(seeded) as session:
        mandatory.withdraw(session, notification_id, "opened by mistake", REGULATOR, clock)
    assert action(seeded, notification_id).status == "withdrawn"
    clock.advance(20 * DAY)
    assert decide_due_letters(seeded, clock, Settings.from_environ()) == 0
    with pytest.raises(EnforcementError, match="takes no response"):
        respond(seeded, clock, notification_id, "blocked", "too late")


# --- Blocking under a K4 authorization ----------------------------------------------------


def k4_authorization(engine, clock) -> int:
    letter_id = letter(engine, clock)
    save_traceback_after(engine, T0 + timedelta(hours=49), "TB-000020")
    clock.advance(timedelta(hours=72))
    with transaction(engine) as session:
        service.decide_letter(
            session, letter_id, REGULATOR, clock, Settings.from_environ().display_zone
        )
        request = service.AuthorizationRequest("CCCC", reason="still carrying")
        return service.issue_authorization(
            session, request, REGULATOR, clock, Settings.from_environ()
        ).id


def test_a_downstream_provider_declares_blocking_and_gets_its_notice_to_the_fcc(seeded, clock):
    auth_id = k4_authorization(seeded, clock)
    since = clock.now() + timedelta(hours=1)
    with transaction(seeded) as session:
        notice = k4.declare_blocking(
            session,
            auth_id,
            "AAAA",
            since,
            "provider:a",
            clock,
            Settings.from_environ().display_zone,
        )
        assert not k4.late(notice)
        assert "Alpha Local Telco" in notice.document and "Charlie Gateway" in notice.document
        # The first authorization and the first letter: each kind numbers its own sequence.
        assert "BA-000001" in notice.document and "WL-000001" in notice.document
    with transaction(seeded) as session:
        again = k4.declare_blocking(
            session, auth_id, "AAAA", since - timedelta(minutes=30), "provider:a", clock,
            Settings.from_environ().display_zone, calls_blocked=40,
        )  # fmt: skip
        assert (again.calls_blocked, again.since) == (40, since - timedelta(minutes=30))
        assert len(k4.notices(session, authorization_id=auth_id)) == 1


def test_blocking_before_the_authorization_or_of_oneself_is_refused(seeded, clock):
    auth_id = k4_authorization(seeded, clock)
    with transaction(seeded) as session, pytest.raises(InvalidRequest, match="not before"):
        k4.declare_blocking(
            session,
            auth_id,
            "AAAA",
            clock.now() - DAY,
            "p",
            clock,
            Settings.from_environ().display_zone,
        )
    with transaction(seeded) as session, pytest.raises(InvalidRequest, match="itself"):
        k4.declare_blocking(
            session, auth_id, "CCCC", clock.now(), "p", clock, Settings.from_environ().display_zone
        )


def test_a_notice_given_after_blocking_began_is_marked_late(seeded, clock):
    auth_id = k4_authorization(seeded, clock)
    since = clock.now()
    clock.advance(timedelta(hours=5))
    with transaction(seeded) as session:
        notice = k4.declare_blocking(
            session, auth_id, "AAAA", since, "p", clock, Settings.from_environ().display_zone
        )
        assert k4.late(notice) and "after the blocking began" in notice.document


# --- Findings open either ladder ----------------------------------------------------------


def test_a_refusal_is_a_finding_a_letter_or_notification_can_name(seeded, clock):
    from .builders import refused_by

    with transaction(seeded) as session:
        save_traceback(session, refused_by("CCCC", T0 - 2 * DAY, "TB-000040"))
    settings = Settings.from_environ()
    with transaction(seeded) as session:
        letter_id = service.issue_letter(
            session, "CCCC", [], [], REGULATOR, clock, settings, findings=["TB-000040"]
        ).id
        notification = mandatory.issue_notification(
            session, "CCCC", [], [], REGULATOR, clock, settings, findings=["TB-000040"]
        )
    assert [r["traceback_id"] for r in action(seeded, letter_id).evidence["rows"]] == ["TB-000040"]
    assert notification.named_findings == ["TB-000040"]
    # TB-000001 shows CCCC letting the call in, not refusing: it is no finding of CCCC's.
    with transaction(seeded) as session, pytest.raises(InvalidRequest, match="TB-000001"):
        service.issue_letter(
            session,
            "CCCC",
            [],
            [],
            REGULATOR,
            clock,
            Settings.from_environ(),
            findings=["TB-000001"],
        )


def test_refusing_again_after_a_letter_naming_a_refusal_is_noncompliant(seeded, clock):
    from .builders import refused_by

    with transaction(seeded) as session:
        save_traceback(session, refused_by("CCCC", T0 - 2 * DAY, "TB-000040"))
    with transaction(seeded) as session:
        letter_id = service.issue_letter(
            session,
            "CCCC",
            [],
            [],
            REGULATOR,
            clock,
            Settings.from_environ(),
            findings=["TB-000040"],
        ).id
    with transaction(seeded) as session:
        save_traceback(session, refused_by("CCCC", T0 + 3 * DAY, "TB-000041"))
    clock.advance(4 * DAY)
    decide_due_letters(seeded, clock, Settings.from_environ())
    row = action(seeded, letter_id)
    assert row.proposal == "noncompliant"
    assert "refused or did not answer" in row.evidence["reasons"]["TB-000041"]


def test_the_order_email_renders_what_to_do_and_when(seeded, clock):
    from robotrace.notify.channels.email.render import render

    notify(seeded, clock)
    with transaction(seeded) as session:
        payload = session.scalars(select(models.Notification.payload)).first()
    rendered = render("order.issued", payload, Settings.from_environ().display_zone)
    assert rendered.subject.startswith("Notification of Suspected Illegal Traffic NSIT-")
    assert "Charlie Gateway (CCCC)" in rendered.subject
    assert "Respond by:      15 May 2020, 08:00 EDT" in rendered.body  # 12:00 UTC
    assert "/api/v1/orders/" in rendered.body


def test_a_provider_the_calls_only_passed_through_can_be_notified_and_refer_upstream(seeded, clock):
    # AAAA only terminated the calls (it named CCCC): no letter names it, a notification may.
    with transaction(seeded) as session, pytest.raises(InvalidRequest, match="no traceback"):
        service.issue_letter(
            session, "AAAA", ["covid-test-kits"], [], REGULATOR, clock, Settings.from_environ()
        )
    notification_id = notify(seeded, clock, key="AAAA")
    rows = action(seeded, notification_id).evidence["rows"]
    assert {tuple(r["roles"]) for r in rows} == {("in_path",)}
    respond(seeded, clock, notification_id, "not_carrier", upstreams=["CCCC"])
    with transaction(seeded) as session:
        [upstream] = session.scalars(
            select(models.EnforcementAction).where(
                models.EnforcementAction.follows_id == notification_id
            )
        )
        assert session.get(models.Provider, upstream.provider_id).key == "CCCC"


def test_a_referred_or_withdrawn_notification_is_not_decided(seeded, clock):
    referred = notify(seeded, clock)
    respond(seeded, clock, referred, "not_carrier", upstreams=["FFFF"])
    withdrawn = notify(seeded, clock)
    with transaction(seeded) as session:
        mandatory.withdraw(session, withdrawn, "duplicate", REGULATOR, clock)
    clock.advance(15 * DAY)
    for notification_id, status in ((referred, "referred"), (withdrawn, "withdrawn")):
        with transaction(seeded) as session, pytest.raises(EnforcementError, match=status):
            service.decide(
                session,
                notification_id,
                REGULATOR,
                clock,
                Settings.from_environ().display_zone,
                "complied",
                "why not",
            )
        assert action(seeded, notification_id).status == status


def test_the_upstreams_copy_of_the_evidence_says_it_was_named_not_what_the_referrer_did(
    seeded, clock
):
    notification_id = notify(seeded, clock)
    respond(seeded, clock, notification_id, "not_carrier", upstreams=["BBBB"])
    with transaction(seeded) as session:
        upstream = session.scalars(
            select(models.EnforcementAction).where(
                models.EnforcementAction.follows_id == notification_id
            )
        ).one()
        # No traceback passed through BBBB: every row is one CCCC named it for.
        assert {tuple(r["roles"]) for r in upstream.evidence["rows"]} == {("referred",)}
        assert "<td>gateway</td>" not in upstream.document
        assert "<td>referred</td>" in upstream.document


def test_a_publisher_with_an_earlier_clock_does_not_undo_a_newer_version(seeded, clock):
    """A publish whose clock reads before the latest version's time (another process
    published meanwhile) must not compute the list at that earlier instant: here the
    authorization is effective at T, the latest version has it, and a publisher at T - 1 s
    would have dropped it again under a higher number."""
    k4_authorization(seeded, clock)
    with transaction(seeded) as session:
        latest = service.latest_blocklist(session)
        assert '"provider":"CCCC"' in latest.body
    earlier = SimulatedClock(clock.now() - timedelta(seconds=1))
    with transaction(seeded) as session:
        again = service.publish_blocklist(session, earlier, Settings.from_environ())
    assert again.version == latest.version


def test_a_notification_is_written_as_a_letter_from_the_bureau(seeded, clock, monkeypatch):
    monkeypatch.setenv("ROBOTRACE_OPERATOR_NAME", "FCC Enforcement Bureau")
    monkeypatch.setenv("ROBOTRACE_LETTER_SIGNATORY", "Loyaan A. Egal")
    monkeypatch.setenv("ROBOTRACE_LETTER_SIGNATORY_TITLE", "Chief, Enforcement Bureau")
    monkeypatch.setenv("ROBOTRACE_LETTER_CONTACT", "Kristi Thompson, +1 202 418 1318")
    with transaction(seeded) as session:
        session.add(
            models.Campaign(
                id="covid-test-kits",
                name="COVID-19 test kits",
                created_at=T0,
                representative="Press one for your free COVID-19 test kit.",
            )
        )
    document = action(seeded, notify(seeded, clock)).document
    text = " ".join(re.sub(r"<[^>]+>", " ", document).split())
    assert "<title>NSIT-000001:" in document
    assert "FCC Enforcement Bureau Federal Communications Commission" in text
    assert "1 May 2020" in text and "Dear Compliance Officer:" in text  # T0's day
    assert "The calls of COVID-19 test kits said: “Press one for your free COVID-19" in text
    assert "Questions about NSIT-000001: Kristi Thompson, +1 202 418 1318." in text
    assert "Sincerely, Loyaan A. Egal Chief, Enforcement Bureau FCC Enforcement Bureau" in text
