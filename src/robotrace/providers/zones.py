"""A provider's time zone: the local time its business hours are read in (robotrace.calendar).

In order: the zone an admin set (``providers.time_zone``); else the zone of the US state or
territory its business address ends with (``... Davenport OK 74026``, ``... Austin, Texas``),
that state's main zone (the zone of its capital, from the ``us`` package); else the
``business_zone`` setting. A foreign provider's address names no US state, so it gets the
setting unless an admin sets its zone.

A state with two zones (Texas, Florida, Indiana, …) gets its capital's: an admin sets the
zone of a provider in the other part.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Literal

#: A trailing ZIP code (or ZIP+4) and country, which come after the state in an address.
_ZIP = re.compile(r"[0-9]{5}(?:-[0-9]{4})?")
_COUNTRY_TAILS = (("united", "states", "of", "america"), ("united", "states"), ("usa",), ("us",))
_TOKEN = re.compile(r"[^\W\d_]+|[0-9]{5}(?:-[0-9]{4})?")
#: Longest state or territory name, in words ("District of Columbia").
_LONGEST_NAME = 4

ZoneSource = Literal["set", "address", "default"]


@dataclass(frozen=True)
class ProviderZone:
    """The zone a provider's business hours are read in, and where robotrace took it from:
    ``set`` by an admin, its business ``address``, or the ``default`` setting."""

    zone: str
    source: ZoneSource
    state: str | None = None


@cache
def _state_zones() -> tuple[dict[str, tuple[str, str]], dict[str, tuple[str, str]]]:
    """Postal abbreviation → (abbreviation, zone), and folded name → the same."""
    import us  # ~0.1 s to import: only when an address is read

    places = [
        (s.abbr, s.name, s.capital_tz) for s in us.states.STATES_AND_TERRITORIES if s.capital_tz
    ]
    by_abbr = {abbr: (abbr, zone) for abbr, _, zone in places}
    by_name = {name.casefold(): (abbr, zone) for abbr, name, zone in places}
    return by_abbr, by_name


def _tail_tokens(address: str) -> list[str]:
    """The address's words, without a trailing country and ZIP code."""
    tokens = _TOKEN.findall(address)
    for tail in _COUNTRY_TAILS:
        if tuple(t.casefold() for t in tokens[-len(tail) :]) == tail:
            tokens = tokens[: -len(tail)]
            break
    if tokens and _ZIP.fullmatch(tokens[-1]):
        tokens = tokens[:-1]
    return tokens


def state_of_address(address: str) -> tuple[str, str] | None:
    """The (postal abbreviation, main zone) of the US state or territory that ``address``
    ends with (before any ZIP code and country), or None. An abbreviation counts only in
    capitals (``OK``, ``D.C.``), so a word like "in" or "me" is never a state."""
    by_abbr, by_name = _state_zones()
    tokens = _tail_tokens(address)
    for n in range(min(_LONGEST_NAME, len(tokens)), 0, -1):
        found = by_name.get(" ".join(tokens[-n:]).casefold())
        if found is not None:
            return found
    if len(tokens) >= 2 and all(len(t) == 1 and t.isupper() for t in tokens[-2:]):
        return by_abbr.get(tokens[-2] + tokens[-1])  # "D.C.", "N.Y."
    if tokens and len(tokens[-1]) == 2 and tokens[-1].isupper():
        return by_abbr.get(tokens[-1])
    return None


def provider_zone(
    time_zone: str | None, business_address: str, foreign: bool, default: str
) -> ProviderZone:
    """The zone of a provider with these columns (see the module's docstring)."""
    if time_zone:
        return ProviderZone(time_zone, "set")
    found = None if foreign else state_of_address(business_address)
    if found is not None:
        return ProviderZone(found[1], "address", found[0])
    return ProviderZone(default, "default")
