"""Sampling: ``analysis_fps`` times a second, each live camera's newest frame becomes a
pending sample. The sampler only reads :meth:`CameraFeed.latest_frame`, so video never waits
for analysis; a sample not yet analysed when the next is taken is replaced (counted as
dropped): a slow detector drops samples, never video.

The cameras are spread over the period: it is cut into ticks (at least
:data:`MIN_TICK_S` long) and each camera is sampled at its own tick (camera id modulo the
number of ticks), so a period's samples reach the detector a few at a time. A sample then
waits for a small batch, not for every camera's batch (docs/vision.md, capacity).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field

import av

from proctor.media.feed import FeedRegistry

MIN_TICK_S = 0.1


@dataclass(frozen=True)
class PendingSample:
    """A camera at one moment: its newest frame, or None when no new frame arrived."""

    at: float  # epoch seconds
    frame: av.VideoFrame | None


@dataclass
class AnalyzerStats:
    """Counters for metrics and ``proctor bench analyze``."""

    samples: int = 0
    analysed: int = 0
    dropped: int = 0
    lag_s: deque[float] = field(default_factory=lambda: deque(maxlen=2000))


class Sampler:
    """Takes samples of every live camera at a steady pace; :meth:`next_batch` hands the
    waiting ones (one per camera) to inference."""

    def __init__(self, feeds: FeedRegistry, fps: float, stats: AnalyzerStats,
                 continued: Collection[int] = (),
                 elsewhere: Callable[[int], bool] | None = None, *,
                 slots: int | None = None) -> None:
        self.feeds = feeds
        self.elsewhere = elsewhere  # true for a camera analysed elsewhere now (its edge agent)
        self.period_s = 1.0 / fps
        # ticks per period (default: as many as fit at MIN_TICK_S)
        self.slots = slots or max(1, int(self.period_s / MIN_TICK_S))
        self.stats = stats
        self.continued = continued  # cameras with open events: sampled even before a frame
        self._last_frames: dict[int, av.VideoFrame] = {}
        self._pending: dict[int, PendingSample] = {}
        self._wake = asyncio.Event()

    async def run(self, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                  clock: Callable[[], float] = time.monotonic,
                  wall_clock: Callable[[], float] = time.time) -> None:
        """Sample forever, one tick every ``period_s / slots`` however long a tick takes,
        each tick the cameras of its slot (the pace follows ``clock``; sample times are
        wall-clock, events need them)."""
        tick_s = self.period_s / self.slots
        tick = 0
        while True:
            started = clock()
            self.take(wall_clock(), tick % self.slots)
            tick += 1
            await sleep(max(0.0, tick_s - (clock() - started)))

    def take(self, now: float, slot: int | None = None) -> None:
        """One tick: a pending sample for every camera of ``slot`` (camera id modulo
        ``slots``; None: every camera) that publishes (or has open events)."""
        for camera_id, feed in self.feeds.items():
            if slot is not None and camera_id % self.slots != slot:
                continue
            if feed.frames_received == 0 and camera_id not in self.continued:
                continue  # never published since start, nothing to continue: idle
            if self.elsewhere is not None and self.elsewhere(camera_id):
                continue
            frame = feed.latest_frame()
            fresh = frame is not None and frame is not self._last_frames.get(camera_id)
            if frame is not None and fresh:
                self._last_frames[camera_id] = frame
            waiting = self._pending.get(camera_id)
            if waiting is not None:
                self.stats.dropped += 1
                if not fresh:  # keep the unanalysed picture rather than report "no picture"
                    frame, fresh = waiting.frame, waiting.frame is not None
            self._pending[camera_id] = PendingSample(now, frame if fresh else None)
            self.stats.samples += 1
        if self._pending:
            self._wake.set()

    async def next_batch(self, limit: int | None = None) -> dict[int, PendingSample]:
        """The waiting samples by camera, at most ``limit`` of them (None: all), those that
        waited longest first (waits until there are some)."""
        while not self._pending:
            self._wake.clear()
            await self._wake.wait()
        if limit is None or limit >= len(self._pending):
            batch, self._pending = self._pending, {}
            return batch
        return {camera_id: self._pending.pop(camera_id)
                for camera_id in list(self._pending)[:limit]}
