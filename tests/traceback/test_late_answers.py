"""A provider's own answer cannot erase its non-cooperation (issue 24, item 2).

A provider may not name itself as its upstream, on time or late; a late answer after
``no_response`` reopens the traceback only when it moves the chain on to a provider not in it
yet — any other late answer is recorded and held for a coordinator, and the traceback stays
closed with its outcome; and a loop says which provider caused it.
"""

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from robotrace.traceback.findings import (
    customer_of,
    late_answer_held,
    loop_caused_by,
    non_cooperative_of,
    originating_provider_of,
    refusal_findings,
    summary_of,
)
from robotrace.traceback.model import Answer, Outcome, Status
from robotrace.traceback.workflow import (
    Reply,
    TracebackClosed,
    WorkflowError,
    answer_hop,
    answer_signer,
    mark_no_response,
)

from .builders import DIRECTORY, POLICY, T0, answer, chain, opened, origin, refused, upstream


def marked(*steps):
    """``steps`` answered, then the open hop marked ``no_response`` just after its due time."""
    tb = chain(*steps)
    at = tb.current_hop.due_at + timedelta(minutes=1)
    return mark_no_response(tb, DIRECTORY, at, "policy:no_response").traceback


def late(tb, provider, reply, hours=3):
    at = tb.current_hop.due_at + timedelta(hours=hours)
    return answer_hop(tb, provider, reply, DIRECTORY, at, f"provider:{provider}", POLICY)


def test_a_provider_cannot_name_itself_as_its_upstream():
    tb = answer(opened(), "TERM", upstream("MID")).traceback
    with pytest.raises(WorkflowError, match="MID cannot name itself as its upstream"):
        answer(tb, "MID", upstream("MID"))


def test_the_terminating_provider_cannot_name_itself_either():
    with pytest.raises(WorkflowError, match="TERM cannot name itself"):
        answer(opened(), "TERM", upstream("TERM"))


def test_a_late_self_answer_is_refused_and_the_traceback_stays_non_responsive():
    tb = marked(("TERM", upstream("MID")))
    with pytest.raises(WorkflowError, match="itself"):
        late(tb, "MID", upstream("MID"))
    assert (tb.status, tb.outcome) == (Status.CLOSED, Outcome.NON_RESPONSIVE)


def test_a_signer_cannot_name_itself_as_its_upstream():
    from dataclasses import replace

    from robotrace.traceback.model import SignerLead

    tb = opened()
    asked = SignerLead("ORIG", "A", requested_at=tb.opened_at, due_at=tb.opened_at)
    tb = replace(tb, signer=asked)
    with pytest.raises(WorkflowError, match="itself"):
        answer_signer(tb, "ORIG", upstream("ORIG"), tb.opened_at, "provider:ORIG")


def test_a_late_answer_naming_a_provider_in_the_chain_is_held_not_a_loop():
    tb = marked(("TERM", upstream("MID")))
    step = late(tb, "MID", upstream("TERM"))
    tb = step.traceback
    assert (tb.status, tb.outcome) == (Status.CLOSED, Outcome.NON_RESPONSIVE)
    assert tb.hops[1].answer is Answer.UPSTREAM and tb.hops[1].upstream == "TERM"
    assert tb.hops[1].late
    assert [e.action for e in step.events] == ["hop.answered", "traceback.late_answer_held"]
    assert step.events[1].provider == "MID"
    assert late_answer_held(tb)
    assert loop_caused_by(tb) == "MID"  # counted, though the outcome stays non_responsive
    assert non_cooperative_of(tb) == ["MID"]
    assert [f.kind for f in refusal_findings(tb)] == [Answer.NO_RESPONSE]


@pytest.mark.parametrize(
    "reply",
    [origin("Someone Convenient"), Reply(Answer.NOT_FOUND, note="no record"), refused()],
    ids=["origin", "not_found", "refused"],
)
def test_a_late_final_answer_is_held_and_changes_no_outcome(reply):
    tb = marked(("TERM", upstream("MID")))
    tb = late(tb, "MID", reply).traceback
    assert (tb.status, tb.outcome) == (Status.CLOSED, Outcome.NON_RESPONSIVE)
    assert tb.hops[1].answer is reply.answer and tb.hops[1].late
    assert late_answer_held(tb)
    # a held origin answer names no originating provider until a coordinator reviews it
    assert originating_provider_of(tb) is None and customer_of(tb) is None
    assert non_cooperative_of(tb) == ["MID"]
    summary = summary_of(tb, DIRECTORY)
    assert summary["outcome"] == "non_responsive" and summary["late_answer_held"] is True


