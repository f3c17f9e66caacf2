"""The one clock of robotrace.

Every rule that needs "now" takes a :class:`Clock`, so deadlines can be tested and simulated.
All times are timezone-aware UTC ``datetime`` values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Protocol, overload


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """Wall-clock time in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class SimulatedClock:
    """A clock that only moves when told to: for tests, the demo and the simulator."""

    current: datetime = field(default_factory=lambda: datetime(2020, 5, 1, tzinfo=UTC))

    def __post_init__(self) -> None:
        self.current = as_utc(self.current)

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> datetime:
        self.current = self.current + delta
        return self.current

    def set(self, when: datetime) -> None:
        self.current = as_utc(when)


def as_utc(when: datetime) -> datetime:
    """Return ``when`` as aware UTC; a naive value is taken to be UTC already."""
    if when.tzinfo is None:
        return when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


@overload
def day_start(day: date) -> datetime: ...


@overload
def day_start(day: None) -> None: ...


def day_start(day: date | None) -> datetime | None:
    """Midnight UTC at the start of ``day`` (None for None)."""
    return None if day is None else datetime.combine(day, datetime.min.time(), UTC)


def parse_utc(text: str) -> datetime:
    """Parse ISO-8601 (``Z`` or offset, or naive meaning UTC) or integer epoch seconds."""
    text = text.strip()
    if not text:
        raise ValueError("empty time")
    number = text.lstrip("-").replace(".", "", 1)
    if number.isascii() and number.isdigit():
        try:
            return datetime.fromtimestamp(float(text), UTC)
        except (OverflowError, OSError, ValueError):
            raise ValueError(f"epoch seconds out of range: {text!r}") from None
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        return as_utc(datetime.fromisoformat(text))
    except ValueError:
        raise ValueError(f"not an ISO-8601 time or epoch seconds: {text!r}") from None


def format_utc(when: datetime) -> str:
    """ISO-8601 with a ``Z`` suffix, seconds precision unless there are fractions."""
    text = as_utc(when).isoformat()
    return text.replace("+00:00", "Z")
