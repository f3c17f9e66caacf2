"""The worker's loop: each pass queues due notices, applies the no-response policy and
delivers due notifications. :func:`run_once` is one pass; tests call it directly."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine

from robotrace import settings
from robotrace.clock import Clock
from robotrace.enforcement.worker import decide_due_letters
from robotrace.notify.deliver import deliver_due
from robotrace.notify.outbox import RetryPolicy
from robotrace.notify.queue import queue_hop_notifications
from robotrace.worker.policy import mark_silent_hops

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PassCounts:
    queued: int = 0
    marked_no_response: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    letters_decided: int = 0

    def __str__(self) -> str:
        return " ".join(f"{name}={value}" for name, value in vars(self).items())


def _grace() -> timedelta | None:
    hours = settings.get("no_response_grace_hours")
    return None if hours is None else timedelta(hours=hours)


def run_once(engine: Engine, clock: Clock, worker_id: str) -> PassCounts:
    """One pass. Notices are queued before the policy runs, so the overdue notice of a hop
    goes out even when the grace period is zero. Letters past their deadline are decided
    before delivery."""
    queued = queue_hop_notifications(engine, clock)
    marked = mark_silent_hops(engine, clock, _grace())
    decided = decide_due_letters(engine, clock)
    results = deliver_due(engine, clock, worker_id, RetryPolicy.from_settings())
    return PassCounts(
        queued,
        marked,
        results["sent"] + results["lost"],
        results["pending"],
        results["failed"],
        decided,
    )


def run_forever(
    engine: Engine,
    clock: Clock,
    worker_id: str,
    interval: float,
    report: Callable[[PassCounts], None] = lambda counts: None,
) -> None:
    """Pass after pass, ``interval`` seconds apart; a failed pass is logged, not fatal."""
    while True:
        try:
            report(run_once(engine, clock, worker_id))
        except Exception:
            log.exception("worker pass failed; trying again in %s s", interval)
        time.sleep(interval)
