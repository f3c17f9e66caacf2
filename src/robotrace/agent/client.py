"""The agent's side of the portal API, with retries when the portal is away.

Unreachable portal, 5xx and 429 are retried with capped exponential backoff and full jitter;
any other answer is returned to the caller (409 included: it means "answered already").
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
PAGE_SIZE = 1000  # open requests per call: the most the API gives in one page


class PortalUnavailable(RuntimeError):
    """The portal did not answer usefully after every retry."""


class PortalRefused(RuntimeError):
    """The portal refused the agent's credentials or request (a 4xx that retrying won't fix)."""


@dataclass
class Backoff:
    """Waits of ``base * 2**n`` seconds, at most ``cap``, each drawn uniformly below that
    ("full jitter", so many agents do not hammer a returning portal at once)."""

    base: float = 1.0
    cap: float = 60.0
    attempts: int = 6
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int) -> float:
        return self.rng.uniform(0, min(self.cap, self.base * 2**attempt))


Sleep = Callable[[float], None]
Log = Callable[[str], None]


class PortalClient:
    """The few API calls an agent makes, on an injectable ``httpx.Client``."""

    def __init__(
        self,
        http: httpx.Client,
        backoff: Backoff | None = None,
        sleep: Sleep = time.sleep,
        log: Log = print,
    ) -> None:
        self.http = http
        self.backoff = backoff or Backoff()
        self.sleep = sleep
        self.log = log

    @classmethod
    def connect(cls, url: str, token: str, **kwargs: Any) -> PortalClient:
        http = httpx.Client(
            base_url=url.rstrip("/") + "/api/v1",
            headers={"Authorization": f"Bearer {token}", "User-Agent": "robotrace-agent"},
            timeout=30.0,
        )
        return cls(http, **kwargs)

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One API call, retried while the portal is unreachable or failing."""
        for attempt in range(self.backoff.attempts):
            try:
                response = self.http.request(method, path, **kwargs)
            except httpx.TransportError as exc:
                problem = f"portal unreachable ({type(exc).__name__}: {exc})"
            else:
                if response.status_code not in RETRY_STATUSES:
                    return response
                problem = f"portal answered {response.status_code}"
            if attempt + 1 < self.backoff.attempts:
                wait = self.backoff.delay(attempt)
                self.log(f"{problem}; retrying {method} {path} in {wait:.1f} s")
                self.sleep(wait)
        raise PortalUnavailable(f"{problem}; gave up {method} {path}")

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.request(method, path, **kwargs)
        if response.status_code >= 400:
            raise PortalRefused(f"{method} {path}: {response.status_code} {_detail(response)}")
        return response.json()

    def me(self) -> dict[str, Any]:
        me: dict[str, Any] = self._json("GET", "/me")
        return me

    def open_requests(self) -> list[dict[str, Any]]:
        """Every open request: the portal pages its list, so ask page after page until a
        short one (or one with nothing new, from a portal that ignores paging)."""
        found: dict[int, dict[str, Any]] = {}
        offset = 0
        while True:
            params = {"status": "open", "limit": PAGE_SIZE, "offset": offset}
            page: list[dict[str, Any]] = self._json("GET", "/hop-requests", params=params)
            fresh = {int(item["id"]): item for item in page if int(item["id"]) not in found}
            found.update(fresh)
            if len(page) < PAGE_SIZE or not fresh:
                return list(found.values())
            offset += len(page)

    def answer(self, hop_id: int, body: dict[str, Any]) -> httpx.Response:
        return self.request("POST", f"/hop-requests/{hop_id}/answer", json=body)

    def open_signer_requests(self) -> list[dict[str, Any]]:
        """Open direct requests to this provider as a call's signer (a portal without the
        route answers 404: none)."""
        response = self.request("GET", "/signer-requests", params={"status": "open"})
        if response.status_code == 404:
            return []
        if response.status_code >= 400:
            raise PortalRefused(f"GET /signer-requests: {response.status_code} {_detail(response)}")
        found: list[dict[str, Any]] = response.json()
        return found

    def answer_signer(self, request_id: int, body: dict[str, Any]) -> httpx.Response:
        return self.request("POST", f"/signer-requests/{request_id}/answer", json=body)

    def close(self) -> None:
        self.http.close()


def _detail(response: httpx.Response) -> str:
    try:
        return str(response.json().get("detail", response.text))
    except ValueError:
        return response.text[:200]
