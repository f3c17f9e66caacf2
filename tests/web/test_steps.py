"""How the pages show a step of either ladder (robotrace.web.pages.steps): its clock, whether a
proposal waits for a person, what comes next — pure functions, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from robotrace.store import models
from robotrace.store.models import EnforcementKind
from robotrace.web.pages import steps

T0 = datetime(2020, 5, 1, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def step(
    kind: EnforcementKind, status: str = "issued", id: int = 1, **fields
) -> models.EnforcementAction:
    return models.EnforcementAction(id=id, kind=kind, status=status, issued_at=T0, **fields)


def letter(**fields) -> models.EnforcementAction:
    return step(EnforcementKind.WARNING_LETTER, mitigate_by=T0 + 48 * HOUR, **fields)


def test_a_letter_counts_down_to_its_deadline_then_is_overdue_while_undecided():
    before = steps.clock_of(letter(), T0 + 10 * HOUR + timedelta(minutes=30))
    assert before is not None
    assert (before.label, before.text, before.overdue) == ("mitigate by", "1 d 13 h left", False)
    after = steps.clock_of(letter(), T0 + 50 * HOUR + timedelta(minutes=5))
    assert after is not None and (after.text, after.overdue) == ("overdue by 2 h 5 min", True)


def test_a_decided_or_referred_step_shows_its_date_alone():
    decided = steps.clock_of(letter(status="noncompliant"), T0 + 50 * HOUR)
    assert decided is not None and (decided.due, decided.text) == (T0 + 48 * HOUR, "")
    referred = step(EnforcementKind.NOTIFICATION, "referred", respond_by=T0 + 14 * 24 * HOUR)
    shown = steps.clock_of(referred, T0)
    assert shown is not None and shown.text == ""


def test_a_notification_answered_blocked_is_not_overdue_but_passed():
    responded = step(EnforcementKind.NOTIFICATION, "responded", respond_by=T0)
    shown = steps.clock_of(responded, T0 + 3 * HOUR)
    assert shown is not None and (shown.text, shown.overdue) == ("passed 3 h 0 min ago", False)


def test_a_final_order_counts_down_to_blocking_then_stands():
    order = step(EnforcementKind.FINAL_ORDER, "in_force", effective_at=T0 + 30 * 24 * HOUR)
    before = steps.clock_of(order, T0)
    assert before is not None
    assert (before.label, before.text) == ("blocking required from", "30 d 0 h left")
    after = steps.clock_of(order, T0 + 31 * 24 * HOUR)
    assert after is not None and after.text == "in force for 1 d 0 h"


def test_proposals_awaiting_a_decision_come_first_then_the_earliest_deadline_then_newest():
    late = letter(id=1)
    early = step(EnforcementKind.WARNING_LETTER, id=2, mitigate_by=T0 + HOUR)
    proposed = letter(id=3, proposal="noncompliant")
    decided = letter(id=4, proposal="complied", status="complied", decided_at=T0)
    order = steps.by_urgency([late, early, proposed, decided], T0)
    assert [s.id for s in order] == [3, 2, 4, 1]  # 4 and 1: the same deadline
    assert steps.awaits_decision(proposed) and not steps.awaits_decision(decided)


def test_what_comes_next_on_the_mandatory_ladder():
    notification = step(
        EnforcementKind.NOTIFICATION, "no_response", id=7, respond_by=T0, decided_at=T0
    )
    assert steps.next_step(notification, T0, set()) == "issue the initial order"
    followed = {(7, EnforcementKind.INITIAL_ORDER)}
    assert steps.next_step(notification, T0, followed) == ""
    assert not steps.open_step(notification, followed)
    initial = step(EnforcementKind.INITIAL_ORDER, id=8, respond_by=T0 + HOUR)
    assert steps.next_step(initial, T0, followed) == "the provider may respond"
    assert steps.next_step(initial, T0 + 2 * HOUR, followed) == "issue the final order"
