"""Withdrawing a traceback opened by mistake: the rule, without a store."""

from dataclasses import replace
from datetime import timedelta

import pytest

from robotrace.traceback.findings import counts, non_cooperative_of, refusal_findings
from robotrace.traceback.model import Outcome, SignerLead, Status
from robotrace.traceback.workflow import (
    TracebackClosed,
    WorkflowError,
    answer_hop,
    mark_no_response,
    request_signer,
    withdraw,
    withdrawn_reason,
)

from .builders import DIRECTORY, POLICY, T0, answer, chain, opened, refused, upstream


def test_it_closes_withdrawn_and_names_the_request_it_cancels():
    step = withdraw(chain(("TERM", upstream("MID"))), "  wrong   number ", T0, "coordinator:ann")
    tb = step.traceback
    assert (tb.status, tb.outcome, tb.closed_at) == (Status.CLOSED, Outcome.WITHDRAWN, T0)
    (event,) = step.events
    assert event.action == "traceback.closed"
    assert event.details == {"outcome": "withdrawn", "reason": "wrong number", "cancelled": "MID"}
    assert tb.current_hop is not None and tb.current_hop.answer is None
    assert withdrawn_reason(step.events) == "wrong number"


def test_it_needs_a_reason():
    with pytest.raises(WorkflowError, match="must say why"):
        withdraw(opened(), "   ", T0, "coordinator:ann")


def test_a_closed_traceback_cannot_be_withdrawn():
    closed = chain(("TERM", refused()))
    with pytest.raises(TracebackClosed, match="closed already"):
        withdraw(closed, "mistake", T0, "coordinator:ann")


def test_a_withdrawn_traceback_takes_no_answer_and_no_no_response_mark():
    tb = withdraw(opened(), "mistake", T0, "coordinator:ann").traceback
    with pytest.raises(TracebackClosed):
        answer_hop(tb, "TERM", upstream("MID"), DIRECTORY, T0, "provider:TERM")
    with pytest.raises(TracebackClosed):
        mark_no_response(tb, DIRECTORY, T0 + timedelta(days=9), "policy")


def test_refusals_in_a_withdrawn_traceback_are_no_findings():
    # A refusal closes the traceback, so only a record written otherwise (an import, an older
    # version) holds both; it still counts for nothing once withdrawn.
    refusing = answer(chain(("TERM", upstream("MID"))), "MID", refused()).traceback
    assert [f.provider for f in refusal_findings(refusing)] == ["MID"]
    gone = replace(refusing, outcome=Outcome.WITHDRAWN)
    assert counts(refusing) and not counts(gone)
    assert refusal_findings(gone) == () and non_cooperative_of(gone) == []


def test_an_open_direct_request_to_the_signer_is_cancelled_too():
    tb = replace(opened(), signer=SignerLead("ORIG", "A", "origid-1"))
    tb = request_signer(tb, T0, "coordinator:ann", POLICY).traceback
    (event,) = withdraw(tb, "mistake", T0, "coordinator:ann").events
    assert event.details["cancelled"] == "TERM, ORIG"
