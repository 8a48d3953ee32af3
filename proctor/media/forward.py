"""Forwarding: a camera's own H.264 sent to its viewers, with no decode and no encode.

One :class:`Forwarder` per watched camera takes every access unit from the feed and pushes it
to each viewer's track, packetized once for all of them (proctor/rtc/prepacked.py). A
viewer starts from the cached GOP: when its peer connects, the keyframe and every frame
since are queued at once, restamped 1 ms apart and ending at the
newest frame's time, so the browser shows the current picture right away instead of waiting
up to a keyframe interval (aiortc ignores keyframe requests for pre-encoded video) or
replaying the GOP at its own pace. A viewer whose sender falls more than
``MAX_BACKLOG_FRAMES`` behind (once its joining GOP had ``BURST_GRACE_S`` to go out) drops
its backlog and waits for the next keyframe, so a slow peer never accumulates latency.
A new publisher's clock starts again from 0 (aiortc maps each
receiver's first timestamp to 0), so the forwarder shifts timestamps to keep every viewer's
clock moving forward across publisher reconnects.
"""

from __future__ import annotations

import logging
import time

from proctor.media.feed import CameraFeed
from proctor.rtc.encoded import EncodedFrame
from proctor.rtc.prepacked import ForwardedFrame
from proctor.rtc.tracks import PacketTrack

logger = logging.getLogger(__name__)

BURST_STEP = 90  # 1 ms on the 90 kHz clock between the restamped frames of a joining GOP
RESTART_STEP = 3000  # what follows the last frame of a publisher that was replaced (1/30 s)
MAX_BACKLOG_FRAMES = 30  # 2 s at 15 fps: beyond this a viewer skips to the next keyframe
BURST_GRACE_S = 2.0  # a joining viewer's GOP (up to 60 frames at a 4 s GOP) may queue this long
VIEWER_QUEUE = 720  # a GOP of up to 40 s at 15 fps plus the frames sent while it goes out


class Forwarder:
    """Fans one camera's access units out to its forwarded viewers."""

    def __init__(self, feed: CameraFeed) -> None:
        self.feed = feed
        self.viewers: set[PacketTrack] = set()
        self._offset = 0  # added to the feed's timestamps
        self._last: int | None = None  # the last timestamp forwarded
        self._started_at: dict[PacketTrack, float] = {}
        feed.add_encoded_sink(self._forward)

    def add_viewer(self) -> PacketTrack:
        """A new viewer track; it starts from the cached GOP once its peer connects."""
        track = PacketTrack(max_queue=VIEWER_QUEUE, on_start=self._start)
        self.viewers.add(track)
        return track

    def remove_viewer(self, track: PacketTrack) -> None:
        """Forget a viewer (idempotent)."""
        track.stop()
        self.viewers.discard(track)
        self._started_at.pop(track, None)

    @property
    def idle(self) -> bool:
        """No viewer left."""
        return not self.viewers

    def close(self) -> None:
        """Stop forwarding and end every viewer track."""
        self.feed.remove_encoded_sink(self._forward)
        for track in list(self.viewers):
            self.remove_viewer(track)

    def _start(self, track: PacketTrack) -> None:
        self._started_at[track] = time.monotonic()
        gop = self.feed.gop()
        if not gop:
            return  # needs_keyframe stays set: the next keyframe starts it
        newest = gop[-1].timestamp + self._offset
        for index, frame in enumerate(gop):
            restamped = newest - (len(gop) - 1 - index) * BURST_STEP
            track.push(ForwardedFrame(frame, restamped, live=False))
        track.needs_keyframe = False
        logger.debug("viewer started from a GOP of %d frames", len(gop),
                     extra={"camera": self.feed.camera_id})

    def _forward(self, frame: EncodedFrame) -> None:
        timestamp = frame.timestamp + self._offset
        if self._last is not None and timestamp <= self._last:  # a new publisher's clock
            self._offset += self._last + RESTART_STEP - timestamp
            timestamp = self._last + RESTART_STEP
        self._last = timestamp
        forwarded = None
        now = time.monotonic()
        for track in list(self.viewers):
            if not track.started:
                continue  # not connected yet: it starts from the GOP
            if (track.backlog > MAX_BACKLOG_FRAMES
                    and now - self._started_at.get(track, now) > BURST_GRACE_S):
                track.drop_backlog()
            if track.needs_keyframe:
                if not frame.keyframe:
                    continue
                track.needs_keyframe = False
            forwarded = forwarded or ForwardedFrame(frame, timestamp)
            track.push(forwarded)
