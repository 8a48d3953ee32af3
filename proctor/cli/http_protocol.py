"""The HTTP/1.1 protocol ``proctor serve`` runs: uvicorn's h11 protocol with a deadline for a
request's line and headers.

uvicorn times only the idle time between requests (``timeout_keep_alive``); a client that
connects and sends half a request line, or one header byte every few seconds, holds its
connection for ever. Here each request must have its line and headers complete within
``header_timeout_s`` of the first byte (of the connection, for the first request), or it is
answered 408 and the connection closed. The body's own timeout is the app's
(:class:`proctor.api.bodies.BodyLimit`).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

logger = logging.getLogger(__name__)


class HeaderDeadlineProtocol(H11Protocol):
    """:class:`H11Protocol` dropping a request whose headers take longer than
    :attr:`header_timeout_s` to arrive."""

    header_timeout_s = 20.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._watch_headers()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._watch_headers()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_deadline()
        super().connection_lost(exc)

    def _watch_headers(self) -> None:
        """Start the deadline when a request is awaited, and stop it once its headers are
        in (h11 has left IDLE for the client's side)."""
        awaiting = self.conn.their_state is h11.IDLE and not self.transport.is_closing()
        if not awaiting:
            self._stop_deadline()
        elif self._header_deadline is None and self.timeout_keep_alive_task is None:
            # a new connection, or the first bytes of the next request (they stopped the
            # keep-alive timeout, which alone times an idle kept-alive connection)
            self._header_deadline = self.loop.call_later(self.header_timeout_s,
                                                         self._headers_too_slow)

    def _stop_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_too_slow(self) -> None:
        self._header_deadline = None
        if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
            return
        client = self.client[0] if self.client else "a client"
        logger.info("%s sent no complete request headers within %.0f s; connection closed",
                    client, self.header_timeout_s)
        detail = (f'{{"detail": "the request headers did not arrive within '
                  f'{self.header_timeout_s:g} s: send the whole request at once"}}').encode()
        self.transport.write(b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json"
                             b"\r\nconnection: close\r\ncontent-length: "
                             + str(len(detail)).encode() + b"\r\n\r\n" + detail)
        self.transport.close()


def with_header_timeout(seconds: float) -> type[H11Protocol]:
    """The protocol class for uvicorn's ``http=``, dropping slow headers after ``seconds``."""
    return type("HeaderDeadlineProtocol", (HeaderDeadlineProtocol,),
                {"header_timeout_s": seconds})
