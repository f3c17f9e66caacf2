from datetime import timedelta

import pytest

from robotrace.traceback.model import Answer, Outcome, ProviderInfo, Status
from robotrace.traceback.workflow import (
    NotYourHop,
    Reply,
    TracebackClosed,
    WorkflowError,
    answer_hop,
    mark_no_response,
    overdue_hops,
)

from .builders import (
    CALL,
    DIRECTORY,
    POLICY,
    T0,
    answer,
    chain,
    opened,
    origin,
    refused,
    upstream,
)


def test_opening_a_traceback_asks_the_terminating_provider_with_a_24_hour_due_time():
    tb = opened()
    assert tb.status is Status.OPEN
    assert [h.provider for h in tb.hops] == ["TERM"]
    assert tb.hops[0].requested_at == T0
    assert tb.hops[0].due_at == T0 + timedelta(hours=24)
    assert tb.call == CALL


def test_the_due_time_follows_the_policy():
    from robotrace.traceback.workflow import Policy, open_traceback

    tb = open_traceback("TB-9", CALL, DIRECTORY["TERM"], T0, "c", Policy(timedelta(hours=2)))
    assert tb.traceback.hops[0].due_at == T0 + timedelta(hours=2)


def test_opening_logs_who_opened_it_and_the_first_request():
    from robotrace.traceback.workflow import open_traceback

    step = open_traceback("TB-1", CALL, DIRECTORY["TERM"], T0, "coordinator:ann", POLICY)
    assert [e.action for e in step.events] == ["traceback.opened", "hop.requested"]
    assert all(e.actor == "coordinator:ann" and e.at == T0 for e in step.events)


def test_an_upstream_answer_sends_the_next_request_to_the_named_provider():
    step = answer(opened(), "TERM", upstream("MID"))
    tb = step.traceback
    assert [h.provider for h in tb.hops] == ["TERM", "MID"]
    assert tb.hops[0].answer is Answer.UPSTREAM and tb.hops[0].upstream == "MID"
    assert tb.hops[1].pending
    assert tb.hops[1].due_at == tb.hops[1].requested_at + timedelta(hours=24)
    assert [e.action for e in step.events] == ["hop.answered", "hop.requested"]


def test_an_origin_answer_closes_with_origin_identified():
    tb = chain(("TERM", upstream("MID")), ("MID", upstream("ORIG")), ("ORIG", origin()))
    assert tb.status is Status.CLOSED
    assert tb.outcome is Outcome.ORIGIN_IDENTIFIED
    assert tb.hops[-1].customer == "Acme Outreach"
    assert tb.closed_at == tb.hops[-1].answered_at


def test_not_found_at_a_domestic_provider_closes_with_not_found():
    tb = chain(("TERM", upstream("MID")), ("MID", Reply(Answer.NOT_FOUND)))
    assert tb.outcome is Outcome.NOT_FOUND


def test_a_refusal_closes_as_non_responsive():
    tb = chain(("TERM", upstream("MID")), ("MID", refused()))
    assert tb.outcome is Outcome.NON_RESPONSIVE
    assert tb.hops[-1].note == "we need a subpoena first"


@pytest.mark.parametrize("note", ["", "   \n"])
def test_a_refusal_without_its_reason_is_rejected(note):
    tb = answer(opened(), "TERM", upstream("MID")).traceback
    with pytest.raises(WorkflowError, match="a refused answer must say why"):
        answer(tb, "MID", Reply(Answer.REFUSED, note=note))


def test_a_chain_that_ends_at_a_foreign_provider_is_foreign_origin():
    tb = chain(("TERM", upstream("GATE")), ("GATE", upstream("FOR1")), ("FOR1", refused()))
    assert tb.outcome is Outcome.FOREIGN_ORIGIN


def test_a_foreign_chain_is_followed_to_its_origin():
    tb = chain(
        ("TERM", upstream("GATE")),
        ("GATE", upstream("FOR1")),
        ("FOR1", upstream("FOR2")),
        ("FOR2", origin("Call Centre Pvt")),
    )
    assert tb.outcome is Outcome.ORIGIN_IDENTIFIED
    assert [h.provider for h in tb.hops] == ["TERM", "GATE", "FOR1", "FOR2"]


def test_without_following_foreign_providers_the_trace_stops_at_the_gateway():
    from robotrace.traceback.workflow import Policy

    tb = opened()
    no_foreign = Policy(follow_foreign=False)
    for provider, reply in [("TERM", upstream("GATE")), ("GATE", upstream("FOR1"))]:
        tb = answer_hop(tb, provider, reply, DIRECTORY, T0, "p", no_foreign).traceback
    assert tb.outcome is Outcome.FOREIGN_ORIGIN
    assert [h.provider for h in tb.hops] == ["TERM", "GATE"]


def test_naming_a_provider_already_in_the_chain_closes_with_loop():
    tb = chain(("TERM", upstream("MID")), ("MID", upstream("GATE")), ("GATE", upstream("MID")))
    assert tb.outcome is Outcome.LOOP
    assert len(tb.hops) == 3


