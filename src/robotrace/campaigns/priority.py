"""Traceback priority: which campaign to trace first.

``priority = log10(1 + calls) × tag weight × (0.2 + 0.8 × 0.5^(days since last call / 7))
/ (1 + tracebacks already opened)``

- **volume**: logarithmic, so a campaign ten times bigger counts one step more, not ten times;
- **tags**: the weight of the campaign's weightiest tag (:mod:`robotrace.campaigns.tags`:
  COVID-19 and government impersonation 3, untagged 1);
- **recency**: halves every week since the campaign's last call, but never falls below a
  fifth — an old campaign that was never traced still deserves a look;
- **already traced**: each traceback opened for the campaign divides the rest, so the next
  traceback goes to a campaign nobody has looked at yet.

Higher first; rounded to four decimals so that equal inputs give equal, readable figures.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

from robotrace.campaigns.tags import tag_weight

HALF_LIFE_DAYS = 7.0
RECENCY_FLOOR = 0.2


def recency(last_seen: datetime | None, now: datetime) -> float:
    """1 for a call right now, halving every :data:`HALF_LIFE_DAYS` (0 when never seen)."""
    if last_seen is None:
        return 0.0
    age_days = max((now - last_seen).total_seconds() / 86_400, 0.0)
    return float(0.5 ** (age_days / HALF_LIFE_DAYS))


def traceback_priority(
    calls: int,
    last_seen: datetime | None,
    now: datetime,
    tags: Sequence[str],
    tracebacks: int = 0,
) -> float:
    """The priority of a campaign (see the module docstring for the formula)."""
    volume = math.log10(1 + max(calls, 0))
    fresh = RECENCY_FLOOR + (1 - RECENCY_FLOOR) * recency(last_seen, now)
    return round(volume * tag_weight(tags) * fresh / (1 + max(tracebacks, 0)), 4)
