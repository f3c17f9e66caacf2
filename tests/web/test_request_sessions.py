"""A burst of requests — more than the worker has threads, and than its pool has
connections — is served, not stalled: a request waits for its session on the event loop
(``robotrace.web.deps.get_db``), never in a thread that the requests holding the
connections need to finish (agents reconnecting after a restart come all at once)."""

from __future__ import annotations

import asyncio

import anyio.to_thread
import httpx

from robotrace.accounts.tokens import create_token
from robotrace.accounts.users import user_by_email
from robotrace.store.db import make_engine, session_factory, transaction
from robotrace.web.deps import pool_capacity

BURST = 12


def test_a_burst_beyond_the_threads_and_the_pool_is_served(world, engine):
    with transaction(engine) as session:
        user = user_by_email(session, "noc@aaaa.example")
        assert user is not None
        token, _ = create_token(session, user, "burst", True, world.clock)
    # One connection, two threads: the pool gives up after 2 s (a 503), as it would after
    # 30 s on a real worker with a burst of hundreds.
    small = make_engine(
        engine.url.render_as_string(hide_password=False),
        pool_size=1,
        max_overflow=0,
        pool_timeout=2,
    )
    world.app.state.engine, world.app.state.sessions = small, session_factory(small)

    async def burst() -> list[httpx.Response]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = 2
        transport = httpx.ASGITransport(app=world.app)
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://portal", headers=headers, timeout=60
        ) as client:
            return await asyncio.gather(*(client.get("/api/v1/hop-requests") for _ in range(BURST)))

    try:
        responses = asyncio.run(burst())
    finally:
        small.dispose()
    assert [r.status_code for r in responses] == [200] * BURST
    assert all(len(r.json()) == 1 for r in responses)  # AAAA's one open hop, each time


def test_the_pool_capacity_is_its_size_and_overflow(engine):
    bounded = make_engine(
        engine.url.render_as_string(hide_password=False), pool_size=3, max_overflow=4
    )
    unbounded = make_engine(
        engine.url.render_as_string(hide_password=False), pool_size=3, max_overflow=-1
    )
    try:
        assert pool_capacity(bounded) == 7
        assert pool_capacity(unbounded) is None
    finally:
        bounded.dispose()
        unbounded.dispose()
