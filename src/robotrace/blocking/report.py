"""Sending the blocker's counts of blocked calls to the portal, one period at a time.

Every ``interval`` seconds the reporter cuts a period — from the end of the last one the
portal acknowledged to now — with what the :class:`~robotrace.blocking.counts.BlockCounts`
added in it, and POSTs it to ``/api/v1/blocking-counts`` with the blocking provider's
read-write token::

    {"blocker": "sbc-east-1", "period_start": "…Z", "period_end": "…Z",
     "rows": [{"reason": "provider_blocked", "authorization_id": 7, "order_id": null,
               "calls": 120}]}

A period is sent again, unchanged, until the portal takes it (201, or 200 when it already has
exactly that period): an answer lost on the way makes the blocker send the same period again,
and the portal does not count it twice. Calls blocked meanwhile go into the next period. A
409 (the portal holds an overlapping, different period of this blocker) drops the period:
sending it again cannot succeed. Periods follow each other without gaps while the process
runs; a restart begins a new one (counts live in memory).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime

import httpx

from robotrace.blocking.counts import BlockCounts, CountRow, difference
from robotrace.clock import Clock, SystemClock, format_utc

log = logging.getLogger("robotrace.blocker")
COUNTS_PATH = "/api/v1/blocking-counts"


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime
    rows: list[CountRow]
    totals: list[CountRow]  # the counts' snapshot at ``end``

    def body(self, blocker: str) -> dict[str, object]:
        return {
            "blocker": blocker,
            "period_start": format_utc(self.start),
            "period_end": format_utc(self.end),
            "rows": [row.as_json() for row in self.rows],
        }


class CountsReporter:
    def __init__(
        self,
        portal: str,
        token: str,
        blocker: str,
        counts: BlockCounts,
        interval: float = 300.0,
        clock: Clock | None = None,
    ) -> None:
        self.portal, self.token, self.blocker = portal.rstrip("/"), token, blocker
        self.counts, self.interval = counts, interval
        self.clock = clock or SystemClock()
        self.start = self.clock.now()
        self.acknowledged: list[CountRow] = []  # the totals the portal has
        self.pending: Period | None = None  # cut, not acknowledged yet

    def cut(self) -> Period:
        """The period to send: the pending one, or a new one ending now."""
        if self.pending is None:
            totals = self.counts.snapshot()
            rows = difference(totals, self.acknowledged)
            self.pending = Period(self.start, self.clock.now(), rows, totals)
        return self.pending

    async def report_once(self, client: httpx.AsyncClient | None = None) -> bool:
        """Send the period due; True once the portal has it. Never raises for the portal."""
        period = self.cut()
        if period.end <= period.start:
            return True  # nothing to cover yet
        try:
            if client is None:
                async with self._client() as own:
                    response = await own.post(COUNTS_PATH, json=period.body(self.blocker))
            else:
                response = await client.post(COUNTS_PATH, json=period.body(self.blocker))
        except httpx.HTTPError as exc:
            log.warning("reporting blocked calls failed, will send again: %s", exc)
            return False
        if response.status_code in (200, 201):
            self._acknowledge(period)
            return True
        if response.status_code == 409:
            log.error("the portal refused the period of blocked calls: %s", response.text[:300])
            self._acknowledge(period)  # sending it again cannot succeed
            return False
        log.warning(
            "the portal answered HTTP %s to the blocked-call report: %s",
            response.status_code,
            response.text[:300],
        )
        return False

    def _acknowledge(self, period: Period) -> None:
        self.acknowledged, self.start, self.pending = period.totals, period.end, None

    def _client(self) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {self.token}", "User-Agent": "robotrace-blocker"}
        return httpx.AsyncClient(base_url=self.portal, headers=headers, timeout=30)

    async def run_forever(self) -> None:
        """Report every ``interval`` seconds until cancelled."""
        async with self._client() as client:
            while True:
                await asyncio.sleep(self.interval)
                await self.report_once(client)