def test_a_provider_naming_itself_is_refused_not_a_loop():
    # issue 24: naming itself closed the chain as `loop` at once (see test_late_answers.py)
    with pytest.raises(WorkflowError, match="cannot name itself"):
        chain(("TERM", upstream("TERM")))


def test_a_newly_named_provider_needs_its_details_and_is_returned():
    tb = opened()
    with pytest.raises(WorkflowError, match="unknown"):
        answer(tb, "TERM", upstream("NEW1"))
    named = ProviderInfo("NEW1", "Fresh Carrier LLC", contact_email="noc@fresh.example")
    step = answer(tb, "TERM", Reply(Answer.UPSTREAM, upstream="NEW1", new_provider=named))
    assert step.new_provider == named
    assert step.traceback.hops[-1].provider == "NEW1"
    assert "provider.named" in [e.action for e in step.events]


def test_an_origin_answer_must_name_the_customer():
    with pytest.raises(WorkflowError, match="customer"):
        answer(opened(), "TERM", Reply(Answer.ORIGIN, customer="  "))


def test_no_response_cannot_be_answered():
    with pytest.raises(WorkflowError, match="mark_no_response"):
        answer(opened(), "TERM", Reply(Answer.NO_RESPONSE))


def test_it_rejects_another_providers_answer():
    with pytest.raises(NotYourHop, match="MID"):
        answer(opened(), "MID", upstream("GATE"))


def test_an_answered_hop_cannot_be_answered_again_by_the_same_provider():
    tb = answer(opened(), "TERM", upstream("MID")).traceback
    with pytest.raises(NotYourHop):
        answer(tb, "TERM", upstream("GATE"))


def test_a_hop_becomes_overdue_only_after_its_due_time():
    tb = opened()
    due = tb.hops[0].due_at
    assert not tb.hops[0].overdue(due)
    assert tb.hops[0].overdue(due + timedelta(seconds=1))
    assert overdue_hops([tb], due) == []
    assert overdue_hops([tb], due + timedelta(seconds=1)) == [(tb, tb.hops[0])]


def test_marking_a_hop_that_is_not_overdue_is_refused():
    tb = opened()
    with pytest.raises(WorkflowError, match="not overdue"):
        mark_no_response(tb, DIRECTORY, T0 + timedelta(hours=23), "coordinator:ann")


def test_no_response_makes_the_provider_non_cooperative_and_closes_non_responsive():
    tb = answer(opened(), "TERM", upstream("MID")).traceback
    late = tb.hops[-1].due_at + timedelta(minutes=5)
    step = mark_no_response(tb, DIRECTORY, late, "policy:no_response")
    assert step.traceback.hops[-1].answer is Answer.NO_RESPONSE
    assert step.traceback.outcome is Outcome.NON_RESPONSIVE
    assert [e.action for e in step.events] == ["hop.no_response", "traceback.closed"]
    assert step.events[0].actor == "policy:no_response"


def test_no_response_at_a_foreign_provider_is_foreign_origin():
    tb = chain(("TERM", upstream("GATE")), ("GATE", upstream("FOR1")))
    late = tb.hops[-1].due_at + timedelta(minutes=5)
    assert mark_no_response(tb, DIRECTORY, late, "p").traceback.outcome is Outcome.FOREIGN_ORIGIN


def test_a_late_answer_after_no_response_reopens_and_continues_the_trace():
    tb = answer(opened(), "TERM", upstream("MID")).traceback
    late = tb.hops[-1].due_at + timedelta(hours=1)
    tb = mark_no_response(tb, DIRECTORY, late, "policy:no_response").traceback
    step = answer_hop(tb, "MID", upstream("ORIG"), DIRECTORY, late + timedelta(hours=2), "p:MID")
    assert step.traceback.status is Status.OPEN
    assert step.traceback.hops[1].late is True
    assert step.traceback.hops[1].answer is Answer.UPSTREAM
    assert step.traceback.hops[-1].provider == "ORIG"
    assert step.events[0].action == "traceback.reopened"


def test_answers_on_a_closed_traceback_are_rejected_with_a_clear_error():
    tb = chain(("TERM", upstream("ORIG")), ("ORIG", origin()))
    with pytest.raises(TracebackClosed, match=r"TB-1 is closed \(origin_identified\)"):
        answer(tb, "ORIG", origin("Someone Else"))


def test_a_closed_traceback_cannot_be_marked_no_response():
    tb = chain(("TERM", Reply(Answer.NOT_FOUND)))
    with pytest.raises(TracebackClosed):
        mark_no_response(tb, DIRECTORY, T0 + timedelta(days=3), "p")


def test_only_the_provider_marked_no_response_may_answer_late():
    tb = opened()
    tb = mark_no_response(tb, DIRECTORY, T0 + timedelta(days=2), "p").traceback
    with pytest.raises(TracebackClosed):
        answer(tb, "MID", upstream("GATE"))


def test_every_transition_is_audited_with_actor_and_time():
    tb = opened()
    step = answer(tb, "TERM", upstream("MID"), minutes=45)
    for event in step.events:
        assert event.actor == "provider:TERM"
        assert event.at == T0 + timedelta(minutes=45)
        assert event.traceback_id == "TB-1"
