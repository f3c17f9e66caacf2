"""The agents connected to this server worker, and the hints each one is owed.

Each connection is an asyncio queue on the worker's event loop — no thread per connection.
Hints come from one source per worker, started with the first connection and stopped with
the last: on PostgreSQL the ``LISTEN`` thread (:mod:`robotrace.notify.listen`), on SQLite
the announcements this process commits (:func:`robotrace.notify.agents.listen_locally`).
Either hands a hint over from another thread, so it is put on each queue with
``call_soon_threadsafe``.

A queue is bounded: an agent that does not read is not allowed to grow the server's memory.
When its queue is full the hint is dropped and the agent is told to catch up from the API
instead — it misses nothing, since the data always comes from there.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine

from robotrace.notify.agents import Announcement, listen_locally

#: Hints held for one connection before the rest are dropped (and a catch-up is owed).
QUEUE_SIZE = 100
#: How long a new connection waits for the worker's LISTEN to be in force.
READY_WITHIN_SECONDS = 5.0


class TooManyStreams(RuntimeError):
    """The provider holds as many event streams on this worker as it may."""


class HintsUnavailable(RuntimeError):
    """The worker cannot hear announcements now (the database is away)."""


@dataclass(eq=False)
class Subscription:
    """One agent's connection: its provider, its loop and its bounded queue."""

    provider: str
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[Announcement | None] = field(
        default_factory=lambda: asyncio.Queue(QUEUE_SIZE)
    )
    #: Hints dropped since the agent was last told to catch up.
    dropped: int = 0

    def offer(self, item: Announcement | None) -> None:
        """Queue a hint (None: "catch up"); runs on the subscription's own loop."""
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            self.dropped += 1

    def take_dropped(self) -> int:
        dropped, self.dropped = self.dropped, 0
        return dropped


class _Source:
    """Where hints come from, as the hub sees it: started, stopped, ready or not."""

    def __init__(
        self, engine: Engine, deliver: Callable[[Announcement], None], resync: Callable[[], None]
    ) -> None:
        if engine.dialect.name == "postgresql":
            from robotrace.notify.listen import PostgresListener

            self._listener: PostgresListener | None = PostgresListener(engine, deliver, resync)
            self._listener.start()
            self._stop_local: Callable[[], None] | None = None
        else:
            self._listener = None
            self._stop_local = listen_locally(engine, deliver)

    @property
    def ready(self) -> bool:
        return self._listener is None or self._listener.ready.is_set()

    def stop(self) -> None:
        if self._listener is not None:
            self._listener.stop()
        if self._stop_local is not None:
            self._stop_local()


class EventHub:
    """The subscriptions of one server worker, by provider."""

    def __init__(self, engine: Engine, per_provider: int) -> None:
        self.engine = engine
        self.per_provider = per_provider
        self._by_provider: dict[str, set[Subscription]] = {}
        self._lock = threading.Lock()
        self._source: _Source | None = None

    def count(self, provider: str | None = None) -> int:
        with self._lock:
            if provider is not None:
                return len(self._by_provider.get(provider, ()))
            return sum(len(subs) for subs in self._by_provider.values())

    async def subscribe(self, provider: str) -> Subscription:
        """A new subscription for ``provider``, once announcements are heard (so that
        what the agent reads from the API next cannot miss one made meanwhile)."""
        subscription = Subscription(provider, asyncio.get_running_loop())
        with self._lock:
            held = self._by_provider.setdefault(provider, set())
            if len(held) >= self.per_provider:
                raise TooManyStreams(f"provider {provider} holds {len(held)} event streams already")
            held.add(subscription)
            if self._source is None:
                self._source = _Source(self.engine, self.publish, self.publish_catch_up)
            source = self._source
        deadline = subscription.loop.time() + READY_WITHIN_SECONDS
        while not source.ready:
            if subscription.loop.time() > deadline:
                self.unsubscribe(subscription)
                raise HintsUnavailable("cannot listen for announcements now")
            await asyncio.sleep(0.01)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        """Forget a subscription (again is harmless); the last one stops the source."""
        with self._lock:
            held = self._by_provider.get(subscription.provider, set())
            held.discard(subscription)
            if not held:
                self._by_provider.pop(subscription.provider, None)
            if not self._by_provider and self._source is not None:
                self._source.stop()
                self._source = None

    def publish(self, item: Announcement) -> None:
        """Hand ``item`` to its provider's subscriptions (from any thread)."""
        with self._lock:
            targets = list(self._by_provider.get(item.provider, ()))
        self._offer(targets, item)

    def publish_catch_up(self) -> None:
        """Tell every subscription to catch up from the API (from any thread)."""
        with self._lock:
            targets = [s for subs in self._by_provider.values() for s in subs]
        self._offer(targets, None)

    def _offer(self, targets: list[Subscription], item: Announcement | None) -> None:
        for subscription in targets:
            try:
                subscription.loop.call_soon_threadsafe(subscription.offer, item)
            except RuntimeError:  # its loop is closed: the connection is gone
                self.unsubscribe(subscription)
