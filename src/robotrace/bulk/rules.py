"""How a bulk call moves on: plain functions over one call and one answer.

A call is at ``hop`` (0 = its terminating provider) with the providers asked so far on its
``path`` (origin last; the current provider included). An answer moves it on to its upstream
or ends it — with the statuses of ``robotrace paths`` (``robotrace.paths.assemble``), so
that the two give the same path for every call:

- ``origin``: the provider's own customer placed the call;
- ``no_match``: the provider looked and has no leg within the tolerance (``not_found``);
- ``unmapped``: the leg came in on a trunk the provider's trunk map does not map;
- ``loop``: the upstream named is already on the path;
- ``hop_limit``: an upstream named at the last hop allowed (``max_hops`` legs found);
- ``no_records``: no answer — the provider has no agent, or let the answer window pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from robotrace.clock import epoch_ms, from_epoch_ms

#: What a provider may answer for one call of a batch.
ANSWERS = ("upstream", "origin", "not_found", "unmapped")
#: How a call ends (the ``status`` of ``robotrace paths``).
ENDS = ("origin", "no_records", "no_match", "unmapped", "loop", "hop_limit")
PATH_SEPARATOR = "|"


@dataclass(frozen=True)
class Position:
    """Where a call stands: the provider asked at ``hop``, and the path so far."""

    hop: int
    provider: str
    path: tuple[str, ...]


@dataclass(frozen=True)
class HopAnswer:
    answer: str  # one of ANSWERS
    upstream: str | None = None


@dataclass(frozen=True)
class Step:
    """What happens next: ``end`` set → the call ends at ``at``; else it is asked of
    ``at.provider`` at ``at.hop``."""

    at: Position
    end: str | None = None


def next_step(position: Position, answer: HopAnswer | None, max_hops: int) -> Step:
    """Where ``answer`` (None: none came) takes a call at ``position``."""
    if answer is None:
        return Step(position, "no_records")
    if answer.answer == "not_found":
        return Step(position, "no_match")
    if answer.answer in ("origin", "unmapped"):
        return Step(position, answer.answer)
    upstream = answer.upstream or ""
    if upstream in position.path:
        return Step(position, "loop")
    if position.hop + 1 >= max_hops:
        return Step(position, "hop_limit")
    onward = Position(position.hop + 1, upstream, (*position.path, upstream))
    return Step(onward)


def path_text(path: tuple[str, ...]) -> str:
    """The path as stored and as ``robotrace paths`` keeps it while tracing: ``|A|B|``."""
    return PATH_SEPARATOR + PATH_SEPARATOR.join(path) + PATH_SEPARATOR


def path_of(text: str) -> tuple[str, ...]:
    return tuple(p for p in text.split(PATH_SEPARATOR) if p)


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*$", re.IGNORECASE)
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400}
#: The longest answer window a submission may ask for.
LONGEST_WINDOW_S = 7 * 86400


def duration_seconds(text: str | float) -> int:
    """``90``, ``90s``, ``15m``, ``2h`` or ``1d`` in whole seconds (at least 1, at most 7
    days); ValueError naming the value otherwise."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        seconds = float(text)
    else:
        match = _DURATION.match(str(text))
        if match is None:
            raise ValueError(f"not a duration: {text!r} (say 90s, 15m, 2h or 1d)")
        seconds = float(match.group(1)) * _UNIT[(match.group(2) or "s").lower()]
    if not 1 <= seconds <= LONGEST_WINDOW_S:
        raise ValueError(f"answer window {text!r} is out of range: 1 s to 7 days")
    return round(seconds)


def time_text(t_ms: int) -> str:
    """A call's time as a batch request gives it: ISO 8601 UTC to the millisecond, exact."""
    return from_epoch_ms(t_ms).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t_ms % 1000:03d}Z"


def time_ms(text: str) -> int:
    """The milliseconds since the epoch of :func:`time_text`'s (or any ISO 8601) time."""
    return epoch_ms(datetime.fromisoformat(text.strip()))
