"""The worker's enforcement step: decide the letters whose deadline (plus the grace period)
has passed. (The block list needs no step: it is published when an authorization is issued
or lifted, and whenever it is read, so an effective time in the future takes hold at once.)"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import Engine

from robotrace import settings
from robotrace.clock import Clock
from robotrace.enforcement import records, service
from robotrace.store.db import session_factory, transaction

log = logging.getLogger(__name__)
ACTOR = "policy:compliance"


def decide_due_letters(engine: Engine, clock: Clock) -> int:
    """Decide each undecided letter past ``mitigate_by + compliance_grace_hours``, one
    transaction each; how many were decided. A letter decided meanwhile is skipped."""
    grace = timedelta(hours=settings.get("compliance_grace_hours"))
    with session_factory(engine)() as session:
        ids = service.due_letter_ids(session, clock.now(), grace)
    return sum(decide_one(engine, letter_id, clock) for letter_id in ids)


def decide_one(engine: Engine, letter_id: int, clock: Clock) -> bool:
    with transaction(engine) as session:
        # Locked only while undecided: a second worker waits here, then finds it decided.
        if not records.lock_action(session, letter_id, status=service.ISSUED):
            return False
        letter = service.decide_letter(session, letter_id, ACTOR, clock)
    log.info("letter %s decided %s", letter_id, letter.status)
    return True
