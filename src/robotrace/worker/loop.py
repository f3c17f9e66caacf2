"""The worker's loop: each pass queues due notices, applies the no-response policy and
delivers due notifications. :func:`run_once` is one pass; tests call it directly.

When the database goes away the loop says so once (one line, no stack trace), keeps trying
with back-off — the interval doubled after each failed pass, up to :data:`MAX_BACKOFF_SECONDS`
— and says when it is back; what was queued meanwhile is delivered by the next good pass."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine

from robotrace.accounts.throttle import forget_old_attempts
from robotrace.bulk.deadlines import expire_batches
from robotrace.clock import Clock
from robotrace.enforcement.worker import decide_due_letters
from robotrace.notify.deliver import deliver_due
from robotrace.notify.queue import queue_hop_notifications
from robotrace.settings import Settings
from robotrace.store.db import is_unavailable, transaction
from robotrace.worker.policy import mark_silent_hops

log = logging.getLogger(__name__)

#: The longest wait between passes while the database is unavailable.
MAX_BACKOFF_SECONDS = 60.0


@dataclass(frozen=True)
class PassCounts:
    queued: int = 0
    marked_no_response: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    letters_decided: int = 0
    attempts_forgotten: int = 0
    batches_expired: int = 0

    def __str__(self) -> str:
        return " ".join(f"{name}={value}" for name, value in vars(self).items())


def _grace(settings: Settings) -> timedelta | None:
    hours = settings.no_response_grace_hours
    return None if hours is None else timedelta(hours=hours)


def run_once(engine: Engine, clock: Clock, worker_id: str, settings: Settings) -> PassCounts:
    """One pass, by the worker's ``settings``. Notices are queued before the policy runs, so
    the overdue notice of a hop goes out even when the grace period is zero. Letters past
    their deadline are decided before delivery."""
    queued = queue_hop_notifications(engine, clock, settings)
    marked = mark_silent_hops(engine, clock, _grace(settings))
    decided = decide_due_letters(engine, clock, settings)
    results = deliver_due(engine, clock, worker_id, settings)
    with transaction(engine) as session:
        forgotten = forget_old_attempts(session, clock)
    # Federated bulk tracing's answer windows; results go to the analytics store.
    expired = expire_batches(engine, clock, Path(settings.analytics_dir))
    return PassCounts(
        queued,
        marked,
        results["sent"] + results["lost"],
        results["pending"],
        results["failed"],
        decided,
        forgotten,
        expired,
    )


def run_forever(
    engine: Engine,
    clock: Clock,
    worker_id: str,
    interval: float,
    report: Callable[[PassCounts], None],
    settings: Settings,
) -> None:
    """Pass after pass, ``interval`` seconds apart; a failed pass is logged, not fatal."""
    outage = Outage(interval)
    while True:
        delay = interval
        try:
            counts = run_once(engine, clock, worker_id, settings)
        except Exception as error:
            if is_unavailable(error):
                delay = outage.failed(error)
            else:
                log.exception("worker pass failed; trying again in %s s", interval)
        else:
            outage.ended()
            report(counts)
        time.sleep(delay)


@dataclass
class Outage:
    """The database's absence as the loop sees it: failed passes since it went away."""

    interval: float
    failures: int = 0
    since: float = 0.0

    def failed(self, error: BaseException) -> float:
        """Count a failed pass (the first one is logged); the seconds to wait until the next."""
        if self.failures == 0:
            self.since = time.monotonic()
            cause = str(getattr(error, "orig", None) or error).splitlines()[0]
            log.error("database unavailable (%s); retrying with back-off, quietly", cause)
        self.failures += 1
        longest = max(self.interval, MAX_BACKOFF_SECONDS)
        # The doubling stops once it passes the longest wait: after ~1,024 failures (hours of
        # outage) 2 ** failures no longer converts to a float, and the loop would crash.
        doubled: int = 2 ** min(self.failures - 1, 64)
        return min(self.interval * doubled, longest)

    def ended(self) -> None:
        """A pass got through: log the end of the outage, if there was one."""
        if self.failures:
            seconds = time.monotonic() - self.since
            log.info(
                "database reachable again after %d failed passes (%.1f s)", self.failures, seconds
            )
            self.failures = 0
