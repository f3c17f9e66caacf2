"""How the pages show a step of either enforcement ladder: its clock (what runs out when, how
long is left or how late it is, in UTC), whether a proposal of the worker waits for a person,
and what comes next. Pure functions over a step and "now"; the rules stay in
:mod:`robotrace.enforcement`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from robotrace.clock import as_utc
from robotrace.enforcement import mandatory, records, service
from robotrace.enforcement.authorizations import ACTIVE
from robotrace.store import models
from robotrace.web.pages.common import duration

ISSUED = "issued"
RESPONDED = "responded"
#: Steps still waiting on the provider or on a regulator (letters: only ``issued``).
WAITING = (ISSUED, RESPONDED)
#: A notification decided so that an Initial Determination Order may follow.
FAILED = ("noncompliant", "no_response")
#: ``(step id, kind of a step that follows it)``, as :func:`followed_by` finds them.
Followed = set[tuple[int, models.EnforcementKind]]


@dataclass(frozen=True)
class StepClock:
    """What runs out (``label``) at ``due``, and ``text``: how long is left, how late a step
    still waiting is (``overdue``), or that it has passed."""

    label: str
    due: datetime
    text: str
    overdue: bool = False


def _deadline(action: models.EnforcementAction) -> tuple[str, datetime | None, bool]:
    """The step's label, its time, and whether it still waits for someone to act by then."""
    kind, status = action.kind, action.status
    if kind == records.LETTER:
        return "mitigate by", action.mitigate_by, status == ISSUED
    if kind in (records.NOTIFICATION, records.INITIAL_ORDER):
        return "respond by", action.respond_by, status == ISSUED
    if kind == records.FINAL_ORDER_KIND:
        return "blocking required from", action.effective_at, False
    return "effective", action.effective_at, False


def _running(action: models.EnforcementAction) -> bool:
    """Whether the step's clock still means something: a step still open, or blocking that
    stands. A decided, referred, withdrawn or lifted step shows its date only."""
    if action.kind in (records.FINAL_ORDER_KIND, records.AUTHORIZATION):
        return action.status in (ACTIVE, records.IN_FORCE)
    return action.status in WAITING


def clock_of(action: models.EnforcementAction, now: datetime) -> StepClock | None:
    """The step's clock at ``now`` (None: a step without a date; ``text`` empty: a step
    that is over)."""
    label, due, waiting = _deadline(action)
    if due is None:
        return None
    due, now = as_utc(due), as_utc(now)
    if not _running(action):
        return StepClock(label, due, "")
    if now < due:
        return StepClock(label, due, f"{duration(due - now)} left")
    if waiting:
        return StepClock(label, due, f"overdue by {duration(now - due)}", overdue=True)
    if action.status in (ACTIVE, records.IN_FORCE):
        return StepClock(label, due, f"in force for {duration(now - due)}")
    return StepClock(label, due, f"passed {duration(now - due)} ago")


def awaits_decision(action: models.EnforcementAction) -> bool:
    """The worker proposed and no person has decided yet."""
    return action.proposal is not None and action.decided_at is None and action.status in WAITING


def past_deadline(action: models.EnforcementAction, now: datetime) -> bool:
    """A letter past ``mitigate_by`` or a notification or initial order past ``respond_by``."""
    _, due, _ = _deadline(action)
    return due is not None and as_utc(now) > as_utc(due)


def followed_by(steps: Iterable[models.EnforcementAction]) -> Followed:
    """``(step id, kind of a step that follows it)`` for every step that has a follower."""
    return {(s.follows_id, s.kind) for s in steps if s.follows_id is not None}


def next_step(action: models.EnforcementAction, now: datetime, followed: Followed) -> str:
    """What the step waits for, in a few words ("" when nothing)."""
    kind, status = action.kind, action.status
    if awaits_decision(action) and action.proposal is not None:  # it is, when awaited
        return f"decide (proposal: {action.proposal.replace('_', ' ')})"
    if kind in (records.LETTER, records.NOTIFICATION) and status in WAITING:
        if not past_deadline(action, now):
            return "the provider acts" if kind == records.LETTER else "the provider responds"
        return "the worker proposes, or decide now"
    if kind == records.LETTER and status == "noncompliant":
        return "blocking may be authorized"
    if needs_initial_order(action, followed):
        return "issue the initial order"
    if kind == records.INITIAL_ORDER and status in WAITING:
        if past_deadline(action, now):
            return "issue the final order"
        return "the provider may respond"
    return ""


def open_step(action: models.EnforcementAction, followed: Followed) -> bool:
    """Still on someone's desk: waiting, or a failed notification without its initial order."""
    if action.kind == records.FINAL_ORDER_KIND:
        return False
    if action.status in WAITING:
        return True
    return needs_initial_order(action, followed)


def needs_initial_order(action: models.EnforcementAction, followed: Followed) -> bool:
    """A notification decided noncompliant or no_response that no initial order follows yet."""
    return (
        action.kind == records.NOTIFICATION
        and action.status in FAILED
        and (action.id, records.INITIAL_ORDER) not in followed
    )


def by_urgency(
    steps: Sequence[models.EnforcementAction], now: datetime
) -> list[models.EnforcementAction]:
    """Proposals awaiting a decision first, then the earliest deadline, then newest first."""

    def key(action: models.EnforcementAction) -> tuple[int, float, int]:
        _, due, _ = _deadline(action)
        when = as_utc(due).timestamp() if due is not None else float("inf")
        return (0 if awaits_decision(action) else 1, when, -action.id)

    return sorted(steps, key=key)


def template_helpers() -> dict[str, Any]:
    """The functions templates show steps with: references, titles, clocks, what is next."""
    return {
        "letter_reference": service.letter_reference,
        "notice_reference": service.notice_reference,
        "reference_of": service.reference_of,
        "title_of": mandatory.title_of,
        "clock_of": clock_of,
        "next_step": next_step,
        "awaits_decision": awaits_decision,
    }
