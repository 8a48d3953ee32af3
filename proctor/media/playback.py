"""Live viewing: each viewer gets a camera's own H.264 forwarded (proctor/media/forward.py), or,
as the fallback, the output of the camera's shared playback encoder.

Shared playback encoders: one H.264 encoder per camera with transcoded viewers, fanned out to
all of them.

The encoder starts with the first viewer and stops after the last. A joining viewer forces
a keyframe (aiortc ignores a viewer's PLI when it sends pre-encoded packets), and the GOP is
short so a viewer that loses packets recovers quickly. Encoding runs on a worker thread of
its own, so several cameras use several cores and the event loop stays responsive.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from concurrent.futures import ThreadPoolExecutor

from proctor.media.feed import CameraFeed, FeedRegistry, Stream
from proctor.media.forward import Forwarder
from proctor.rtc.h264 import EncoderSettings, H264Encoder
from proctor.rtc.tracks import PacketTrack

logger = logging.getLogger(__name__)


class SharedEncoder:
    """Encodes one camera's feed once and pushes the packets to every viewer's track."""

    def __init__(self, feed: CameraFeed, settings: EncoderSettings) -> None:
        self.feed = feed
        self.viewers: set[PacketTrack] = set()
        self.frames_encoded = 0
        self._encoder = H264Encoder(settings)
        self._executor = ThreadPoolExecutor(1, thread_name_prefix=f"enc-{feed.camera_id}")
        self._task: asyncio.Task[None] | None = None

    def add_viewer(self) -> PacketTrack:
        """A new viewer track; the next frame sent is a keyframe."""
        track = PacketTrack()
        self.viewers.add(track)
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"encode-{self.feed.camera_id}")
            logger.info("playback encoder started", extra={"camera": self.feed.camera_id})
        return track

    def remove_viewer(self, track: PacketTrack) -> None:
        """Forget a viewer (idempotent)."""
        track.stop()
        self.viewers.discard(track)

    @property
    def idle(self) -> bool:
        """No viewer left."""
        return not self.viewers

    async def close(self) -> None:
        """Stop encoding and end every viewer track."""
        for track in list(self.viewers):
            self.remove_viewer(track)
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._executor.shutdown(wait=False)
        logger.info("playback encoder stopped", extra={"camera": self.feed.camera_id})

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        subscription = self.feed.subscribe()
        try:
            while True:
                frame = await subscription.next_frame()
                waiting = {track for track in self.viewers if track.needs_keyframe}
                try:
                    packets = await loop.run_in_executor(
                        self._executor, self._encoder.encode, frame, bool(waiting)
                    )
                except Exception:  # one bad frame must not end the camera's live view
                    logger.exception("playback encode failed; skipping the frame",
                                     extra={"camera": self.feed.camera_id})
                    continue
                self.frames_encoded += 1
                is_keyframe = any(packet.is_keyframe for packet in packets)
                for track in list(self.viewers):
                    if track.needs_keyframe and not (is_keyframe and track in waiting):
                        continue  # joined mid-encode: wait for the keyframe forced next
                    track.needs_keyframe = False
                    for packet in packets:
                        track.push(packet)
        finally:
            subscription.close()


FORWARD_DELAYS_KEPT = 4096  # about 20 s of 4 cameras x 3 viewers at 15 fps


class PlaybackHub:
    """Owns the forwarders and the shared encoders, one of each at most per camera stream."""

    def __init__(self, feeds: FeedRegistry, settings: EncoderSettings) -> None:
        self._feeds = feeds
        self._settings = settings
        self._encoders: dict[CameraFeed, SharedEncoder] = {}
        self._forwarders: dict[CameraFeed, Forwarder] = {}
        self.forward_delays_s: deque[float] = deque(maxlen=FORWARD_DELAYS_KEPT)
        """The server's time of recent forwarded frames, from the publisher's jitter buffer
        to a viewer's sender (see :func:`proctor.rtc.prepacked.send_prepacked`)."""

    def watch(self, camera_id: int, forward: bool = False,
              stream: Stream | None = None) -> PacketTrack:
        """A track carrying the camera's ``stream`` (None: its live feed): its own H.264 if
        ``forward``, else the shared encoder's (started if needed)."""
        feed = self._feeds.stream(camera_id, stream)
        if forward:
            forwarder = self._forwarders.get(feed)
            if forwarder is None:
                forwarder = self._forwarders[feed] = Forwarder(feed)
            return forwarder.add_viewer()
        encoder = self._encoders.get(feed)
        if encoder is None:
            encoder = self._encoders[feed] = SharedEncoder(feed, self._settings)
        return encoder.add_viewer()

    async def unwatch(self, camera_id: int, track: PacketTrack) -> None:
        """Release a viewer's track; a forwarder or encoder stops with its last viewer."""
        for feed, forwarder in list(self._forwarders.items()):
            if feed.camera_id == camera_id and track in forwarder.viewers:
                forwarder.remove_viewer(track)
                if forwarder.idle:
                    del self._forwarders[feed]
                    forwarder.close()
                return
        for feed, encoder in list(self._encoders.items()):
            if feed.camera_id == camera_id and track in encoder.viewers:
                encoder.remove_viewer(track)
                if encoder.idle:
                    del self._encoders[feed]
                    await encoder.close()
                return

    def encoder_count(self) -> int:
        """How many camera streams are being encoded for playback."""
        return len(self._encoders)

    def forwarded_viewer_count(self) -> int:
        """How many viewers get a camera's own H.264."""
        return sum(len(forwarder.viewers) for forwarder in self._forwarders.values())

    def transcoded_viewer_count(self) -> int:
        """How many viewers get a shared encoder's output."""
        return sum(len(encoder.viewers) for encoder in self._encoders.values())

    def forward_delay_s(self, quantile: float) -> float:
        """A quantile (0-1) of the recent forwarded frames' time on the server (0: none)."""
        delays = sorted(self.forward_delays_s)
        return delays[round(quantile * (len(delays) - 1))] if delays else 0.0

    def viewer_count(self, camera_id: int) -> int:
        """How many viewers watch the camera, any stream, forwarded or transcoded."""
        fanouts: list[Forwarder | SharedEncoder] = [*self._forwarders.values(),
                                                     *self._encoders.values()]
        return sum(len(f.viewers) for f in fanouts if f.feed.camera_id == camera_id)

    async def close(self) -> None:
        """Stop every forwarder and encoder."""
        for forwarder in self._forwarders.values():
            forwarder.close()
        self._forwarders.clear()
        for encoder in list(self._encoders.values()):
            await encoder.close()
        self._encoders.clear()
