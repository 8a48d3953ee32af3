"""Gzip for the console's text (:class:`TextGzip`): its pages, modules, stylesheet and
message catalogs, and the API's JSON answers, when the browser accepts gzip.

Only a whole answer of a text type whose length is known is compressed. Everything else
passes untouched: video and clips (whole or a Range), pictures, PDFs and packages, any
streamed answer (no Content-Length), an answer already encoded, and WebSockets. Starlette's
GZipMiddleware was not used because it compresses every type it does not exclude, streams
included.
"""

from __future__ import annotations

import gzip

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

TEXT_TYPES = frozenset({"text/html", "text/css", "text/javascript", "application/javascript",
                        "application/json", "image/svg+xml"})
MIN_BYTES = 1024  # smaller answers gain little
MAX_BYTES = 4 * 1024 * 1024  # larger ones are not the console's text: pass them on


def accepts_gzip(scope: Scope) -> bool:
    """Whether the request's Accept-Encoding names gzip."""
    return "gzip" in Headers(scope=scope).get("accept-encoding", "").lower()


def compressible(start: Message) -> bool:
    """Whether an answer's start (status and headers) allows compressing its whole body."""
    headers = Headers(raw=start["headers"])
    media_type = headers.get("content-type", "").partition(";")[0].strip().lower()
    length = headers.get("content-length", "")
    return (start["status"] == 200 and media_type in TEXT_TYPES
            and "content-encoding" not in headers and length.isdigit()
            and MIN_BYTES <= int(length) <= MAX_BYTES)


class TextGzip:
    """ASGI middleware: gzip the answers :func:`compressible` allows (see the module)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not accepts_gzip(scope):
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        parts: list[bytes] = []

        async def send_compressed(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                if compressible(message):
                    start = message  # held until the whole body is here
                    return
                await send(message)
            elif start is not None and message["type"] == "http.response.body":
                parts.append(message.get("body", b""))
                if not message.get("more_body", False):
                    await send_whole(send, start, b"".join(parts))
            elif start is not None:  # e.g. http.response.pathsend: as it is
                await send(start)
                start = None
                await send(message)
            else:
                await send(message)

        await self.app(scope, receive, send_compressed)


async def send_whole(send: Send, start: Message, body: bytes) -> None:
    """Send the body gzipped (level 6), or as it is if that is not smaller."""
    packed = gzip.compress(body, compresslevel=6, mtime=0)
    headers = MutableHeaders(raw=start["headers"])
    headers.add_vary_header("Accept-Encoding")
    if len(packed) < len(body):
        body = packed
        headers["Content-Encoding"] = "gzip"
        headers["Content-Length"] = str(len(body))
        etag = headers.get("etag")
        if etag and not etag.startswith("W/"):
            headers["ETag"] = f'W/{etag}'  # another representation of the same file
    await send(start)
    await send({"type": "http.response.body", "body": body, "more_body": False})
