"""Keeping the block list fresh: poll the portal with ``If-None-Match``, verify, swap.

:class:`ListState` holds the current verified list and what the last polls said; one poll is
:func:`poll_once`. A failed poll (portal down, bad signature, garbage) keeps the last good
list and makes the state ``stale`` until a poll succeeds again. So does a genuinely signed
list that goes back in version (or changes a version's body): an old list replayed by
whoever stands between the blocker and the portal would lift every block issued since, so
it is refused (:func:`refuse_rollback`). A list older than ``max_age`` is still used — a stale
list blocks more than none — but ``/health`` says ``stale``. With a cache file, every new
version is also written to disk (body, signature, ETag) and :func:`restore` serves it after a
restart, verified again, until the portal answers: a blocker restarted during a portal outage
still blocks, and still refuses any version below the cached one.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from robotrace.blocking.listfile import SIGNATURE_HEADER, BlocklistRejected, load_verified
from robotrace.blocking.model import LoadedBlocklist
from robotrace.clock import Clock, SystemClock, as_utc, format_utc
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
    max_age: timedelta | None = None  # older than this (by generated_at): stale; None: no limit
    clock: Clock = field(default_factory=SystemClock)

    def stale_reason(self) -> str | None:
        """Why the list in force should not be trusted as current; None when it is."""
        if self.blocklist is None:
            return "no list loaded yet"
        if self.failing:
            return "the last poll failed"
        if self.last_success is None:
            return "the cached list is not confirmed by a poll yet"
        return self.age_problem(self.blocklist)

    def age_problem(self, blocklist: LoadedBlocklist) -> str | None:
        """Why ``blocklist`` is too old to be current under ``max_age``; None when it is not."""
        if self.max_age is None:
            return None
        if blocklist.generated_at is None:
            return "the list has no generated_at"
        if self.clock.now() - as_utc(blocklist.generated_at) > self.max_age:
            hours = self.max_age.total_seconds() / 3600
            return f"the list was generated more than {hours:g} hours ago"
        return None

    @property
    def stale(self) -> bool:
        """No list, the last poll failed, a restored list no poll confirmed, or a list older
        than ``max_age``."""
        return self.stale_reason() is not None

    def health(self) -> dict[str, object]:
        blocklist, reason = self.blocklist, self.stale_reason()
        generated = blocklist.generated_at if blocklist else None
        return {
            "status": "stale" if reason else "ok",
            "stale_reason": reason,
            "version": blocklist.version if blocklist else None,
            "etag": blocklist.etag if blocklist else None,
            "generated_at": format_utc(generated) if generated else None,
            "last_success": format_utc(self.last_success) if self.last_success else None,
            "last_error": self.last_error,
        }


def refuse_rollback(current: LoadedBlocklist | None, offered: LoadedBlocklist) -> None:
    """Raise :class:`BlocklistRejected` when ``offered`` goes back from ``current``: a lower
    version, or the same version with another body. Both can be genuinely signed — every
    version the portal ever published is — so the signature alone cannot tell a replay."""
    if current is None or offered.version > current.version:
        return
    if offered.version < current.version:
        raise BlocklistRejected(
            f"version {offered.version} is older than version {current.version} in force: "
            "refused as a rollback (if the portal really restarted its numbering, remove the "
            "blocker's cache file and restart it)"
        )
    if offered.digest != current.digest:
        raise BlocklistRejected(
            f"version {offered.version} arrived with another body than the one in force: "
            "refused (a published version never changes)"
        )


def _accept(state: ListState, response: httpx.Response, key: Ed25519PublicKey) -> None:
    etag = response.headers.get("ETag", "")
    loaded = load_verified(response.content, response.headers.get(SIGNATURE_HEADER), key, etag)
    refuse_rollback(state.blocklist, loaded)
    old = state.blocklist.version if state.blocklist else None
    if loaded.version == old:
        return  # the same version, the same bytes: nothing to swap
    log.info(
        "block list version %s → %s (%d providers, %d numbers)",
        old,
        loaded.version,
        len({entry.provider for entry in loaded.providers.values()}),  # by key, not OCN
        len(loaded.numbers),
    )
    if (problem := state.age_problem(loaded)) is not None:
        log.warning("block list version %s is old: %s", loaded.version, problem)
    state.blocklist = loaded  # one reference swap: readers see the old list or the new one
    if state.cache is not None:
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
    after_poll: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """Poll every ``interval`` seconds until cancelled; ``after_poll`` runs after each poll
    (the Kamailio exporter writes and reloads its tables there)."""
    timeout = httpx.Timeout(max(interval, 2.0), connect=min(interval, 2.0) or 1.0)
    async with httpx.AsyncClient(base_url=portal.rstrip("/"), timeout=timeout) as client:
        while True:
            await poll_once(client, state, key, clock or state.clock)
            if after_poll is not None:
                await after_poll()
            await asyncio.sleep(interval)


def fetch_public_key_pem(portal: str) -> bytes:
    """The portal's public key, fetched once (trust on first use: see docs/blocking.md)."""
    response = httpx.get(portal.rstrip("/") + LIST_PATH + "/public-key", timeout=10)
    response.raise_for_status()
    return response.content
