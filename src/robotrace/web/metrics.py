"""``GET /metrics``: the portal's figures in the Prometheus text format.

Two kinds (docs/operations.md#metrics):

- **requests** this process served: ``robotrace_http_requests_total{method,route,status}`` and
  the latency histogram ``robotrace_http_request_seconds{method,route}``, labelled by the
  route's template (``/tracebacks/{traceback_id}``), never the raw path, so the number of
  series stays bounded whatever callers send;
- **the store**, read at each scrape (a handful of ``count(*)`` queries): open tracebacks,
  overdue hop requests, notifications by status, the newest block-list version and its
  entries, and the analytics store's complaint files.

Who may scrape: with the ``metrics_token`` setting, a request carrying
``Authorization: Bearer <token>``; without it, only the machine itself (a loopback address).

Under ``robotrace serve --workers N`` each worker process counts its own requests; serve
then points ``PROMETHEUS_MULTIPROC_DIR`` at a folder of its own before the workers start,
prometheus_client keeps the counts there, and a scrape answered by any worker sums them all.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import os
import time
from collections.abc import Awaitable, Callable, Iterator

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy.orm import Session
from starlette.datastructures import State

from robotrace.evidence.analytics import complaint_files
from robotrace.notify.outbox import counts_by_status
from robotrace.traceback.lists import open_traceback_count, overdue_hop_count
from robotrace.web.evidence_uploads import analytics_dir_of

router = APIRouter(include_in_schema=False)

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
#: Set by ``robotrace serve --workers N`` (N > 1): the folder where every worker keeps its counts.
MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"


class Metrics:
    """One app's registry: its request counters and the store collector."""

    def __init__(self, state: State) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "robotrace_http_requests",
            "HTTP requests served by this process.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.seconds = Histogram(
            "robotrace_http_request_seconds",
            "Time to answer an HTTP request, in seconds.",
            ["method", "route"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.store = StoreCollector(state)
        self.registry.register(self.store)

    def exposition(self) -> bytes:
        """The scrape's text: this process' counts, or every worker's when they share a
        folder, and the store's figures once."""
        if not os.environ.get(MULTIPROCESS_DIR):
            return generate_latest(self.registry)
        everyone = CollectorRegistry()
        MultiProcessCollector(everyone)
        everyone.register(self.store)
        return generate_latest(everyone)


class StoreCollector(Collector):
    """Figures of the store, read when scraped; the app's state gives its sessions, clock
    and analytics store."""

    def __init__(self, state: State) -> None:
        self.state = state

    def collect(self) -> Iterator[GaugeMetricFamily]:
        with self.state.sessions() as session:
            yield _gauge(
                "robotrace_tracebacks_open",
                "Tracebacks not closed yet.",
                open_traceback_count(session),
            )
            yield _gauge(
                "robotrace_hop_requests_overdue",
                "Hop requests past their due time without an answer.",
                overdue_hop_count(session, self.state.clock.now()),
            )
            notifications = GaugeMetricFamily(
                "robotrace_notifications",
                "Notifications in the outbox, by status.",
                labels=["status"],
            )
            for status, count in sorted(counts_by_status(session).items()):
                notifications.add_metric([str(status)], float(count))
            yield notifications
            version, entries = _blocklist(session)
            yield _gauge(
                "robotrace_blocklist_version", "Newest published block-list version.", version
            )
            yield _gauge(
                "robotrace_blocklist_entries", "Entries of the newest block list.", entries
            )
        yield _gauge(
            "robotrace_complaint_files",
            "Parquet files of the analytics store's complaints.",
            len(complaint_files(analytics_dir_of(self.state))),
        )


def _gauge(name: str, documentation: str, value: float | None) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=float(value or 0))


def _blocklist(session: Session) -> tuple[int, int]:
    from robotrace.enforcement.publish import latest_blocklist

    latest = latest_blocklist(session)
    if latest is None:
        return 0, 0
    return latest.version, len(json.loads(latest.body).get("entries", []))


def route_of(request: Request) -> str:
    """The full template of the route that answered ``request`` (``/api/v1/hops/{hop_id}``),
    ``unmatched`` when none did. The router leaves the route in the scope; an included
    router's route knows only its own part, so the prefix is what precedes it in the path."""
    route = request.scope.get("route")
    template = getattr(route, "path", None)
    if not isinstance(template, str):
        return "unmatched"
    path = request.scope.get("path", "")
    try:
        rendered = template.format(**request.scope.get("path_params", {}))
    except (KeyError, IndexError, ValueError):
        return template
    return path[: len(path) - len(rendered)] + template if path.endswith(rendered) else template


async def count_requests(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Middleware: every request counted by route template and status, and timed."""
    metrics: Metrics = request.app.state.metrics
    started = time.perf_counter()
    status = 500
    try:
        response = await call_next(request)
        status = response.status_code
        return response
    finally:
        route = route_of(request)
        metrics.requests.labels(request.method, route, str(status)).inc()
        metrics.seconds.labels(request.method, route).observe(time.perf_counter() - started)


def allowed(request: Request) -> None:
    """The metrics_token as a bearer token, or — without one set — a loopback client."""
    token = request.app.state.settings.metrics_token
    if token:
        given = request.headers.get("authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            raise HTTPException(401, "send the metrics token", {"WWW-Authenticate": "Bearer"})
        return
    host = request.client.host if request.client else ""
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise HTTPException(403, "metrics are served to this machine only: set metrics_token")


@router.get("/metrics", dependencies=[Depends(allowed)])
def metrics(request: Request) -> Response:
    return Response(request.app.state.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
