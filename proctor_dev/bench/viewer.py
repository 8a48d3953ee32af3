"""A headless WHEP viewer: receives one camera, counts frames, reads latency stamps."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin

import httpx
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from edge_agent.testsrc import frame_luma, now_millis, read_stamp
from proctor.rtc.ice import build_rtc_configuration
from proctor.rtc.jitter import complete_frames_at_marker
from proctor.rtc.tracks import recv_video_frame


@dataclass
class ViewerStats:
    """What a viewer saw."""

    frames: int = 0
    width: int = 0
    height: int = 0
    first_frame_s: float | None = None  # since start(), negotiation included
    connected_s: float | None = None  # since start(), when the peer connection connected
    latencies_ms: list[float] = field(default_factory=list)
    indexes: list[tuple[int, int]] = field(default_factory=list)  # (arrival ms, frame index)
    frame_times: list[float] = field(default_factory=list)

    @property
    def first_frame_after_connect_s(self) -> float | None:
        """How long the first picture took once the connection was up (what the GOP and
        the server decide; negotiation excluded)."""
        if self.first_frame_s is None or self.connected_s is None:
            return None
        return self.first_frame_s - self.connected_s


class WhepViewer:
    """Watches ``camera_id`` on ``base_url`` with a console session token: its ``stream``
    (``main`` or ``sub``; None: the server's default). ``edit_offer`` changes the SDP offer
    before it is sent (a test's way to offer other codecs than aiortc's). ``read_stamps``
    reads each frame's stamp as its send time (latency now); ``read_indexes`` keeps it as a
    frame index with the arrival time, for the caller to join with the send times."""

    def __init__(self, base_url: str, camera_id: int, session_token: str,
                 read_stamps: bool = False, stream: str | None = None,
                 edit_offer: Callable[[str], str] | None = None,
                 read_indexes: bool = False) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        self.camera_id = camera_id
        self.stream = stream
        self._edit_offer = edit_offer
        self.stats = ViewerStats()
        self._token = session_token
        self._read_stamps = read_stamps
        self._read_indexes = read_indexes
        self._pc = RTCPeerConnection(build_rtc_configuration([]))
        self._location: str | None = None
        self._reader: asyncio.Task[None] | None = None
        self._started = 0.0

    async def start(self) -> None:
        """Negotiate over WHEP; raises ``httpx.HTTPStatusError`` if the server refuses."""
        self._started = time.monotonic()
        # a frame is decoded once its last packet is in, as a browser does (aiortc's own
        # jitter buffer waits for the next frame's first packet: a frame interval more)
        complete_frames_at_marker(self._pc.addTransceiver("video", direction="recvonly").receiver)

        @self._pc.on("track")
        def _on_track(track: MediaStreamTrack) -> None:
            self._reader = asyncio.create_task(self._read(track))

        @self._pc.on("connectionstatechange")
        def _on_state() -> None:
            if self._pc.connectionState == "connected" and self.stats.connected_s is None:
                self.stats.connected_s = time.monotonic() - self._started

        await self._pc.setLocalDescription(await self._pc.createOffer())
        url = urljoin(self.base_url, f"whep/{self.camera_id}")
        offer = self._pc.localDescription.sdp
        async with httpx.AsyncClient(timeout=60) as http:  # a loaded host answers late
            response = await http.post(
                url, content=self._edit_offer(offer) if self._edit_offer else offer,
                params={"stream": self.stream} if self.stream else None,
                headers={"Content-Type": "application/sdp",
                         "Authorization": f"Bearer {self._token}"},
            )
        response.raise_for_status()
        self._location = urljoin(url, response.headers["location"])
        await self._pc.setRemoteDescription(RTCSessionDescription(response.text, "answer"))

    async def _read(self, track: MediaStreamTrack) -> None:
        with contextlib.suppress(MediaStreamError):
            while True:
                frame = await recv_video_frame(track)
                now = time.monotonic()
                stats = self.stats
                if stats.first_frame_s is None:
                    stats.first_frame_s = now - self._started
                stats.frames += 1
                stats.width, stats.height = frame.width, frame.height
                stats.frame_times.append(now)
                if self._read_stamps:
                    stats.latencies_ms.append(now_millis() - read_stamp(frame_luma(frame)))
                if self._read_indexes:
                    stats.indexes.append((now_millis(), read_stamp(frame_luma(frame))))

    async def stop(self) -> None:
        """End the session (DELETE) and close the connection."""
        if self._location:
            async with httpx.AsyncClient(timeout=5) as http:
                with contextlib.suppress(httpx.HTTPError):
                    await http.delete(self._location,
                                      headers={"Authorization": f"Bearer {self._token}"})
        if self._reader:
            self._reader.cancel()
        await self._pc.close()
