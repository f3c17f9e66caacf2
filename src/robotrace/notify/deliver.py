"""Deliver due notifications: claim each row atomically, send it, record the result.

Several workers may run this at once over the same outbox; a row is sent by the one worker
whose claim succeeded (:func:`robotrace.notify.outbox.claim`). No database transaction stays
open while a channel talks to the network. The worker's settings say how long a claim holds,
how delivery is retried, and what the channels need to send.
"""

from __future__ import annotations

import logging
from collections import Counter

from sqlalchemy import Engine

from robotrace.clock import Clock
from robotrace.notify import outbox
from robotrace.notify.channels import DeliveryError, channel
from robotrace.notify.outbox import RetryPolicy
from robotrace.settings import Settings
from robotrace.store import models
from robotrace.store.db import session_factory

log = logging.getLogger(__name__)
BATCH = 100


def deliver_due(engine: Engine, clock: Clock, worker_id: str, settings: Settings) -> Counter[str]:
    """Deliver what is due now; counts by result: ``sent``, ``pending`` (retried later),
    ``failed``, and ``lost`` (sent, but the claim had expired meanwhile)."""
    with session_factory(engine)() as session:
        due = outbox.due(session, clock.now(), BATCH)
    results: Counter[str] = Counter()
    for notification_id, crashed in due:
        claimed = outbox.claim(
            engine, notification_id, worker_id, clock.now(), settings.notify_claim_seconds
        )
        if claimed:
            if crashed:
                # Sent again with the same Message-ID / X-Robotrace-Delivery (see outbox).
                log.warning(
                    "notification %s: %s stopped while sending it; sending it again",
                    notification_id,
                    crashed,
                )
            results[deliver_one(engine, notification_id, worker_id, clock, settings)] += 1
    return results


def deliver_one(
    engine: Engine, notification_id: int, worker_id: str, clock: Clock, settings: Settings
) -> str:
    """Send one claimed notification; its new status."""
    policy = RetryPolicy.from_settings(settings)
    try:
        _send(engine, notification_id, clock, settings)
    except DeliveryError as exc:
        return _failed(engine, notification_id, worker_id, clock, policy, str(exc), exc.permanent)
    except Exception as exc:  # a bug in a channel must not stop the worker; retry, then fail
        log.exception("notification %s: unexpected error", notification_id)
        return _failed(engine, notification_id, worker_id, clock, policy, repr(exc), False)
    if not outbox.mark_sent(engine, notification_id, worker_id, clock.now()):
        log.warning("notification %s was sent after its claim expired", notification_id)
        return "lost"
    return "sent"


def _send(engine: Engine, notification_id: int, clock: Clock, settings: Settings) -> None:
    with session_factory(engine)() as session:
        notification = session.get(models.Notification, notification_id)
        assert notification is not None, "claimed rows are never deleted"
        chosen = channel(notification.channel)
        prepared = chosen.prepare(session, notification, settings)
    chosen.deliver(prepared, clock, settings)


def _failed(
    engine: Engine,
    notification_id: int,
    worker_id: str,
    clock: Clock,
    policy: RetryPolicy,
    error: str,
    permanent: bool,
) -> str:
    status = outbox.record_failure(
        engine, notification_id, worker_id, error, clock.now(), policy, permanent
    )
    log.warning("notification %s not delivered (%s): %s", notification_id, status, error)
    return status
