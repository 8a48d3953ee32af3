"""The agent's clock offset to the server, measured NTP-style over HTTP.

Segments are stamped with the agent's wall clock; the offset (server minus agent) travels with
each segment so the server can place footage on its own time line even when the site's clock
is wrong. One sample: ``offset = server_time - (t_send + t_recv) / 2``; of several samples the
one with the shortest round trip is the least disturbed by queueing, so it is kept.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from dataclasses import dataclass

import httpx

logger = logging.getLogger(__name__)

SAMPLES = 5
INTERVAL_S = 60.0
RETRY_S = 5.0


class ClockError(Exception):
    """The server's time could not be read; the message says why."""


@dataclass(frozen=True)
class ClockSample:
    """One measurement: offset (server minus agent) and the round trip it came from, in ms."""

    offset_ms: float
    round_trip_ms: float


class ServerClock:
    """Keeps :attr:`offset_ms` current; read it from any thread."""

    def __init__(self, http: httpx.AsyncClient, server_url: str) -> None:
        self.offset_ms: float | None = None
        self._http = http
        self._url = server_url.rstrip("/") + "/api/time"

    async def sample(self) -> ClockSample:
        """One request to ``GET /api/time``."""
        sent_ms, sent = time.time() * 1000, time.perf_counter()
        try:
            response = await self._http.get(self._url, timeout=5.0)
            received = time.perf_counter()
            response.raise_for_status()
            server_ms = float(response.json()["server_time_ms"])
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
            raise ClockError(f"cannot read the server time from {self._url}: {error}") from error
        if not math.isfinite(server_ms):  # would make every segment's start time unusable
            raise ClockError(f"the server at {self._url} sent a time that is not a number: "
                             f"{server_ms}")
        # (t_send + t_recv) / 2, with t_recv taken from a monotonic clock: a wall clock stepped
        # during the request cannot distort the sample
        round_trip_ms = (received - sent) * 1000
        return ClockSample(server_ms - (sent_ms + round_trip_ms / 2), round_trip_ms)

    async def measure(self) -> float:
        """Take :data:`SAMPLES` samples, keep the one with the shortest round trip."""
        samples = [await self.sample() for _ in range(SAMPLES)]
        best = min(samples, key=lambda s: s.round_trip_ms)
        self.offset_ms = best.offset_ms
        logger.debug("clock offset %.1f ms (round trip %.1f ms)", best.offset_ms,
                     best.round_trip_ms)
        return best.offset_ms

    async def current(self) -> float:
        """The last offset, measured now if there is none yet (raises :class:`ClockError`)."""
        return self.offset_ms if self.offset_ms is not None else await self.measure()

    async def run(self) -> None:
        """Re-measure every :data:`INTERVAL_S` (sooner after a failure), until cancelled."""
        while True:
            try:
                await self.measure()
                delay = INTERVAL_S
            except ClockError as error:
                logger.warning("%s; keeping offset %s", error, self.offset_ms)
                delay = RETRY_S
            await asyncio.sleep(delay)
