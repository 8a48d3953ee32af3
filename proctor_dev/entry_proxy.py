"""A loopback TCP entry point over several server nodes, standing in for the load balancer or
DNS name agents use in a deployment: each new connection goes to the first node that accepts
it, so agents reach a live node after one dies."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence

from proctor_dev.processes import free_port


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while chunk := await reader.read(65536):
            writer.write(chunk)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


class EntryProxy:
    """Listens on ``127.0.0.1:port`` and forwards each connection to the first of
    ``upstreams`` (loopback ports) that accepts it."""

    def __init__(self, upstreams: Sequence[int], port: int | None = None) -> None:
        self.upstreams = list(upstreams)
        self.port = port or free_port()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    @property
    def url(self) -> str:
        """The entry's base URL."""
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> EntryProxy:
        """Start accepting connections."""
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)
        return self

    async def _handle(self, client_reader: asyncio.StreamReader,
                      client_writer: asyncio.StreamWriter) -> None:
        for port in self.upstreams:
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                continue
            self._writers |= {writer, client_writer}
            try:
                await asyncio.gather(_pipe(client_reader, writer), _pipe(reader, client_writer))
            finally:
                self._writers -= {writer, client_writer}
            return
        client_writer.close()  # no node is up: the client retries

    async def close(self) -> None:
        """Stop accepting and close the open connections."""
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.close()
        for _ in range(100):  # their pipes end on the closed sockets, at once
            if not self._writers:
                break
            await asyncio.sleep(0.05)
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)
