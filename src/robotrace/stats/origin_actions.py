"""What originating providers did with the callers the tracebacks found — the traceback
consortium's "percent of completed tracebacks with caller warned or terminated" (docs/
statistics.md#caller-warned-or-terminated).

A traceback counts when it is complete (closed with an outcome, withdrawn ones count nowhere);
its caller counts as warned or terminated when the provider whose customer placed the call
(its last ``origin`` answer) said it warned the customer or terminated its service. Suspended,
consent shown, no action, other and no stated action count in the denominator only: the
consortium's figure names warning and termination, and the split is kept for who reads more.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from robotrace.traceback.model import Answer, OriginAction, Outcome, Status, Traceback

#: The actions the consortium's figure counts.
WARNED_OR_TERMINATED = (OriginAction.WARNED, OriginAction.TERMINATED)
#: What an origin answer that stated no action is counted as in :attr:`OriginActions.by_action`.
NOT_STATED = "not_stated"


@dataclass(frozen=True)
class OriginActions:
    """Over ``completed`` tracebacks: how many had their caller warned or terminated, and the
    action each origin answer stated (``not_stated`` where it stated none)."""

    completed: int
    warned_or_terminated: int
    by_action: dict[str, int]

    @property
    def share(self) -> float | None:
        return self.warned_or_terminated / self.completed if self.completed else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "completed": self.completed,
            "warned_or_terminated": self.warned_or_terminated,
            "share": self.share,
            "by_action": dict(self.by_action),
        }


def origin_action_of(tb: Traceback) -> OriginAction | str | None:
    """The action the traceback's origin answer stated; :data:`NOT_STATED` for an origin
    answer without one; None when no provider answered origin."""
    origins = [hop for hop in tb.hops if hop.answer is Answer.ORIGIN]
    if not origins:
        return None
    return origins[-1].origin_action or NOT_STATED


def origin_actions(tracebacks: Iterable[Traceback]) -> OriginActions:
    """The consortium's figure over the complete tracebacks among ``tracebacks``."""
    completed = [
        tb
        for tb in tracebacks
        if tb.status is Status.CLOSED and tb.outcome not in (None, Outcome.WITHDRAWN)
    ]
    actions = [origin_action_of(tb) for tb in completed]
    counted = Counter(str(action) for action in actions if action is not None)
    by_action = {a.value: counted[a.value] for a in OriginAction} | {
        NOT_STATED: counted[NOT_STATED]
    }
    warned = sum(action in WARNED_OR_TERMINATED for action in actions)
    return OriginActions(len(completed), warned, by_action)
