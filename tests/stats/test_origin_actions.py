"""The consortium's "completed tracebacks with caller warned or terminated" (ITG to the FCC,
1 May 2025): counted by hand over small chains (issue 23 item 3)."""

from __future__ import annotations

from dataclasses import replace

from robotrace.stats.origin_actions import origin_actions
from robotrace.traceback.model import Answer, OriginAction
from robotrace.traceback.workflow import Reply, withdraw
from tests.traceback.builders import T0, chain, opened, refused, upstream


def _origin(action: OriginAction | None, note: str = "") -> Reply:
    return Reply(Answer.ORIGIN, customer="Acme", origin_action=action, note=note)


def _traced(action: OriginAction | None) -> object:
    return chain(("TERM", upstream("ORIG")), ("ORIG", _origin(action, "x")))


def test_the_share_counts_warned_and_terminated_callers_over_completed_tracebacks():
    tracebacks = [
        _traced(OriginAction.WARNED),
        _traced(OriginAction.TERMINATED),
        _traced(OriginAction.SUSPENDED),
        _traced(OriginAction.CONSENT_SHOWN),
        _traced(None),
        chain(("TERM", refused())),  # complete, no origin: in the denominator only
        opened(),  # still open: not complete
    ]
    figure = origin_actions(tracebacks)
    assert (figure.completed, figure.warned_or_terminated, figure.share) == (6, 2, 2 / 6)
    assert figure.by_action == {
        "warned": 1, "suspended": 1, "terminated": 1, "consent_shown": 1, "no_action": 0,
        "other": 0, "not_stated": 1,
    }  # fmt: skip


def test_a_withdrawn_traceback_counts_nowhere():
    tb = replace(_traced(OriginAction.WARNED), status=opened().status, outcome=None)
    gone = withdraw(tb, "opened by mistake", T0, "coordinator:ann").traceback
    figure = origin_actions([gone])
    assert (figure.completed, figure.warned_or_terminated, figure.share) == (0, 0, None)


def test_no_completed_traceback_has_no_share():
    assert origin_actions([opened()]).share is None
