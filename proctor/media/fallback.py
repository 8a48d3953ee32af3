"""A camera's sub stream that stops while its main stream goes on (the camera's second RTSP
channel died, the agent's sub pipeline is retrying): its viewers fall back to the main stream.

Without this a viewer of the sub stream (named, or the default) froze on its last picture for
as long as the publisher stayed connected, since the session itself was healthy. A sub stream
is stalled when it has sent no frame for ``STALL_FACTOR`` times the feed's ``offline_after_s``
(9 s by default) while the main stream is online: a hiccup of a few seconds (a burst lost and
retransmitted, a slow keyframe) must not move every viewer. Then new viewers asking for it
get the main stream, the camera's streams are listed as main only (the console hides its
主码流/子码流 switch), its status is the main stream's, and
:class:`StalledSubWatch` ends the sessions still on the sub stream so their clients, which
reconnect by themselves (web/static/whep.js), come back on the main stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from proctor.media.feed import FeedRegistry, Stream

logger = logging.getLogger(__name__)

WATCH_INTERVAL_S = 1.0
STALL_FACTOR = 3.0


def sub_stalled(feeds: FeedRegistry, camera_id: int) -> bool:
    """Whether the camera publishes sub and main, and only the main stream delivers now."""
    published = feeds.streams(camera_id)
    if published[:1] != ("sub",) or "main" not in published:
        return False
    sub = feeds.stream(camera_id, "sub")
    age = sub.status().last_frame_age_s
    stalled = age is None or age > STALL_FACTOR * sub.offline_after_s
    return stalled and feeds.stream(camera_id, "main").status().online


def viewable_streams(feeds: FeedRegistry, camera_id: int) -> tuple[Stream, ...]:
    """The streams a viewer can watch now, the default first: those the camera's publisher
    sends, less a stalled sub stream."""
    if sub_stalled(feeds, camera_id):
        return ("main",)
    return feeds.streams(camera_id)


def stream_to_watch(feeds: FeedRegistry, camera_id: int, asked: Stream | None) -> Stream | None:
    """The stream a viewer asking for ``asked`` (None: the default) gets: the main stream in
    place of a stalled sub stream, else what was asked."""
    if asked != "main" and sub_stalled(feeds, camera_id):
        return "main"
    return asked


class StalledSubWatch:
    """Checks every ``interval_s`` the cameras that publish two streams and calls
    ``end_sub_viewers(camera_id)`` for each whose sub stream has stalled."""

    def __init__(self, feeds: FeedRegistry,
                 end_sub_viewers: Callable[[int], Awaitable[None]],
                 interval_s: float = WATCH_INTERVAL_S) -> None:
        self._feeds = feeds
        self._end_sub_viewers = end_sub_viewers
        self._interval_s = interval_s
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start watching (idempotent)."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="stalled-sub-watch")

    async def close(self) -> None:
        """Stop watching."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval_s)
            for camera_id, _ in self._feeds.items():
                if sub_stalled(self._feeds, camera_id):
                    try:
                        await self._end_sub_viewers(camera_id)
                    except Exception:  # the watch must outlive one camera's failure
                        logger.exception("ending the sub stream's viewers failed",
                                         extra={"camera": camera_id})
