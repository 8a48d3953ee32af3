"""Camera feeds: the decoded frames of one camera, fanned out to any number of consumers.

A feed outlives its publisher: when an edge agent reconnects, the new track is attached to
the same feed, and consumers (playback encoders, later the analyzer) carry on without
noticing. Each consumer gets the newest frame only, so a slow consumer skips frames and
never holds up the others or the live path.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass

import av
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from proctor.rtc.tracks import recv_video_frame

logger = logging.getLogger(__name__)


class FrameSubscription:
    """A consumer's view of a feed: :meth:`next_frame` waits for a frame newer than the last."""

    def __init__(self, feed: CameraFeed) -> None:
        self._feed = feed
        self._slot: asyncio.Queue[av.VideoFrame] = asyncio.Queue(maxsize=1)
        self.skipped = 0

    def offer(self, frame: av.VideoFrame) -> None:
        """Replace any frame not yet taken (newest wins)."""
        if self._slot.full():
            self._slot.get_nowait()
            self.skipped += 1
        self._slot.put_nowait(frame)

    async def next_frame(self) -> av.VideoFrame:
        """The next frame the camera delivers (waits across publisher reconnects)."""
        return await self._slot.get()

    def close(self) -> None:
        """Stop receiving frames."""
        self._feed.unsubscribe(self)


@dataclass
class FeedStatus:
    """What the console shows about a camera's live feed."""

    online: bool
    width: int | None
    height: int | None
    frames_received: int
    fps: float
    last_frame_age_s: float | None


class CameraFeed:
    """Reads one publisher track at a time and hands each decoded frame to subscribers."""

    def __init__(self, camera_id: int, offline_after_s: float = 3.0) -> None:
        self.camera_id = camera_id
        self.offline_after_s = offline_after_s
        self.frames_received = 0
        self.latest: av.VideoFrame | None = None
        self._last_frame_at: float | None = None
        self._recent: list[float] = []
        self._subscribers: list[FrameSubscription] = []
        self._reader: asyncio.Task[None] | None = None
        self._track: MediaStreamTrack | None = None

    def attach(self, track: MediaStreamTrack) -> None:
        """Start reading ``track``, replacing the previous publisher's track if any."""
        if self._reader is not None:
            self._reader.cancel()
        self._track = track
        self._reader = asyncio.create_task(self._read(track), name=f"feed-{self.camera_id}")

    def detach(self, track: MediaStreamTrack) -> None:
        """Stop reading ``track`` if it is still the one attached (its publisher went away)."""
        if self._track is track and self._reader is not None:
            self._reader.cancel()
            self._reader = None
            self._track = None

    async def close(self) -> None:
        """Stop reading and wait for the reader to finish."""
        reader, self._reader, self._track = self._reader, None, None
        if reader is not None:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader

    def subscribe(self) -> FrameSubscription:
        """A new consumer; it receives frames from now on."""
        subscription = FrameSubscription(self)
        self._subscribers.append(subscription)
        return subscription

    def unsubscribe(self, subscription: FrameSubscription) -> None:
        """Remove a consumer (idempotent)."""
        with contextlib.suppress(ValueError):
            self._subscribers.remove(subscription)

    def latest_frame(self) -> av.VideoFrame | None:
        """The newest decoded frame, without waiting (None before the first frame)."""
        return self.latest

    def status(self) -> FeedStatus:
        """Online if a frame arrived within ``offline_after_s``; fps over the last 2 s."""
        now = time.monotonic()
        age = None if self._last_frame_at is None else now - self._last_frame_at
        recent = [t for t in self._recent if now - t <= 2.0]
        return FeedStatus(
            online=age is not None and age <= self.offline_after_s,
            width=self.latest.width if self.latest is not None else None,
            height=self.latest.height if self.latest is not None else None,
            frames_received=self.frames_received,
            fps=len(recent) / 2.0,
            last_frame_age_s=None if age is None else round(age, 3),
        )

    async def _read(self, track: MediaStreamTrack) -> None:
        logger.info("camera feed started", extra={"camera": self.camera_id})
        try:
            while True:
                self._deliver(await recv_video_frame(track))
        except MediaStreamError:
            logger.info("camera publisher track ended", extra={"camera": self.camera_id})

    def _deliver(self, frame: av.VideoFrame) -> None:
        now = time.monotonic()
        self.frames_received += 1
        self.latest = frame
        self._last_frame_at = now
        self._recent.append(now)
        if len(self._recent) > 120:
            del self._recent[:60]
        for subscriber in list(self._subscribers):
            subscriber.offer(frame)


class FeedRegistry:
    """One feed per camera, created on first use."""

    def __init__(self, offline_after_s: float) -> None:
        self._feeds: dict[int, CameraFeed] = {}
        self._offline_after_s = offline_after_s

    def get(self, camera_id: int) -> CameraFeed:
        """The camera's feed (created empty if nobody has published yet)."""
        feed = self._feeds.get(camera_id)
        if feed is None:
            feed = self._feeds[camera_id] = CameraFeed(camera_id, self._offline_after_s)
        return feed

    def items(self) -> list[tuple[int, CameraFeed]]:
        """Every feed created so far, by camera id."""
        return list(self._feeds.items())

    async def close(self) -> None:
        """Stop every feed."""
        for feed in self._feeds.values():
            await feed.close()
        self._feeds.clear()
