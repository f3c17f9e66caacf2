"""One registry of notification channels; the built-ins register through it like any addition.

A channel is a folder with the same files: ``__init__.py`` registers it, ``render.py`` makes
the message from a notification's ``kind`` and ``payload``, ``send.py`` delivers one
notification row. Delivery has two halves so that no database transaction stays open during
network I/O: ``prepare(session, notification)`` reads what it needs from the store and
renders; ``deliver(prepared, clock)`` talks to the network only and raises
:class:`DeliveryError` when the message did not get through.

An addition (say, a chat channel) is a module that calls :func:`register` on import and is
named in :data:`BUILTIN` or imported before the worker starts.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from robotrace.clock import Clock
from robotrace.store import models

#: The channels that ship with robotrace, imported (and so registered) by :func:`channel`.
BUILTIN = ("robotrace.notify.channels.email", "robotrace.notify.channels.webhook")


class DeliveryError(Exception):
    """A message did not get through; ``permanent`` when retrying cannot help."""

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Channel:
    name: str
    prepare: Callable[[Session, models.Notification], Any]
    deliver: Callable[[Any, Clock], None]


_CHANNELS: dict[str, Channel] = {}


def register(channel: Channel) -> Channel:
    _CHANNELS[channel.name] = channel
    return channel


def _load_builtin() -> None:
    for module in BUILTIN:
        importlib.import_module(module)


def channel(name: str) -> Channel:
    """The channel registered as ``name``; :class:`DeliveryError` (permanent) when none is."""
    _load_builtin()
    try:
        return _CHANNELS[name]
    except KeyError:
        raise DeliveryError(f"no notification channel {name!r}", permanent=True) from None


def channel_names() -> list[str]:
    _load_builtin()
    return sorted(_CHANNELS)
