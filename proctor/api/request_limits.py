"""Limits on what a request may carry besides its body: the number and total size of its
headers (431 past either). Body size and stalled bodies are :mod:`proctor.api.bodies`'."""

from __future__ import annotations

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

MAX_HEADER_COUNT = 100
MAX_HEADER_BYTES = 16 * 1024


class HeaderLimit:
    """ASGI middleware answering 431 to a request with more than ``max_count`` headers or
    more than ``max_bytes`` of them (names, values and the path with its query), before the
    app sees it. The HTTP server's own parser buffer (uvicorn's h11 incomplete-event size,
    set to the same bytes by ``proctor serve``) bounds what is read at all."""

    def __init__(self, app: ASGIApp, max_count: int = MAX_HEADER_COUNT,
                 max_bytes: int = MAX_HEADER_BYTES) -> None:
        self.app = app
        self.max_count = max_count
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = scope["headers"]
        size = len(scope.get("raw_path") or b"") + len(scope.get("query_string", b"")) \
            + sum(len(name) + len(value) for name, value in headers)
        problem = (f"{len(headers)} headers; at most {self.max_count} are accepted"
                   if len(headers) > self.max_count else
                   f"{size} bytes of headers; at most {self.max_bytes} are accepted"
                   if size > self.max_bytes else None)
        if problem is None:
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1009, "reason": "headers too large"})
            return
        answer = JSONResponse({"detail": f"the request has {problem}: send fewer or shorter "
                                         "headers (cookies included)"}, status_code=431)
        await answer(scope, receive, send)
