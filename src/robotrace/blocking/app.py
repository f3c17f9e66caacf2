"""The blocker's HTTP API: ``/health``, ``POST /v1/decide``, ``POST /v1/decide/batch``.

The app reads the list from a :class:`~robotrace.blocking.refresh.ListState` that the poller
(started by :func:`create_app` when given a portal) keeps fresh. ``/health`` also reports the
SIP listeners when the blocker runs them; every request body is limited (:mod:`.body_limit`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from fastapi import Body, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST
from pydantic import BaseModel, Field

from robotrace.blocking import metrics
from robotrace.blocking.body_limit import BodyLimit
from robotrace.blocking.counts import BlockCounts
from robotrace.blocking.decide import Policy, decide
from robotrace.blocking.model import CallAttempt, Decision, LoadedBlocklist
from robotrace.blocking.refresh import ListState, poll_forever
from robotrace.blocking.report import CountsReporter
from robotrace.blocking.trunks import TrunkTable

MAX_BATCH = 10_000
#: The default body limit: 10,000 calls of about 1,600 bytes each (an Identity header is
#: 600–900), the most a batch may hold.
MAX_BODY_BYTES = 16 * 1024 * 1024


class DecideRequest(BaseModel):
    upstream: str = Field(
        "", max_length=64, description="key or OCN of the provider handing it over"
    )
    calling: str = Field("", max_length=256)
    called: str = Field("", max_length=256)
    identity: str | None = Field(None, max_length=16384, description="SIP Identity header")
    at: datetime | None = Field(None, description="call time; default now")
    source_ip: str | None = Field(None, max_length=64, description="for the trunk table")
    tgrp: str | None = Field(None, max_length=128, description="RFC 4904 trunk group")
    trunk_context: str | None = Field(None, max_length=256)


class DecideAnswer(BaseModel):
    decision: str = Field(description="allow or block")
    reason: str
    authorization_id: int | None = Field(description="the block authorization, if one is why")
    rmd_order: str | None = Field(
        None, description="the FCC's order removing the upstream from the RMD, if that is why"
    )
    reason_code: str | None = Field(
        None, description="the list entry's reason: authorization, final_order or rmd_removed"
    )
    obligation: str | None = Field(
        None, description="permissive (K4: may block) or mandatory (must block)"
    )
    order_id: int | None = Field(None, description="the final determination order, if one is why")
    contact: str = Field(description="the redress ways as one line (url, tel, email)")
    redress: dict[str, str] = Field(
        default_factory=dict,
        description="where a wrongly blocked caller asks for redress: url, tel, email (603+)",
    )
    reference: str | None = Field(
        None, description="what the caller quotes: BA-…, FDO-…, an RMD order, or the rule"
    )
    detail: str
    flags: list[str]
    upstream: str
    version: int | None = Field(description="block-list version decided against")


@dataclass
class Blocker:
    state: ListState
    policy: Policy
    trunks: TrunkTable
    #: Each SIP listener's state ("udp"/"tcp" → "ok"/"down"); None when SIP is off.
    listeners: Callable[[], dict[str, str]] | None = None
    #: Calls blocked on every path (HTTP, SIP, and what SIP workers report).
    counts: BlockCounts = field(default_factory=BlockCounts)
    #: UDP requests each SIP worker process read (``/metrics``); None without workers.
    sip_requests: Callable[[], list[int]] | None = None

    def health(self) -> dict[str, object]:
        """The list's health, and the SIP listeners'; a listener down is ``sip_down``."""
        health = self.state.health()
        sip = self.listeners() if self.listeners else None
        health["sip"] = sip
        if sip and any(state != "ok" for state in sip.values()):
            health["status"] = "sip_down"
        return health

    def upstream_of(self, request: DecideRequest, blocklist: LoadedBlocklist | None) -> str:
        if request.upstream.strip():
            return request.upstream.strip().upper()
        return self.trunk_upstream(request.source_ip, request.tgrp, request.trunk_context)

    def trunk_upstream(self, source_ip: str | None, tgrp: str | None, context: str | None) -> str:
        """The upstream (key or OCN) a trunk (source address, RFC 4904 tgrp) maps to, or ""."""
        blocklist = self.state.blocklist
        known = blocklist.named if blocklist else ()
        return self.trunks.resolve(source_ip, tgrp, context, known) or ""

    def decide_now(self, call: CallAttempt) -> Decision:
        """A decision against the list in force at this moment (for the SIP server)."""
        decision = decide(call, self.state.blocklist, self.policy)
        self.counts.add(decision)
        return decision

    def answer(self, request: DecideRequest, blocklist: LoadedBlocklist | None) -> DecideAnswer:
        upstream = self.upstream_of(request, blocklist)
        call = CallAttempt(upstream, request.calling, request.called, request.identity, request.at)
        d = decide(call, blocklist, self.policy)
        self.counts.add(d)
        return DecideAnswer(
            decision=d.verdict.value,
            reason=d.reason.value,
            authorization_id=d.authorization_id,
            rmd_order=d.rmd_order,
            reason_code=d.reason_code,
            obligation=d.obligation,
            order_id=d.order_id,
            contact=d.contact,
            redress={k: v for k, v in vars(d.redress).items() if v},
            reference=d.reference,
            detail=d.detail,
            flags=list(d.flags),
            upstream=upstream,
            version=blocklist.version if blocklist else None,
        )


async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
    """422 without echoing the input: FastAPI's own handler fails on bytes that are not
    UTF-8 (a 500), and a blocker must answer garbage, never crash on it."""
    errors = [
        {"loc": e.get("loc"), "msg": e.get("msg"), "type": e.get("type")} for e in exc.errors()
    ]
    return JSONResponse({"detail": errors}, status_code=422)


def create_app(
    blocker: Blocker,
    portal: str | None = None,
    key: Ed25519PublicKey | None = None,
    interval: float = 30.0,
    max_body: int = MAX_BODY_BYTES,
    reporter: CountsReporter | None = None,
) -> FastAPI:
    """The API; with ``portal`` and ``key`` it also polls the portal in the background, and
    with a ``reporter`` it sends the blocked-call counts to the portal now and then.
    A request body longer than ``max_body`` bytes is answered 413 unread."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        tasks = []
        if portal and key is not None:
            tasks.append(asyncio.create_task(poll_forever(portal, blocker.state, key, interval)))
        if reporter is not None:
            tasks.append(asyncio.create_task(reporter.run_forever()))
        yield
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if reporter is not None:
            await reporter.report_once()  # what was blocked since the last report

    app = FastAPI(title="robotrace blocker", lifespan=lifespan)
    # Starlette types a handler as taking any Exception; this one takes the error it is for.
    app.add_exception_handler(RequestValidationError, invalid_request)  # type: ignore[arg-type]
    app.add_middleware(BodyLimit, most=max_body)

    @app.get("/health")
    async def health() -> dict[str, object]:
        """``ok``; ``stale`` while the list is not known to be current (``stale_reason``
        says why); ``sip_down`` while a SIP listener is down (``sip``)."""
        return blocker.health()

    collector = metrics.BlockerCollector(blocker.counts, blocker.state, blocker.sip_requests)

    @app.get("/metrics", include_in_schema=False)
    def scrape() -> Response:
        """Calls blocked by reason and authorization or order, the list version, the SIP
        workers (Prometheus text; docs/blocking.md)."""
        return Response(metrics.exposition(collector), media_type=CONTENT_TYPE_LATEST)

    @app.post("/v1/decide")
    async def decide_one(request: DecideRequest) -> DecideAnswer:
        """Allow or block one call, with the reason and whom to ask."""
        return blocker.answer(request, blocker.state.blocklist)

    @app.post("/v1/decide/batch")
    def decide_batch(
        requests: Annotated[list[DecideRequest], Body(max_length=MAX_BATCH)],
    ) -> list[DecideAnswer]:
        """Up to 10,000 calls, answered in order against one list version."""
        blocklist = blocker.state.blocklist
        return [blocker.answer(r, blocklist) for r in requests]

    return app
