"""Kamailio's counts of blocked calls, read over its RPC and added to robotrace's counts.

The config increments ``$shtinc(rtcounts=>reason|authorization|order)`` for each call it
blocks (:func:`robotrace.blocking.kamailio.tables.count_key`). Those totals only grow while
Kamailio runs and start again at 0 when it restarts; :class:`KamailioCounter` reads them
(``htable.dump rtcounts``) and hands what grew since its last read to
:meth:`robotrace.blocking.counts.BlockCounts.add_count`, from where the reporter sends them to
the portal like the blocker's own. A Kamailio restart is told by its start time
(``core.uptime``'s ``up_since``): the totals read after it are new calls, all of them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from robotrace.blocking.counts import BlockCounts
from robotrace.blocking.kamailio import rpc
from robotrace.blocking.kamailio.tables import parse_count_key

log = logging.getLogger("robotrace.blocker")
COUNTS_TABLE = "rtcounts"


def started_at(socket: Path) -> str:
    """When the Kamailio behind ``socket`` started (``core.uptime``'s ``up_since``)."""
    uptime = rpc.call(socket, "core.uptime") or {}
    return str(uptime.get("up_since", ""))


@dataclass
class KamailioCounter:
    """Turns Kamailio's growing totals into added calls, read after read."""

    socket: Path
    counts: BlockCounts
    seen: dict[str, int] = field(default_factory=dict)  # key → the total at the last read
    started: str | None = None  # the Kamailio those totals belong to

    def collect(self) -> int:
        """Read Kamailio's counters once; the calls added to :attr:`counts`."""
        started = started_at(self.socket)
        totals = rpc.dump_htable(self.socket, COUNTS_TABLE)
        if started != self.started:
            self.seen, self.started = {}, started  # a new Kamailio counts from 0
        added = 0
        for key, value in totals.items():
            try:
                reason, authorization, order = parse_count_key(key)
                total = int(value)
                calls = total - self.seen.get(key, 0)
                self.counts.add_count(reason, authorization, order, max(calls, 0))
            except ValueError as exc:
                log.warning("ignoring Kamailio counter %r: %s", key, exc)
                continue
            self.seen[key] = total
            added += max(calls, 0)
        return added
