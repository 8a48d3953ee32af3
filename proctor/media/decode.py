"""Decoding a camera's H.264 on the server, only as much as its consumers need.

The feed hands each access unit to :class:`FeedDecoder`, which decodes on a worker thread of
its own (several cameras use several cores; the event loop never waits):

- while a consumer needs every picture (a transcoding viewer's shared encoder), every frame,
  starting from the current GOP's keyframe so the first picture comes at once;
- otherwise keyframes only, each with a fresh decoder: this is what the analysis sampler and
  the scene editor's snapshot read, at the camera's keyframe interval (1 s by default).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import av

from proctor.rtc.encoded import EncodedFrame

logger = logging.getLogger(__name__)


class FeedDecoder:
    """Decodes one camera's access units on demand and reports each newest picture."""

    def __init__(self, camera_id: int, deliver: Callable[[av.VideoFrame], None]) -> None:
        self.camera_id = camera_id
        self.frames_decoded = 0
        self._deliver = deliver
        self._codec: av.VideoCodecContext | None = None
        self._every_frame = False
        self._executor = ThreadPoolExecutor(1, thread_name_prefix=f"dec-{camera_id}")

    def push(self, frame: EncodedFrame, gop: Sequence[EncodedFrame], every_frame: bool) -> None:
        """Decode what ``frame`` calls for; ``gop`` is the current GOP up to and with it."""
        if every_frame:
            batch = [frame] if self._every_frame else list(gop)  # catch up from the keyframe
            fresh = not self._every_frame
        elif frame.keyframe:
            batch, fresh = [frame], True
        else:
            batch, fresh = [], False
        self._every_frame = every_frame and bool(batch)
        if batch:
            future = self._executor.submit(self._decode, batch, fresh, every_frame)
            asyncio.wrap_future(future).add_done_callback(self._done)

    def _decode(self, batch: list[EncodedFrame], fresh: bool,
                keep_going: bool) -> av.VideoFrame | None:
        """On the worker: decode ``batch`` (with a new decoder if ``fresh``); the last picture."""
        if fresh or self._codec is None:
            self._codec = av.CodecContext.create("h264", "r")
            # one thread: a pool of slice threads per fresh decoder costs more than it saves
            # (a lone 720p keyframe: 2.9 ms of CPU against 1.9); this worker is the
            # camera's own thread already
            self._codec.thread_count = 1
        pictures: list[av.VideoFrame] = []
        for encoded in batch:
            pictures += self._codec.decode(encoded.to_packet())
        if not keep_going:  # a keyframe alone: drain it, the next keyframe starts afresh
            pictures += self._codec.decode(None)
            self._codec = None
        self.frames_decoded += len(batch)
        return pictures[-1] if pictures else None

    def _done(self, future: asyncio.Future[av.VideoFrame | None]) -> None:
        if future.cancelled():
            return
        error = future.exception()
        if error is not None:
            logger.warning("decode failed: %s", error, extra={"camera": self.camera_id})
            self._every_frame = False  # restart from the next keyframe
            return
        picture = future.result()
        if picture is not None:
            self._deliver(picture)

    def close(self) -> None:
        """Stop the worker (pending decodes are dropped)."""
        self._executor.shutdown(wait=False, cancel_futures=True)
