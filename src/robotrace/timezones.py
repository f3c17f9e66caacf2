"""Time zone names and times of day as settings, files and forms write them, checked.

A leaf below the settings, which parse zones and business hours with it; the business
calendar (:mod:`robotrace.calendar`) reads the settings and uses it too.
"""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class ZoneError(ValueError):
    """A time zone name that is not an IANA zone; the message names it."""


def zone_info(name: str) -> ZoneInfo:
    """The IANA zone ``name`` (``America/Chicago``), or :class:`ZoneError` saying why not."""
    text = name.strip()
    if not text or len(text) > 64 or text != name:
        raise ZoneError(f"not a time zone: {name[:64]!r} (an IANA name, e.g. America/Chicago)")
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ZoneError(
            f"unknown time zone {text!r}: use an IANA name, e.g. America/Chicago"
        ) from None


def checked_zone(name: str) -> str:
    """``name`` when it is an IANA zone (see :func:`zone_info`)."""
    zone_info(name)
    return name


def parse_clock_time(text: str) -> time:
    """``HH:MM`` (24-hour) as a time of day; ValueError says what was wrong."""
    value = text.strip()
    hours, colon, minutes = value.partition(":")
    ok = colon and len(minutes) == 2 and 1 <= len(hours) <= 2
    ok = bool(ok) and (hours + minutes).isascii() and (hours + minutes).isdigit()
    if not ok or int(hours) > 23 or int(minutes) > 59:
        raise ValueError(f"not a time of day as HH:MM: {text[:20]!r}")
    return time(int(hours), int(minutes))
