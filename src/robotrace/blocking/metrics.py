"""The blocker's ``GET /metrics`` (Prometheus text): calls blocked, the list, the SIP workers.

- ``robotrace_blocker_calls_blocked_total{reason,authorization,order}``: calls blocked since
  the start, summed over every path (HTTP, every SIP worker, counts handed in by an SBC);
  ``authorization`` and ``order`` are the ids (empty where the block was neither's).
- ``robotrace_blocker_list_version``: the block-list version in force (0: none yet).
- ``robotrace_blocker_sip_requests_total{worker}``: UDP requests each SIP worker process
  read (with ``--sip-processes`` above 1).

Read at each scrape from :class:`~robotrace.blocking.counts.BlockCounts`; the series are
bounded by the list's authorizations and orders, not by anything a caller sends.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from robotrace.blocking.counts import BlockCounts
from robotrace.blocking.refresh import ListState


class BlockerCollector(Collector):
    def __init__(
        self,
        counts: BlockCounts,
        state: ListState,
        sip_requests: Callable[[], list[int]] | None = None,
    ) -> None:
        self.counts, self.state, self.sip_requests = counts, state, sip_requests

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        blocked = CounterMetricFamily(
            "robotrace_blocker_calls_blocked",
            "Calls blocked since the blocker started, by reason and authorization or order.",
            labels=["reason", "authorization", "order"],
        )
        for row in self.counts.snapshot():
            labels = [row.reason, _label(row.authorization_id), _label(row.order_id)]
            blocked.add_metric(labels, float(row.calls))
        yield blocked
        blocklist = self.state.blocklist
        yield GaugeMetricFamily(
            "robotrace_blocker_list_version",
            "The block-list version in force (0: none loaded yet).",
            value=float(blocklist.version if blocklist else 0),
        )
        if self.sip_requests is not None:
            requests = CounterMetricFamily(
                "robotrace_blocker_sip_requests",
                "UDP SIP requests each worker process read.",
                labels=["worker"],
            )
            for worker, count in enumerate(self.sip_requests()):
                requests.add_metric([str(worker)], float(count))
            yield requests


def exposition(collector: BlockerCollector) -> bytes:
    registry = CollectorRegistry()
    registry.register(collector)
    return generate_latest(registry)


def _label(value: int | None) -> str:
    return "" if value is None else str(value)
