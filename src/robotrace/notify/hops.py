"""What to tell whom about an open hop request: plain functions over data, no I/O.

For each open hop request (its traceback open, no answer yet):

- ``hop.requested`` at once, to the provider asked;
- ``hop.reminder`` once ``due_at - now <= reminder_hours`` (not when the whole answering time
  is shorter than that, and not once the hop is overdue), to the provider;
- ``hop.overdue`` once ``now > due_at``, to the provider and to the coordinators.

"The provider" is its ``contact_email``, the e-mail of every active user of that provider,
and its active webhooks; "the coordinators" are the active coordinator users and the group's
webhooks (those without a provider). Every message has a dedupe key
``{kind}:{hop_id}:{channel}:{target}``, so queueing is repeated freely and happens once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from robotrace.calendar import in_zone
from robotrace.clock import format_utc
from robotrace.store.values import CallUnderTrace

REQUESTED = "hop.requested"
REMINDER = "hop.reminder"
OVERDUE = "hop.overdue"
HOP_KINDS = (REQUESTED, REMINDER, OVERDUE)


@dataclass(frozen=True)
class OpenHop:
    hop_id: int
    traceback_id: str
    position: int
    provider_id: int
    provider_key: str
    provider_name: str
    call: CallUnderTrace
    requested_at: datetime
    due_at: datetime
    #: The provider's IANA zone (robotrace.providers.zones); "": none known, UTC only.
    time_zone: str = ""
    #: What the request says beyond the call, for the provider (robotrace.store.asked:
    #: campaign, excerpt, recording, other requests); empty when nothing is known.
    asked: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Audience:
    """Who hears about a hop: e-mail addresses and webhook ids."""

    emails: tuple[str, ...] = ()
    webhooks: tuple[int, ...] = ()


@dataclass(frozen=True)
class Message:
    channel: str
    target: str
    kind: str
    payload: dict[str, Any]
    dedupe_key: str


def kinds_due(hop: OpenHop, now: datetime, reminder_window: timedelta) -> list[str]:
    """The hop's notices that are due at ``now``, ``hop.requested`` first."""
    kinds = [REQUESTED]
    if now > hop.due_at:
        kinds.append(OVERDUE)
    elif hop.due_at - now <= reminder_window < hop.due_at - hop.requested_at:
        kinds.append(REMINDER)
    return kinds


def hop_payload(hop: OpenHop, link: str, audience: str) -> dict[str, Any]:
    """The request details a notice carries: what the provider needs to search its records
    and what the request is about. The coordinators' notices add the traceback and the
    hop's place in it; the provider's never do (docs/tenancy.md)."""
    where = {"traceback_id": hop.traceback_id, "position": hop.position}
    return {
        **(where if audience == "coordinator" else hop.asked),
        "hop_id": hop.hop_id,
        "provider": {"key": hop.provider_key, "name": hop.provider_name},
        "call": hop.call.as_json(),
        "requested_at": format_utc(hop.requested_at),
        "due_at": format_utc(hop.due_at),
        **local_due(hop.due_at, hop.time_zone),
        "link": link,
        "audience": audience,
    }


def local_due(due_at: datetime, zone: str) -> dict[str, str]:
    """``due_at_local`` (ISO 8601 with the zone's offset) and ``time_zone`` for a payload;
    nothing when the zone is not known."""
    if not zone:
        return {}
    return {"due_at_local": in_zone(due_at, zone).isoformat(), "time_zone": zone}


def provider_link(base_url: str, hop: OpenHop) -> str:
    return f"{base_url.rstrip('/')}/inbox/{hop.hop_id}"


def coordinator_link(base_url: str, hop: OpenHop) -> str:
    return f"{base_url.rstrip('/')}/tracebacks/{hop.traceback_id}"


def messages_to(
    audience: Audience, kind: str, hop_id: int, payload: dict[str, Any]
) -> list[Message]:
    targets = [("email", e) for e in audience.emails]
    targets += [("webhook", str(w)) for w in audience.webhooks]
    return [
        Message(channel, target, kind, payload, f"{kind}:{hop_id}:{channel}:{target}")
        for channel, target in targets
    ]


def hop_messages(
    hop: OpenHop,
    now: datetime,
    reminder_window: timedelta,
    provider: Audience,
    coordinators: Audience,
    base_url: str,
) -> list[Message]:
    """Every message due about ``hop`` at ``now`` (already-queued ones included)."""
    to_provider = hop_payload(hop, provider_link(base_url, hop), "provider")
    to_coordinators = hop_payload(hop, coordinator_link(base_url, hop), "coordinator")
    messages: list[Message] = []
    for kind in kinds_due(hop, now, reminder_window):
        messages += messages_to(provider, kind, hop.hop_id, to_provider)
        if kind == OVERDUE:
            messages += messages_to(coordinators, kind, hop.hop_id, to_coordinators)
    return messages


# --- The direct request to a call's signer (the STIR/SHAKEN signer shortcut) ---

SIGNER_REQUESTED = "signer.requested"


@dataclass(frozen=True)
class SignerAsk:
    """A direct request to the provider whose STIR/SHAKEN signature the call carried.

    ``request_id`` is what the provider's inbox and the API know it by (its traceback's
    first hop id); the traceback id only makes the dedupe key."""

    traceback_id: str
    request_id: int
    provider_key: str
    provider_name: str
    origid: str | None
    attest: str
    call: CallUnderTrace
    requested_at: datetime
    due_at: datetime
    time_zone: str = ""


def signer_payload(ask: SignerAsk, base_url: str) -> dict[str, Any]:
    """What the signer needs to find the call in its records: the origid it signed it with,
    the numbers and the time, and when the answer is due."""
    return {
        "request_id": ask.request_id,
        "provider": {"key": ask.provider_key, "name": ask.provider_name},
        "origid": ask.origid,
        "attest": ask.attest,
        "call": ask.call.as_json(),
        "requested_at": format_utc(ask.requested_at),
        "due_at": format_utc(ask.due_at),
        **local_due(ask.due_at, ask.time_zone),
        "link": f"{base_url.rstrip('/')}/inbox/signer/{ask.request_id}",
        "audience": "provider",
    }


def signer_messages(ask: SignerAsk, provider: Audience, base_url: str) -> list[Message]:
    """The ``signer.requested`` notice to each of the signer's addresses and webhooks."""
    payload = signer_payload(ask, base_url)
    targets = [("email", e) for e in provider.emails]
    targets += [("webhook", str(w)) for w in provider.webhooks]
    key = f"{SIGNER_REQUESTED}:{ask.traceback_id}"
    return [
        Message(channel, target, SIGNER_REQUESTED, payload, f"{key}:{channel}:{target}")
        for channel, target in targets
    ]
