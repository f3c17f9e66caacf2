"""The workflow's transitions persisted step by step, on SQLite and PostgreSQL."""

from datetime import timedelta

from robotrace.providers.registry import Provider
from robotrace.providers.store import upsert_providers
from robotrace.store.audit import append_audit, list_audit
from robotrace.traceback.model import Answer, Outcome, Status
from robotrace.traceback.store import load_traceback, save_traceback
from robotrace.traceback.workflow import answer_hop, mark_no_response, open_traceback

from .builders import CALL, DIRECTORY, POLICY, T0, origin, upstream


def _register(session) -> None:
    upsert_providers(
        session,
        [
            Provider(key=p.key, business_name=p.name, country=p.country, foreign=p.foreign)
            for p in DIRECTORY.values()
        ],
    )


def _persist(session, step):
    save_traceback(session, step.traceback)
    append_audit(session, step.events)
    session.commit()
    return load_traceback(session, step.traceback.id)


def test_a_late_answer_after_no_response_survives_a_round_trip_through_the_store(session):
    _register(session)
    tb = _persist(session, open_traceback("TB-7", CALL, DIRECTORY["TERM"], T0, "c:ann", POLICY))
    tb = _persist(session, answer_hop(tb, "TERM", upstream("GATE"), DIRECTORY, T0, "p:TERM"))
    overdue = tb.hops[-1].due_at + timedelta(minutes=1)
    tb = _persist(session, mark_no_response(tb, DIRECTORY, overdue, "policy:no_response"))
    assert (tb.status, tb.outcome) == (Status.CLOSED, Outcome.NON_RESPONSIVE)
    later = overdue + timedelta(hours=3)
    tb = _persist(session, answer_hop(tb, "GATE", upstream("FOR1"), DIRECTORY, later, "p:GATE"))
    tb = _persist(session, answer_hop(tb, "FOR1", origin("Call Centre"), DIRECTORY, later, "p:F"))
    assert tb.outcome is Outcome.ORIGIN_IDENTIFIED
    assert [h.answer for h in tb.hops] == [Answer.UPSTREAM, Answer.UPSTREAM, Answer.ORIGIN]
    assert tb.hops[1].late and not tb.hops[0].late
    actions = [e.action for e in list_audit(session, "TB-7")]
    assert actions == [
        "traceback.opened",
        "hop.requested",
        "hop.answered",
        "hop.requested",
        "hop.no_response",
        "traceback.closed",
        "traceback.reopened",
        "hop.answered",
        "hop.requested",
        "hop.answered",
        "traceback.closed",
    ]
