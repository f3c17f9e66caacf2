"""Named tables of parts that load when first asked for: one way to register a part.

The CLI's commands, the portal's routers, the notification channels, the evidence formats
and the CDR formats are each a :class:`Registry`. The built-in parts are listed in their
table as ``"module:attribute"`` strings, so that naming them (``robotrace --help``, a
``--format`` choice) imports nothing; the module is imported the first time the part itself
is asked for, and what it holds is checked to be of the registry's type. An addition
registers the same way, with an import string or the object itself.

An example, the notification channels (robotrace.notify.channels)::

    CHANNELS = Registry("notification channel", Channel, {
        "email": "robotrace.notify.channels.email:EMAIL",
        "webhook": "robotrace.notify.channels.webhook:WEBHOOK",
    })
    CHANNELS["email"]  # imports robotrace.notify.channels.email, checks it is a Channel
    CHANNELS["fax"]    # UnknownName: unknown notification channel 'fax' (known: email, webhook)
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from typing import Generic, TypeVar

T = TypeVar("T")


class UnknownName(ValueError):
    """A registry was asked for a name it does not have; the message lists those it has."""


class Registry(Generic[T]):
    """Parts of type ``kind`` by name, in the order they were registered.

    ``noun`` says what a part is in messages ("evidence format"). An entry is either the
    part itself or the ``"module:attribute"`` that holds it (so ``kind`` is never ``str``).
    """

    def __init__(self, noun: str, kind: type[T], entries: Mapping[str, str] | None = None):
        self.noun = noun
        self.kind = kind
        self._entries: dict[str, T | str] = {}
        for name, target in (entries or {}).items():
            self.register(name, target)

    def register(self, name: str, entry: T | str) -> None:
        """Add ``entry`` as ``name``; a name can be registered once."""
        if name in self._entries:
            raise ValueError(f"{self.noun} {name!r} is registered already")
        if isinstance(entry, str) and ":" not in entry:
            raise ValueError(f"{self.noun} {name!r}: {entry!r} is not 'module:attribute'")
        self._entries[name] = entry

    def names(self) -> list[str]:
        """Every registered name, in order, without importing anything."""
        return list(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self._entries)

    def __getitem__(self, name: str) -> T:
        """The part registered as ``name``, imported now if it is not yet;
        :class:`UnknownName` when there is none."""
        try:
            entry = self._entries[name]
        except KeyError:
            known = ", ".join(self._entries)
            raise UnknownName(f"unknown {self.noun} {name!r} (known: {known})") from None
        if isinstance(entry, str):
            entry = self._entries[name] = self._load(entry)
        return entry

    def get(self, name: str) -> T | None:
        """The part registered as ``name`` (imported now if it is not yet), or ``None``."""
        return self[name] if name in self._entries else None

    def items(self) -> list[tuple[str, T]]:
        """Every part with its name, in order (importing those not imported yet)."""
        return [(name, self[name]) for name in self._entries]

    def values(self) -> list[T]:
        """Every part, in order (importing those not imported yet)."""
        return [self[name] for name in self._entries]

    def _load(self, target: str) -> T:
        module_name, attribute = target.split(":")
        part = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(part, self.kind):
            raise TypeError(f"{target} is not a {self.kind.__name__} ({self.noun})")
        return part
