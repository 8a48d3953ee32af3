"""A video jitter buffer that hands a frame on as soon as its last packet arrives.

aiortc's ``JitterBuffer`` knows a frame is complete only when the first packet of the next
frame arrives (a new RTP timestamp), so every frame waits one frame interval in each aiortc
receiver it passes (67 ms at 15 fps): once on the server, once more in an aiortc viewer.
It also rescans the frame from its first packet on every packet. :class:`MarkerJitterBuffer`
also ends a frame at the packet carrying the RTP marker bit (the last packet of an H.264
access unit, RFC 6184 section 5.1), as browsers do, and scans only when a frame can have
become complete. A sender that never sets the marker is handled as before, by the timestamp.

:func:`complete_frames_at_marker` installs it on a receiver through aiortc internals (the
name-mangled ``__jitter_buffer``), checked like the encoded-frame tap
(proctor/rtc/encoded.py) and pinned by tests/test_rtc_encoded_tap.py.
"""

from __future__ import annotations

from aiortc import RTCRtpReceiver
from aiortc.jitterbuffer import JitterBuffer, JitterFrame
from aiortc.rtp import RtpPacket

VIDEO_CAPACITY = 512  # aiortc's for video


class MarkerJitterBuffer(JitterBuffer):
    """aiortc's video jitter buffer, but a frame ends at its marker packet too."""

    def __init__(self, capacity: int = VIDEO_CAPACITY) -> None:
        super().__init__(capacity, is_video=True)
        self._newest: RtpPacket | None = None  # the packet with the highest sequence number
        self._rescan = False  # the last scan took a frame: another may be complete too

    def _remove_frame(self, sequence_number: int) -> JitterFrame | None:
        packet = self._packets[sequence_number % self._capacity]
        assert packet is not None
        newest, self._newest = self._newest, packet
        mid_frame = (newest is not None and not packet.marker
                     and packet.timestamp == newest.timestamp
                     and sequence_number == (newest.sequence_number + 1) % 65536)
        if mid_frame and not self._rescan:
            return None  # the next packet of a frame, in order: no frame can have completed
        if newest is not None and (newest.sequence_number - sequence_number) % 65536 < 32768:
            self._newest = newest  # a late packet (a retransmission) fills a gap
        frame = self._first_complete_frame()
        self._rescan = frame is not None
        return frame

    def _first_complete_frame(self) -> JitterFrame | None:
        """The frame at the buffer's origin if all its packets are here; removed from it."""
        assert self._origin is not None
        packets: list[RtpPacket] = []
        for count in range(self._capacity):
            packet = self._packets[(self._origin + count) % self._capacity]
            if packet is None:
                return None
            if packets and packet.timestamp != packets[0].timestamp:
                break  # the next frame started: this one is complete (aiortc's rule)
            packets.append(packet)
            if packet.marker:
                break  # the frame's last packet
        else:
            return None
        self.remove(len(packets))
        return JitterFrame(data=b"".join(p._data for p in packets),  # type: ignore[attr-defined]
                           timestamp=packets[0].timestamp)


def complete_frames_at_marker(receiver: RTCRtpReceiver) -> None:
    """Give a video ``receiver`` a :class:`MarkerJitterBuffer` (before any packet arrives)."""
    name = "_RTCRtpReceiver__jitter_buffer"
    current = getattr(receiver, name, None)
    if isinstance(current, MarkerJitterBuffer):
        return
    if not isinstance(current, JitterBuffer) or current.capacity != VIDEO_CAPACITY:
        raise RuntimeError("aiortc's video receiver no longer has the jitter buffer "
                           "proctor/rtc/jitter.py replaces")
    setattr(receiver, name, MarkerJitterBuffer())
