"""The one clock of robotrace.

Every rule that needs "now" takes a :class:`Clock`, so deadlines can be tested and simulated.
All times are timezone-aware UTC ``datetime`` values.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Protocol, overload

from robotrace.settings import Settings


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


class ClockFileError(ValueError):
    """A clock file that is missing or does not hold a time; the message names the file."""


@dataclass(frozen=True)
class WorldTime:
    """What a clock file says: the world's clock read ``now`` when the real one read
    ``since``; from there it runs at the real pace."""

    now: datetime
    since: datetime

    def at(self, real: datetime) -> datetime:
        return as_utc(self.now) + (as_utc(real) - as_utc(self.since))


def read_clock_file(path: Path) -> WorldTime:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return WorldTime(parse_utc(data["now"]), parse_utc(data["since"]))
    except OSError as exc:
        raise ClockFileError(f"clock file {path}: {exc.strerror or exc}") from None
    except (ValueError, KeyError, TypeError, AttributeError):
        raise ClockFileError(
            f'clock file {path}: not {{"now": TIME, "since": TIME}} '
            "(robotrace clock set writes one)"
        ) from None


def write_clock_file(path: Path, now: datetime, real: Clock | None = None) -> WorldTime:
    """Set the clock that ``path`` keeps to ``now``, from this moment on; written whole
    (a new file renamed over the old one), so a reader never sees half of it."""
    world = WorldTime(as_utc(now), (real or SystemClock()).now())
    text = json.dumps({"now": format_utc(world.now), "since": format_utc(world.since)})
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".clock-", dir=path.parent)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text + "\n")
    os.replace(temporary, path)
    return world


class FileClock:
    """A world's clock that several processes share through a file (the ``clock_file``
    setting): the portal's workers and ``robotrace worker`` read the same time, which runs
    at the real pace from what the file says and jumps when the file is rewritten
    (``robotrace clock set`` / ``advance``) — the demo serves its simulated world on one.
    A file that becomes unreadable keeps the last time read running."""

    def __init__(self, path: Path, real: Clock | None = None) -> None:
        self.path = Path(path)
        self.real = real or SystemClock()
        self._stamp = self._stat()
        self._world = read_clock_file(self.path)  # a missing or bad file fails at the start

    def _stat(self) -> tuple[int, int, int] | None:
        try:
            found = self.path.stat()
        except OSError:
            return None
        return (found.st_ino, found.st_mtime_ns, found.st_size)

    def now(self) -> datetime:
        stamp = self._stat()
        if stamp is not None and stamp != self._stamp:
            try:
                self._world = read_clock_file(self.path)
                self._stamp = stamp
            except ClockFileError:
                pass  # caught between writes or broken: keep the time last read
        return self._world.at(self.real.now())


def clock_from_settings(settings: Settings) -> Clock:
    """The clock of ``robotrace serve`` and ``robotrace worker``: the real one, or the one
    the file of the ``clock_file`` setting keeps."""
    path = settings.clock_file
    return FileClock(Path(path)) if path else SystemClock()


SPAN_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_span(text: str) -> timedelta:
    """A span of time as ``90s``, ``15m``, ``2h``, ``1.5d`` (a bare number: seconds)."""
    value = text.strip().lower()
    unit = value[-1:] if value[-1:] in SPAN_UNITS else "s"
    number = value[:-1] if value[-1:] in SPAN_UNITS else value
    try:
        seconds = float(number) * SPAN_UNITS[unit]
        return timedelta(seconds=seconds)
    except (ValueError, OverflowError):
        raise ValueError(f"not a span of time like 90s, 15m, 2h or 1.5d: {text!r}") from None


def as_utc(when: datetime) -> datetime:
    """Return ``when`` as aware UTC; a naive value is taken to be UTC already."""
    if when.tzinfo is None:
        return when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def epoch_ms(when: datetime) -> int:
    """The whole milliseconds since the epoch of ``when`` (naive: UTC), exact: no float on the
    way, so a call record's millisecond is kept."""
    return (as_utc(when) - _EPOCH) // timedelta(milliseconds=1)


def from_epoch_ms(ms: int) -> datetime:
    """The aware UTC time ``ms`` milliseconds after the epoch, exact."""
    return _EPOCH + timedelta(milliseconds=ms)


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
