"""Keeping the block list fresh: poll the portal with ``If-None-Match``, verify, swap.

:class:`ListState` holds the current verified list and what the last polls said; one poll is
:func:`poll_once`. A failed poll (portal down, bad signature, garbage) keeps the last good
list and makes the state ``stale`` until a poll succeeds again. With a cache file, every new
version is also written to disk (body, signature, ETag) and :func:`restore` serves it after a
restart, verified again, until the portal answers: a blocker restarted during a portal outage
still blocks.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from robotrace.blocking.listfile import SIGNATURE_HEADER, BlocklistRejected, load_verified
from robotrace.blocking.model import LoadedBlocklist
from robotrace.clock import Clock, SystemClock, format_utc
from robotrace.files import write_whole

log = logging.getLogger("robotrace.blocker")
LIST_PATH = "/api/v1/blocklist"


@dataclass
class ListState:
    """The list in force and the poller's last word; replaced whole, never edited in place."""

    blocklist: LoadedBlocklist | None = None
    last_success: datetime | None = None
    last_error: str | None = None
    failing: bool = False
    cache: Path | None = None  # where each new version is kept for a restart

    @property
    def stale(self) -> bool:
        """No list, the last poll failed, or the list is a restored one no poll confirmed."""
        return self.blocklist is None or self.failing or self.last_success is None

    def health(self) -> dict[str, object]:
        return {
            "status": "stale" if self.stale else "ok",
            "version": self.blocklist.version if self.blocklist else None,
            "etag": self.blocklist.etag if self.blocklist else None,
            "last_success": format_utc(self.last_success) if self.last_success else None,
            "last_error": self.last_error,
        }


def _accept(state: ListState, response: httpx.Response, key: Ed25519PublicKey) -> None:
    etag = response.headers.get("ETag", "")
    loaded = load_verified(response.content, response.headers.get(SIGNATURE_HEADER), key, etag)
    old = state.blocklist.version if state.blocklist else None
    if loaded.version != old:
        log.info(
            "block list version %s → %s (%d providers, %d numbers)",
            old,
            loaded.version,
            len({entry.provider for entry in loaded.providers.values()}),  # by key, not OCN
            len(loaded.numbers),
        )
    state.blocklist = loaded  # one reference swap: readers see the old list or the new one
    if state.cache is not None and loaded.version != old:
        _save(state.cache, response.content, response.headers.get(SIGNATURE_HEADER) or "", etag)


def _save(path: Path, body: bytes, signature: str, etag: str) -> None:
    """Write the cache whole or not at all (a temporary file renamed over the old one)."""
    record = {"etag": etag, "signature": signature, "body": base64.b64encode(body).decode()}
    try:
        write_whole(path, json.dumps(record))
    except OSError as exc:
        log.warning("could not write the block-list cache %s: %s", path, exc)


def restore(state: ListState, key: Ed25519PublicKey) -> None:
    """Load the cached list, if there is one and its signature verifies; else leave it."""
    if state.cache is None or not state.cache.exists():
        return
    try:
        record = json.loads(state.cache.read_text())
        body = base64.b64decode(record["body"], validate=True)
        loaded = load_verified(body, record["signature"], key, record["etag"])
    except (OSError, ValueError, KeyError, TypeError, BlocklistRejected) as exc:
        log.warning("ignoring the block-list cache %s: %s", state.cache, exc)
        return
    state.blocklist = loaded
    log.info("serving the cached block list version %s until the portal answers", loaded.version)


async def poll_once(
    client: httpx.AsyncClient, state: ListState, key: Ed25519PublicKey, clock: Clock
) -> None:
    """One poll; never raises for what the portal does (its failures go into ``state``)."""
    headers = {"If-None-Match": state.blocklist.etag} if state.blocklist else {}
    try:
        response = await client.get(LIST_PATH, headers=headers)
        if response.status_code == 200:
            _accept(state, response, key)
        elif response.status_code != 304:
            raise BlocklistRejected(f"portal answered HTTP {response.status_code}")
    except (httpx.HTTPError, BlocklistRejected) as exc:
        if not state.failing:
            log.warning(
                "block list refresh failed, keeping version %s: %s",
                state.blocklist.version if state.blocklist else None,
                exc,
            )
        state.failing, state.last_error = True, f"{type(exc).__name__}: {exc}"
        return
    if state.failing:
        log.info("block list refresh works again")
    state.failing, state.last_success = False, clock.now()


async def poll_forever(
    portal: str,
    state: ListState,
    key: Ed25519PublicKey,
    interval: float,
    clock: Clock | None = None,
) -> None:
    """Poll every ``interval`` seconds until cancelled."""
    timeout = httpx.Timeout(max(interval, 2.0), connect=min(interval, 2.0) or 1.0)
    async with httpx.AsyncClient(base_url=portal.rstrip("/"), timeout=timeout) as client:
        while True:
            await poll_once(client, state, key, clock or SystemClock())
            await asyncio.sleep(interval)


def fetch_public_key_pem(portal: str) -> bytes:
    """The portal's public key, fetched once (trust on first use: see docs/blocking.md)."""
    response = httpx.get(portal.rstrip("/") + LIST_PATH + "/public-key", timeout=10)
    response.raise_for_status()
    return response.content
