"""The agent event stream (``GET /api/v1/events``): server-sent events telling a provider's
agent that a request for its provider exists, the moment it is committed.

Each event is a hint — ``event: hop`` with ``data: {"kind": "hop", "id": 17}`` — and the
agent reads the request itself from the API, so a stream carries nothing a provider could
not list anyway. Only provider users receive events, and only their own provider's; staff
have the traceback pages and get 403. The stream starts with ``event: ready`` once the
worker hears announcements: what the agent lists from the API after that misses nothing.
``event: catch-up`` means hints were lost (a full queue, a database reconnect): list again.
Comments (``: keep-alive``) every ``agent_events_keepalive_seconds`` keep proxies and NATs
from closing an idle stream and let the agent notice a dead one; the stream ends after
``agent_events_lifetime_seconds``, and the agent reconnects — its token checked again.
"""

from __future__ import annotations

import asyncio
import json
import threading
import weakref
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.responses import StreamingResponse

from robotrace.settings import Settings
from robotrace.store.models import UserRole
from robotrace.web.agent_events import EventHub, HintsUnavailable, Subscription, TooManyStreams
from robotrace.web.api.errors import responses
from robotrace.web.deps import get_settings, require_roles
from robotrace.web.principal import Principal

router = APIRouter(tags=["agent events (providers)"])
MEDIA_TYPE = "text/event-stream"
#: What an ``EventSource`` client waits before reconnecting (our agent has its own backoff).
RETRY_MS = 2000
_hub_lock = threading.Lock()

STREAM_RESPONSES: dict[int | str, dict[str, Any]] = {
    **responses(403),
    200: {
        "description": "a stream of server-sent events (never ends by itself before "
        "agent_events_lifetime_seconds)",
        # Each event, as an SSE client reads it (the WHATWG fields; ``data`` is JSON text).
        "content": {
            MEDIA_TYPE: {
                "schema": {
                    "type": "object",
                    "properties": {
                        "event": {"type": "string"},
                        "data": {"type": "string"},
                        "id": {"type": "string"},
                        "retry": {"type": "integer"},
                    },
                }
            }
        },
    },
    429: {
        "description": "your provider holds agent_events_per_provider streams on this "
        "server worker already: try again after Retry-After seconds",
    },
}


def hub_of(app: FastAPI, per_provider: int) -> EventHub:
    """The worker's hub, made with the first stream (``per_provider`` streams at most:
    ``agent_events_per_provider``)."""
    with _hub_lock:
        hub: EventHub | None = getattr(app.state, "agent_events", None)
        if hub is None:
            hub = app.state.agent_events = EventHub(app.state.engine, per_provider)
        return hub


@router.get(
    "/events", response_class=StreamingResponse, responses=STREAM_RESPONSES, status_code=200
)
async def agent_events(
    request: Request,
    principal: Principal = Depends(require_roles(UserRole.PROVIDER)),
    settings: Settings = Depends(get_settings),
) -> StreamingResponse:
    """Server-sent events for your provider's agent: ``ready`` once listening, then ``hop``,
    ``signer`` or ``batch`` with ``{"kind", "id"}`` as each request is made, ``catch-up``
    when hints were lost; ``: keep-alive`` comments while idle. Hints only: read the
    requests from their routes. A read-only token will do."""
    assert principal.provider_key is not None
    hub = hub_of(request.app, settings.agent_events_per_provider)
    try:
        subscription = await hub.subscribe(principal.provider_key)
    except TooManyStreams as exc:
        raise HTTPException(429, str(exc), {"Retry-After": "30"}) from None
    except HintsUnavailable as exc:
        raise HTTPException(503, str(exc), {"Retry-After": "5"}) from None
    stream = _events(
        hub,
        subscription,
        settings.agent_events_keepalive_seconds,
        settings.agent_events_lifetime_seconds,
    )
    # A client gone before the first byte leaves the stream unstarted: its finally never
    # runs, so the subscription is also dropped when the stream is collected.
    weakref.finalize(stream, hub.unsubscribe, subscription)
    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}  # no proxy buffering
    return StreamingResponse(stream, media_type=MEDIA_TYPE, headers=headers)


def frame(event: str, data: dict[str, Any]) -> str:
    """One server-sent event."""
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


async def _events(
    hub: EventHub, subscription: Subscription, keepalive: float, lifetime: float
) -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    ends = loop.time() + lifetime
    try:
        yield f"retry: {RETRY_MS}\n" + frame("ready", {"provider": subscription.provider})
        while (left := ends - loop.time()) > 0:
            try:
                item = await asyncio.wait_for(subscription.queue.get(), min(keepalive, left))
            except TimeoutError:
                yield ": keep-alive\n\n"
                continue
            if subscription.take_dropped() or item is None:
                yield frame("catch-up", {})
            if item is not None:
                yield frame(item.kind, {"kind": item.kind, "id": item.id})
    finally:
        hub.unsubscribe(subscription)
