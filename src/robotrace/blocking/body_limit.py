"""A limit on every request body the blocker's HTTP API reads (413 above it).

Anyone who reaches the blocker's port may send it a body, and FastAPI reads a JSON body whole
and parses it before an endpoint sees it: one unauthenticated ``POST /v1/decide/batch`` of
153 MiB was read, parsed and held (issue 24). The limit is checked twice — on
``Content-Length`` before a byte of the body is read, and on the bytes as they arrive (a
chunked body declares no length) — so no more than the limit and one chunk is ever taken in.
"""

from __future__ import annotations

from fastapi import HTTPException
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyLimit:
    """ASGI middleware: a request whose body is longer than ``most`` bytes gets 413."""

    def __init__(self, app: ASGIApp, most: int) -> None:
        self.app = app
        self.most = most

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if declared_length(scope) > self.most:
            await self.too_large()(scope, receive, send)
            return
        await self.app(scope, self.counting(receive), send)

    def counting(self, receive: Receive) -> Receive:
        """``receive`` that raises 413 once the body so far is longer than the limit (the
        endpoint's body reading passes an HTTPException on; FastAPI answers it)."""
        taken = 0

        async def limited() -> Message:
            nonlocal taken
            message = await receive()
            if message["type"] == "http.request":
                taken += len(message.get("body", b""))
                if taken > self.most:
                    raise HTTPException(413, self.detail())
            return message

        return limited

    def too_large(self) -> JSONResponse:
        return JSONResponse({"detail": self.detail()}, status_code=413)

    def detail(self) -> str:
        return f"the request body is longer than {self.most:,} bytes"


def declared_length(scope: Scope) -> int:
    """The request's Content-Length; 0 when absent or unreadable (the count still applies)."""
    for name, value in scope.get("headers", ()):
        if name.lower() == b"content-length":
            return int(value) if value.isdigit() else 0
    return 0
