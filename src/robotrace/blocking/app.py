"""The blocker's HTTP API: ``/health``, ``POST /v1/decide``, ``POST /v1/decide/batch``.

The app reads the list from a :class:`~robotrace.blocking.refresh.ListState` that the poller
(started by :func:`create_app` when given a portal) keeps fresh. ``/health`` also reports the
SIP listeners when the blocker runs them; every request body is limited (:mod:`.body_limit`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from fastapi import Body, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from robotrace.blocking.body_limit import BodyLimit
from robotrace.blocking.decide import Policy, decide
from robotrace.blocking.model import CallAttempt, Decision, LoadedBlocklist
from robotrace.blocking.refresh import ListState, poll_forever
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
    contact: str
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
        known = blocklist.providers.keys() if blocklist else ()
        return self.trunks.resolve(source_ip, tgrp, context, known) or ""

    def decide_now(self, call: CallAttempt) -> Decision:
        """A decision against the list in force at this moment (for the SIP server)."""
        return decide(call, self.state.blocklist, self.policy)

    def answer(self, request: DecideRequest, blocklist: LoadedBlocklist | None) -> DecideAnswer:
        upstream = self.upstream_of(request, blocklist)
        call = CallAttempt(upstream, request.calling, request.called, request.identity, request.at)
        d = decide(call, blocklist, self.policy)
        return DecideAnswer(
            decision=d.verdict.value,
            reason=d.reason.value,
            authorization_id=d.authorization_id,
            rmd_order=d.rmd_order,
            reason_code=d.reason_code,
            obligation=d.obligation,
            order_id=d.order_id,
            contact=d.contact,
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
) -> FastAPI:
    """The API; with ``portal`` and ``key`` it also polls the portal in the background.
    A request body longer than ``max_body`` bytes is answered 413 unread."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        task = None
        if portal and key is not None:
            task = asyncio.create_task(poll_forever(portal, blocker.state, key, interval))
        yield
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    app = FastAPI(title="robotrace blocker", lifespan=lifespan)
    app.add_exception_handler(RequestValidationError, invalid_request)  # type: ignore[arg-type]
    app.add_middleware(BodyLimit, most=max_body)

    @app.get("/health")
    async def health() -> dict[str, object]:
        """``ok``; ``stale`` while the list is not known to be current (``stale_reason``
        says why); ``sip_down`` while a SIP listener is down (``sip``)."""
        return blocker.health()

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
