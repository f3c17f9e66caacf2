"""The blocker's STIR/SHAKEN check: the decision engine's ``Policy.shaken`` hook.

A decision must not wait on the network, so the hook verifies with cached certificates
only (:meth:`robotrace.shaken.verify.Verifier.verify_cached`). A call whose certificate is
not cached yet is *unknown* (the hook answers ``None``: no flag, no block) and the
certificate is fetched in the background on the hook's own event loop, so the next call
signed with it is verified. A cached fetch failure (wrong scheme, refused address, HTTP
error) is a failure like any other.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Coroutine
from typing import Any

from robotrace.blocking.model import CallAttempt
from robotrace.shaken.codes import ShakenFailure
from robotrace.shaken.verify import Verifier

log = logging.getLogger("robotrace.blocker")
MODES = ("off", "flag", "block")


class ShakenHook:
    """``hook(call)`` → ``True`` verified, ``False`` failed, ``None`` no header or not known yet."""

    def __init__(self, verifier: Verifier) -> None:
        self.verifier = verifier
        self._pending: set[concurrent.futures.Future[None]] = set()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="shaken-fetch", daemon=True
        )
        self._thread.start()

    def __call__(self, call: CallAttempt) -> bool | None:
        if not call.identity:
            return None
        result = self.verifier.verify_cached(
            call.identity, orig=call.calling, dest=call.called, at=call.at
        )
        if result.valid:
            return True
        if result.code == 436 and result.x5u and self._not_cached(result.x5u):
            self._fetch_later(result.x5u)
            return None
        return False

    def _not_cached(self, url: str) -> bool:
        try:
            return self.verifier.fetcher.cached(url) is None
        except ShakenFailure:
            return False  # a cached failure: the call fails now

    def _fetch_later(self, url: str) -> None:
        self._submit(self._fetch(url))

    async def _fetch(self, url: str) -> None:
        try:
            await self.verifier.fetcher.get(url)
        except ShakenFailure as failure:
            log.info("x5u %s not usable: %s", url, failure)

    def _submit(self, coroutine: Coroutine[Any, Any, None]) -> None:
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        self._pending.add(future)
        future.add_done_callback(self._pending.discard)

    def wait_idle(self, timeout: float = 5.0) -> None:
        """Block until the fetches scheduled so far are done (tests, shutdown)."""
        concurrent.futures.wait(list(self._pending), timeout=timeout)

    def close(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
