"""The complaint statistics of a period as the portal and its API show them: COVID-19 by
subject or by campaign tag, computed once per period and store state and kept for the next
reader (a page view after the first is a lookup)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

from sqlalchemy.orm import Session

from robotrace.evidence.analytics import complaint_files
from robotrace.stats.complaints import DEFAULT_TOP, ComplaintStats, Period, complaint_stats
from robotrace.stats.covid import covid_campaign_keys

#: Figures kept per (store state, period, campaigns).
CACHED = 16
_cache: OrderedDict[tuple[object, ...], ComplaintStats] = OrderedDict()
_lock = threading.Lock()


def period_statistics(
    db: Session, analytics_dir: Path, period: Period | None, top: int = DEFAULT_TOP
) -> ComplaintStats:
    """The complaint statistics of ``period`` (all stored complaints when None) in the
    analytics store at ``analytics_dir``, COVID-19 by subject or campaign tag."""
    keys = covid_campaign_keys(db)
    if period is None:
        return complaint_stats(analytics_dir, top=top, covid_keys=keys)
    files = tuple((f.name, f.stat().st_size) for f in complaint_files(analytics_dir))
    key = (str(analytics_dir), files, period, top, keys)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    figures = complaint_stats(analytics_dir, period.start, period.end, top, keys)
    with _lock:
        _cache[key] = figures
        while len(_cache) > CACHED:
            _cache.popitem(last=False)
    return figures
