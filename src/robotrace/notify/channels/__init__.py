"""One registry of notification channels; the built-ins register through it like any addition.

A channel is a folder with the same files: ``__init__.py`` registers it, ``render.py`` makes
the message from a notification's ``kind`` and ``payload``, ``send.py`` delivers one
notification row. Delivery has two halves so that no database transaction stays open during
network I/O: ``prepare(session, notification, settings)`` reads what it needs from the store
and renders; ``deliver(prepared, clock, settings)`` talks to the network only and raises
:class:`DeliveryError` when the message did not get through. Both are handed the worker's
:class:`~robotrace.settings.Settings` (server, sender, timeout); a channel reads no
environment.

The channels are a :class:`~robotrace.registry.Registry`, :data:`CHANNELS`: the built-ins are
named there by the ``Channel`` their folder's ``__init__.py`` holds. An addition (say, a chat
channel) is a module that calls :func:`register` on import and is imported before the worker
starts, or a line in :data:`CHANNELS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from robotrace.clock import Clock
from robotrace.registry import Registry, UnknownName
from robotrace.settings import Settings
from robotrace.store import models


class DeliveryError(Exception):
    """A message did not get through; ``permanent`` when retrying cannot help."""

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Channel:
    name: str
    prepare: Callable[[Session, models.Notification, Settings], Any]
    deliver: Callable[[Any, Clock, Settings], None]


#: The channels by name; those that ship with robotrace are imported when first used.
CHANNELS: Registry[Channel] = Registry(
    "notification channel",
    Channel,
    {
        "email": "robotrace.notify.channels.email:EMAIL",
        "webhook": "robotrace.notify.channels.webhook:WEBHOOK",
    },
)


def register(channel: Channel) -> Channel:
    """Add ``channel`` under its name (once)."""
    CHANNELS.register(channel.name, channel)
    return channel


def channel(name: str) -> Channel:
    """The channel registered as ``name``; :class:`DeliveryError` (permanent) when none is."""
    try:
        return CHANNELS[name]
    except UnknownName:
        raise DeliveryError(f"no notification channel {name!r}", permanent=True) from None
