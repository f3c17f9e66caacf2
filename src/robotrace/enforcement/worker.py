"""The worker's enforcement step: at each letter's and notification's deadline (plus the grace
period), propose complied, noncompliant or no_response — and, with
``enforcement_decisions = automatic``, decide it too. (The block list needs no step: it is
published when an authorization or order is issued or lifted, and whenever it is read, so an
effective time in the future takes hold at once.)"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from robotrace.clock import Clock
from robotrace.enforcement import records, service
from robotrace.settings import Settings
from robotrace.store import models
from robotrace.store.db import session_factory, transaction

log = logging.getLogger(__name__)
ACTOR = "policy:compliance"


def decide_due_letters(
    engine: Engine, clock: Clock, settings: Settings, automatic: bool | None = None
) -> int:
    """Propose (or decide, in automatic mode) each letter and notification past its deadline
    + ``compliance_grace_hours``, one transaction each; how many. One handled meanwhile by
    another worker is skipped. ``automatic`` None: the ``enforcement_decisions`` setting."""
    if automatic is None:
        automatic = settings.enforcement_decisions == "automatic"
    grace = timedelta(hours=settings.compliance_grace_hours)
    with session_factory(engine)() as session:
        ids = service.due_for_proposal(session, clock.now(), grace)
    zone = settings.display_zone
    return sum(decide_one(engine, action_id, clock, zone, automatic) for action_id in ids)


def decide_one(engine: Engine, action_id: int, clock: Clock, zone: str, automatic: bool) -> bool:
    with transaction(engine) as session:
        # Locked only while it has no proposal: a second worker waits, then finds one.
        if not _lock_unproposed(session, action_id):
            return False
        if automatic:
            action = service.decide(session, action_id, ACTOR, clock, zone)
        else:
            action = service.propose(session, action_id, ACTOR, clock, zone)
    log.info("%s %s %s", action.kind, action_id, action.status if automatic else action.proposal)
    return True


def _lock_unproposed(session: Session, action_id: int) -> bool:
    if not records.lock_action(session, action_id):
        return False
    row = session.get(models.EnforcementAction, action_id)
    if row is None:
        return False
    session.refresh(row)
    return row.proposal is None
