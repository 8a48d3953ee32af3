"""Request body limits: every body is capped (:class:`BodyLimit`, 413 past
:data:`MAX_BODY_BYTES`, 408 when it stalls for :data:`BODY_TIMEOUT_S`), and routes that take
larger raw bodies read them with their own limit (:func:`read_limited`), whether or not a
length is declared."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from fastapi import HTTPException, Request, status
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_BYTES = 1 << 20  # far above any JSON body of the API; raw uploads set their own
BODY_TIMEOUT_S = 30.0  # the longest wait for the next part of a body
_CAP = "proctor.body_cap"  # where the request's cap lives in the ASGI scope


@dataclass
class _Cap:
    """The bytes a request's body may have; ``None`` once a route counts them itself."""

    limit: int | None


class BodyLimit:
    """ASGI middleware refusing a body over ``limit`` bytes with 413, from its declared
    Content-Length before reading any of it, or as it streams in when none is declared.
    Bodies are only counted when read, so a route that never reads one costs nothing.

    A body whose next part does not arrive within ``timeout_s`` is refused with 408 (a
    client that stalls mid-body would otherwise hold its connection and buffers forever);
    once the body is complete, waiting for the client to hang up is not timed."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES,
                 timeout_s: float = BODY_TIMEOUT_S) -> None:
        self.app = app
        self.limit = limit
        self.timeout_s = timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = scope[_CAP] = _Cap(self.limit)
        declared = _declared_length(scope)
        received, complete = 0, False

        async def capped_receive() -> Message:
            nonlocal received, complete
            if cap.limit is not None and declared is not None and declared > cap.limit:
                raise _too_large(f"the request body is {declared} bytes", cap.limit)
            if complete:
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), self.timeout_s)
            except TimeoutError:
                raise HTTPException(status.HTTP_408_REQUEST_TIMEOUT, detail=(
                    f"the request body stalled: no data for {self.timeout_s:g} s after "
                    f"{received} bytes; send it again without pausing")) from None
            complete = not message.get("more_body", False)
            received += len(message.get("body", b""))
            if cap.limit is not None and received > cap.limit:
                raise _too_large("the request body exceeds the limit", cap.limit)
            return message

        await self.app(scope, capped_receive, send)


def _declared_length(scope: Scope) -> int | None:
    value = dict(scope["headers"]).get(b"content-length", b"")
    return int(value) if value.isdigit() else None


def _too_large(what: str, limit: int) -> HTTPException:
    return HTTPException(status.HTTP_413_CONTENT_TOO_LARGE,
                         detail=f"{what}; the limit is {limit} bytes: send less")


async def read_limited(request: Request, limit: int, what: str,
                       require_length: bool = False) -> bytes:
    """The body; 411 if a length is required but missing, 413 once it exceeds ``limit``
    (which replaces :class:`BodyLimit`'s cap for this request).

    A chunked body without Content-Length is counted as it streams in, so it can never
    make the server buffer more than ``limit`` bytes.
    """
    cap = request.scope.get(_CAP)
    if isinstance(cap, _Cap):
        cap.limit = None  # counted here, with a message naming what is too large
    declared = request.headers.get("content-length")
    if declared is None or not declared.isdigit():
        if require_length:
            raise HTTPException(status.HTTP_411_LENGTH_REQUIRED,
                                detail="Content-Length is required")
    elif int(declared) > limit:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE,
                            detail=f"{what} is {declared} bytes; the limit is {limit}")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE,
                                detail=f"{what} exceeds the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