def test_a_late_answer_at_a_foreign_provider_keeps_foreign_origin():
    tb = marked(("TERM", upstream("GATE")), ("GATE", upstream("FOR1")))
    assert tb.outcome is Outcome.FOREIGN_ORIGIN
    tb = late(tb, "FOR1", upstream("GATE")).traceback
    assert (tb.status, tb.outcome) == (Status.CLOSED, Outcome.FOREIGN_ORIGIN)


def test_a_late_answer_that_moves_the_chain_on_still_reopens():
    tb = marked(("TERM", upstream("MID")))
    step = late(tb, "MID", upstream("GATE"))
    assert step.traceback.status is Status.OPEN
    assert step.traceback.current_hop.provider == "GATE"
    assert step.events[0].action == "traceback.reopened"
    assert not late_answer_held(step.traceback)
    assert non_cooperative_of(step.traceback) == ["MID"]


def test_a_held_late_answer_is_not_taken_twice():
    tb = late(marked(("TERM", upstream("MID"))), "MID", origin()).traceback
    with pytest.raises(TracebackClosed):
        late(tb, "MID", upstream("GATE"), hours=4)


def test_a_loop_names_the_provider_that_caused_it():
    tb = opened()
    tb = answer(tb, "TERM", upstream("MID")).traceback
    tb = answer(tb, "MID", upstream("GATE")).traceback
    step = answer(tb, "GATE", upstream("MID"))
    assert step.traceback.outcome is Outcome.LOOP
    closed = step.events[-1]
    assert closed.action == "traceback.closed"
    assert closed.details["loop_caused_by"] == "GATE" and closed.details["named"] == "MID"
    assert loop_caused_by(step.traceback) == "GATE"
    assert summary_of(step.traceback, DIRECTORY)["loop_caused_by"] == "GATE"


def test_other_outcomes_name_no_loop_causer():
    tb = chain(("TERM", upstream("MID")), ("MID", origin()))
    assert loop_caused_by(tb) is None
    assert summary_of(tb, DIRECTORY)["loop_caused_by"] is None


# --- The rule over any sequence of answers ------------------------------------------------

PROVIDERS = sorted(DIRECTORY)
ACTIONS = st.lists(
    st.one_of(
        st.tuples(st.just("mark"), st.integers(1, 48)),
        st.tuples(
            st.sampled_from(["upstream", "origin", "not_found", "refused"]),
            st.sampled_from(PROVIDERS),  # the provider that answers
            st.sampled_from(PROVIDERS),  # the upstream it names
            st.integers(1, 48),  # hours after the previous action
        ),
    ),
    max_size=12,
)


def _reply(kind: str, named: str) -> Reply:
    return {
        "upstream": upstream(named),
        "origin": origin(),
        "not_found": Reply(Answer.NOT_FOUND, note="no record"),
        "refused": refused(),
    }[kind]


def _apply(tb, action, at):
    if action[0] == "mark":
        return mark_no_response(tb, DIRECTORY, at, "policy").traceback
    kind, provider, named, _hours = action
    return answer_hop(tb, provider, _reply(kind, named), DIRECTORY, at, "p", POLICY).traceback


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ACTIONS)
def test_no_sequence_of_answers_erases_a_finding_or_names_itself(actions):
    tb, at = opened(), T0
    for action in actions:
        before, at = tb, at + timedelta(hours=action[-1])
        try:
            tb = _apply(tb, action, at)
        except WorkflowError:
            continue
        assert all(h.upstream != h.provider for h in tb.hops)
        # a finding, once made, stays
        assert set(non_cooperative_of(before)) <= set(non_cooperative_of(tb))
        held_closed = before.status is Status.CLOSED and before.outcome in (
            Outcome.NON_RESPONSIVE,
            Outcome.FOREIGN_ORIGIN,
        )
        if held_closed and (tb.status, tb.outcome) != (before.status, before.outcome):
            # only a late answer that moves the chain on to a provider not in it yet
            assert len(tb.hops) == len(before.hops) + 1
            assert tb.current_hop.provider not in {h.provider for h in before.hops}
        if tb.outcome is Outcome.LOOP:
            causer = loop_caused_by(tb)
            assert causer == tb.current_hop.provider
            assert tb.current_hop.upstream in {h.provider for h in tb.hops}
