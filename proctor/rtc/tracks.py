"""Media tracks that hand ready-made H.264 packets to aiortc senders."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING

import av
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from proctor.rtc.h264 import H264Packet

if TYPE_CHECKING:
    from proctor.rtc.prepacked import ForwardedFrame


class PacketTrack(MediaStreamTrack):
    """A video track fed with encoded packets by a producer (an encoder or a camera source),
    or with a camera's access units forwarded to a viewer (a sender given
    :func:`proctor.rtc.prepacked.send_prepacked` takes those).

    The queue is bounded: a consumer that falls behind loses the backlog, and
    :attr:`needs_keyframe` tells the producer to send a keyframe so the peer can resync.
    ``on_start`` is called with the track when its sender first asks for a packet (the peer
    is connected), e.g. to queue the pictures it needs to start right away. ``track_id``
    replaces the random track id that the offer's ``a=msid`` carries (the edge agent names
    a camera's ``main`` and ``sub`` streams so).
    """

    kind = "video"

    def __init__(self, max_queue: int = 30,
                 on_start: Callable[[PacketTrack], None] | None = None,
                 track_id: str | None = None) -> None:
        super().__init__()
        if track_id is not None:
            self._id = track_id
        self._queue: asyncio.Queue[H264Packet | ForwardedFrame | None] = asyncio.Queue(
            maxsize=max_queue)
        self.needs_keyframe = True
        self._on_start = on_start

    @property
    def started(self) -> bool:
        """Whether the sender has asked for a packet yet (always true without ``on_start``)."""
        return self._on_start is None

    @property
    def backlog(self) -> int:
        """Packets queued and not yet taken by the sender."""
        return self._queue.qsize()

    def drop_backlog(self) -> None:
        """Forget the queued packets; the producer must resume at a keyframe."""
        while not self._queue.empty():
            self._queue.get_nowait()
        self.needs_keyframe = True

    def push(self, packet: H264Packet | ForwardedFrame) -> None:
        """Queue a packet without blocking; on overflow drop the backlog and ask for a keyframe."""
        if self.readyState != "live":
            return
        if self._queue.full():
            self.drop_backlog()
        self._queue.put_nowait(packet)

    async def recv(self) -> H264Packet | ForwardedFrame:  # type: ignore[override]
        """Return the next packet, or forwarded frame (which only a sender given
        :func:`proctor.rtc.prepacked.send_prepacked` takes); raises
        :class:`MediaStreamError` once the track has ended."""
        if self.readyState != "live":
            raise MediaStreamError
        if self._on_start is not None:
            on_start, self._on_start = self._on_start, None
            on_start(self)
        packet = await self._queue.get()
        if packet is None:
            raise MediaStreamError
        return packet

    def stop(self) -> None:
        """End the track and wake a pending :meth:`recv`."""
        if self.readyState == "live":
            super().stop()
            try:
                self._queue.put_nowait(None)
            except asyncio.QueueFull:
                self._queue.get_nowait()
                self._queue.put_nowait(None)


async def recv_video_frame(track: MediaStreamTrack) -> av.VideoFrame:
    """The next decoded frame of a remote video track (aiortc types ``recv`` as any media).

    Raises :class:`MediaStreamError` once the track has ended, like ``track.recv()``.
    """
    frame = await track.recv()
    if not isinstance(frame, av.VideoFrame):
        raise TypeError(f"expected a decoded video frame from the {track.kind} track, "
                        f"got {type(frame).__name__}")
    return frame
