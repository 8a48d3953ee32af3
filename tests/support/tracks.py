"""An in-memory publisher track and small frames, for tests of what consumes camera feeds
(the feed itself, the playback encoders) without a WebRTC peer."""

from __future__ import annotations

import asyncio
import itertools

import av
import numpy as np
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from proctor.media.feed import CameraFeed
from proctor.rtc.encoded import EncodedFrame
from proctor.rtc.h264 import EncoderSettings, H264Encoder


class QueueTrack(MediaStreamTrack):
    """A publisher's track: frames put in the queue come out of ``recv``; ``None`` ends it."""

    kind = "video"

    def __init__(self) -> None:
        super().__init__()
        self.queue: asyncio.Queue[av.VideoFrame | None] = asyncio.Queue()

    async def recv(self) -> av.VideoFrame:
        frame = await self.queue.get()
        if frame is None:
            raise MediaStreamError
        return frame


_shades = itertools.count()


def frame(width: int = 32, height: int = 16) -> av.VideoFrame:
    """A small frame with its own shade, so frames are told apart."""
    picture = np.full((height, width, 3), next(_shades) % 256, np.uint8)
    return av.VideoFrame.from_ndarray(picture, format="rgb24")


class H264Camera:
    """Publishes libx264 access units (a keyframe every ``gop`` frames, 15 fps) into a feed's
    track, as a WHIP publisher's tapped receiver hands them over."""

    def __init__(self, feed: CameraFeed, gop: int = 10) -> None:
        self.track = QueueTrack()
        self.encoder = H264Encoder(EncoderSettings(gop_seconds=gop / 15))
        self.sent: list[EncodedFrame] = []
        self._timestamp = 0
        feed.attach(self.track)

    def send(self, count: int) -> None:
        """Encode and publish ``count`` small frames."""
        for _ in range(count):
            for packet in self.encoder.encode(frame(64, 48)):
                self._timestamp += 6000
                encoded = EncodedFrame.parse(bytes(packet), self._timestamp)
                self.sent.append(encoded)
                self.track.queue.put_nowait(encoded)  # type: ignore[arg-type]
