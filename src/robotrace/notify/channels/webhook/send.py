"""Deliver one webhook notification: POST the signed JSON body to the webhook's URL."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from sqlalchemy.orm import Session

from robotrace import __version__
from robotrace.clock import Clock, format_utc
from robotrace.notify.channels import DeliveryError
from robotrace.notify.channels.webhook.render import render
from robotrace.notify.channels.webhook.signature import sign
from robotrace.settings import Settings
from robotrace.store import models


@dataclass(frozen=True)
class Outgoing:
    notification_id: int
    kind: str
    url: str
    secret: str
    body: bytes


def prepare(session: Session, notification: models.Notification, settings: Settings) -> Outgoing:
    """Look the webhook up now, so a changed URL or secret, or a deactivation, applies
    (``settings``: the channel protocol's; a webhook's body needs none of them)."""
    webhook = session.get(models.Webhook, int(notification.target))
    if webhook is None or not webhook.active:
        raise DeliveryError(f"webhook {notification.target} is gone or inactive", permanent=True)
    body = render(
        notification.id,
        notification.kind,
        notification.payload,
        format_utc(notification.created_at),
    )
    return Outgoing(notification.id, notification.kind, webhook.url, webhook.secret, body)


def headers(outgoing: Outgoing, timestamp: int) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": f"robotrace/{__version__}",
        "X-Robotrace-Event": outgoing.kind,
        # The same id on every retry: receivers drop a delivery they have seen.
        "X-Robotrace-Delivery": str(outgoing.notification_id),
        "X-Robotrace-Timestamp": str(timestamp),
        "X-Robotrace-Signature": sign(outgoing.secret, timestamp, outgoing.body),
    }


def deliver(outgoing: Outgoing, clock: Clock, settings: Settings) -> None:
    timestamp = int(clock.now().timestamp())
    try:
        response = httpx.post(
            outgoing.url,
            content=outgoing.body,
            headers=headers(outgoing, timestamp),
            timeout=settings.notify_timeout_seconds,
            follow_redirects=False,
        )
    except httpx.HTTPError as exc:
        raise DeliveryError(f"POST {outgoing.url}: {type(exc).__name__}: {exc}") from None
    if not response.is_success:
        raise DeliveryError(f"POST {outgoing.url}: HTTP {response.status_code}")
