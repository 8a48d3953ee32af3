"""Camera feeds: one camera's H.264 access units and decoded pictures, fanned out to any
number of consumers.

A feed outlives its publisher: when an edge agent reconnects, the new track is attached to
the same feed, and consumers (forwarded viewers, playback encoders, the analyzer) carry on
without noticing. A publisher's H.264 arrives undecoded (proctor/rtc/encoded.py): the feed
keeps the current GOP from its keyframe for joining viewers, hands every access unit to its
encoded sinks, and decodes only what its consumers need (proctor/media/decode.py). Each
picture consumer gets the newest picture only, so a slow consumer skips pictures and never
holds up the others or the live path.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, get_args

import av
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from proctor.errors import Conflict, NotFound
from proctor.media.decode import FeedDecoder
from proctor.rtc.encoded import (
    EncodedFrame,
    has_b_slices,
    has_picture,
    profile_level_id,
    recv_media,
)

EncodedSink = Callable[[EncodedFrame], None]
Stream = Literal["main", "sub"]
"""A camera's main stream (full resolution, what the agent records) or its sub stream (a
smaller picture for live view, as NVRs show on their walls)."""
STREAMS: tuple[Stream, ...] = get_args(Stream)
MAX_GOP_FRAMES = 600
"""A longer GOP is not kept (40 s at 15 fps): joining viewers then wait for a keyframe."""

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
class SourceInfo:
    """What the publisher's H.264 is, as read from its stream."""

    profile_level_id: str | None  # from the last SPS seen
    b_frames: bool  # a B slice was seen
    keyframe_interval_s: float | None  # between the last two keyframes


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
    """Reads one publisher track at a time: access units go to encoded sinks and the GOP
    cache, decoded pictures to subscribers."""

    def __init__(self, camera_id: int, offline_after_s: float = 3.0,
                 decode_keyframes: bool = True) -> None:
        self.camera_id = camera_id
        self.offline_after_s = offline_after_s
        self.decode_keyframes = decode_keyframes  # False: decode only for picture subscribers
        self.frames_received = 0
        self.latest: av.VideoFrame | None = None
        self.source: SourceInfo | None = None
        self.decoder = FeedDecoder(camera_id, self._publish)
        self._gop: list[EncodedFrame] = []
        self._parameter_sets: EncodedFrame | None = None  # SPS/PPS sent apart from a picture
        self._source_known = asyncio.Event()
        self._encoded_sinks: list[EncodedSink] = []
        self._last_frame_at: float | None = None
        self._recent: list[float] = []
        self._recent_stamps: list[int] = []  # RTP times (90 kHz) of the recent access units
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
        self.decoder.close()

    def add_encoded_sink(self, sink: EncodedSink) -> None:
        """Call ``sink`` with every access unit from now on (forwarding to viewers)."""
        self._encoded_sinks.append(sink)

    def remove_encoded_sink(self, sink: EncodedSink) -> None:
        """Stop calling ``sink`` (idempotent)."""
        with contextlib.suppress(ValueError):
            self._encoded_sinks.remove(sink)

    async def wait_source(self, timeout_s: float) -> SourceInfo | None:
        """The publisher's stream description, waiting up to ``timeout_s`` for a keyframe."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._source_known.wait(), timeout_s)
        return self.source

    def gop(self) -> list[EncodedFrame]:
        """The current GOP: its keyframe and every access unit since (empty if none kept)."""
        return list(self._gop)

    def subscribe(self) -> FrameSubscription:
        """A new consumer of every decoded picture, from now on: while there is one, the feed
        decodes every frame (see proctor/media/decode.py)."""
        subscription = FrameSubscription(self)
        self._subscribers.append(subscription)
        return subscription

    def unsubscribe(self, subscription: FrameSubscription) -> None:
        """Remove a consumer (idempotent)."""
        with contextlib.suppress(ValueError):
            self._subscribers.remove(subscription)

    @property
    def publishing(self) -> bool:
        """Whether a publisher's track is attached (its first frame may not have come yet)."""
        return self._track is not None

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
            fps=self._fps(recent),
            last_frame_age_s=None if age is None else round(age, 3),
        )

    async def _read(self, track: MediaStreamTrack) -> None:
        logger.info("camera feed started", extra={"camera": self.camera_id})
        self._gop.clear()
        try:
            while True:
                item = await recv_media(track)
                if isinstance(item, EncodedFrame):
                    self._deliver_encoded(item)
                else:
                    self._deliver(item)
        except MediaStreamError:
            logger.info("camera publisher track ended", extra={"camera": self.camera_id})

    def _deliver_encoded(self, frame: EncodedFrame) -> None:
        if has_picture(frame.data):
            self._count()  # frames per second are pictures, not parameter-set packets
            self._recent_stamps = [*self._recent_stamps[-59:], frame.timestamp]
        elif profile_level_id(frame.data) is not None:
            self._parameter_sets = frame
        if frame.keyframe:
            self._note_keyframe(frame)
            apart = self._parameter_sets if profile_level_id(frame.data) is None else None
            self._gop = [frame] if apart is None else [apart, frame]  # a late viewer needs them
        elif self._gop and len(self._gop) < MAX_GOP_FRAMES:
            self._gop.append(frame)
            if self.source is not None and not self.source.b_frames and has_b_slices(frame.data):
                self.source.b_frames = True
        else:
            self._gop.clear()
        for sink in list(self._encoded_sinks):
            sink(frame)
        if self._gop and (self.decode_keyframes or self._subscribers):
            self.decoder.push(frame, self._gop, every_frame=bool(self._subscribers))

    def _note_keyframe(self, frame: EncodedFrame) -> None:
        interval = None
        if self._gop:
            interval = (frame.timestamp - self._gop[0].timestamp) / 90_000
        previous = self.source
        level_id = (profile_level_id(frame.data)
                    or (profile_level_id(self._parameter_sets.data) if self._parameter_sets
                        else None)
                    or (previous.profile_level_id if previous else None))
        b_frames = previous.b_frames if previous is not None else False
        self.source = SourceInfo(level_id, b_frames, interval)
        if level_id is not None:  # a keyframe without its SPS does not tell the profile yet
            self._source_known.set()

    def _deliver(self, frame: av.VideoFrame) -> None:
        """A decoded picture from a publisher track that is not H.264."""
        self._count()
        self._publish(frame)

    def _fps(self, recent: list[float]) -> float:
        """Frames per second over the last 2 s: from the access units' own timestamps when
        the camera sends H.264 (a burst after a reconnect or a camera's pre-roll arrives
        faster than the camera films), else from the arrival times of decoded frames."""
        stamps = self._recent_stamps[-len(recent):] if recent else []
        span = (stamps[-1] - stamps[0]) / 90_000 if len(stamps) > 1 else 0.0
        return round((len(stamps) - 1) / span, 1) if span > 0 else len(recent) / 2.0

    def _count(self) -> None:
        now = time.monotonic()
        self.frames_received += 1
        self._last_frame_at = now
        self._recent.append(now)
        if len(self._recent) > 120:
            del self._recent[:60]

    def _publish(self, frame: av.VideoFrame) -> None:
        self.latest = frame
        for subscriber in list(self._subscribers):
            subscriber.offer(frame)


