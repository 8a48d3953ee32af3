"""An in-memory publisher track and small frames, for tests of what consumes camera feeds
(the feed itself, the playback encoders) without a WebRTC peer."""

from __future__ import annotations

import asyncio
import itertools

import av
import numpy as np
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack


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