class FeedRegistry:
    """The feeds of every camera, created on first use.

    A camera has one live feed (:meth:`get`): analysis samples it, the console's status shows
    it and a viewer who names no stream watches it. It carries the camera's sub stream when
    its publisher sends one, else its only stream. A publisher that sends both streams feeds
    the main stream to the camera's second feed, which decodes nothing unless a transcoded
    viewer watches it. What a camera's last publisher sent is kept until the next one comes.
    """

    def __init__(self, offline_after_s: float) -> None:
        self._feeds: dict[int, CameraFeed] = {}
        self._seconds: dict[int, CameraFeed] = {}
        self._streams: dict[int, tuple[Stream, ...]] = {}  # the live feed's stream first
        self._offline_after_s = offline_after_s

    def get(self, camera_id: int) -> CameraFeed:
        """The camera's live feed (created empty if nobody has published yet)."""
        feed = self._feeds.get(camera_id)
        if feed is None:
            feed = self._feeds[camera_id] = CameraFeed(camera_id, self._offline_after_s)
        return feed

    def _second(self, camera_id: int) -> CameraFeed:
        feed = self._seconds.get(camera_id)
        if feed is None:
            feed = self._seconds[camera_id] = CameraFeed(
                camera_id, self._offline_after_s, decode_keyframes=False)
        return feed

    def publish(self, camera_id: int, streams: Sequence[Stream]) -> list[CameraFeed]:
        """Note the streams a new publisher sends; the feed for each, in the same order."""
        if not streams:
            return []
        live: Stream = "sub" if "sub" in streams else streams[0]
        self._streams[camera_id] = (live, *(name for name in streams if name != live))
        return [self.get(camera_id) if name == live else self._second(camera_id)
                for name in streams]

    def streams(self, camera_id: int) -> tuple[Stream, ...]:
        """The streams the camera's last publisher sent, the live feed's first (empty if it
        has not published since the server started)."""
        return self._streams.get(camera_id, ())

    def stream(self, camera_id: int, name: Stream | None) -> CameraFeed:
        """The feed carrying the camera's ``name`` stream (None: its live feed)."""
        if name is None:
            return self.get(camera_id)
        published = self.streams(camera_id)
        if not published:
            raise Conflict(f"camera {camera_id} has not published yet, so its streams are "
                           "not known: watch it without ?stream= (the picture starts when the "
                           "camera does), or pick a stream once it is online")
        if name not in published:
            raise NotFound(f"camera {camera_id} does not publish a {name} stream (it "
                           f"publishes: {', '.join(published)}); pick one of those")
        return self.get(camera_id) if name == published[0] else self._second(camera_id)

    def items(self) -> list[tuple[int, CameraFeed]]:
        """Every camera's live feed created so far, by camera id."""
        return list(self._feeds.items())

    async def close(self) -> None:
        """Stop every feed."""
        for feed in [*self._feeds.values(), *self._seconds.values()]:
            await feed.close()
        self._feeds.clear()
        self._seconds.clear()
