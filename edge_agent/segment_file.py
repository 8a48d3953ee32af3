"""One segment file being written: MPEG-TS remuxed from H.264 packets, hashed on the way.

Why MPEG-TS: it is a stream of self-contained 188-byte packets with no index or trailer, so a
file cut short by a crash or power loss is still playable up to the cut (an MP4 without its
``moov`` box is not), and segments concatenate byte-for-byte into one continuous stream
(the pts run on across segments), which is how clips are assembled without transcoding.
The muxer copies each packet's H.264 bytes as they are, adding only an access unit delimiter
NAL in front of each frame (``00 00 00 01 09 f0``), as MPEG-TS requires.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import BinaryIO

import av

from proctor.private_file import open_private
from proctor.rtc.h264 import VIDEO_CLOCK_RATE, VIDEO_TIME_BASE, H264Packet

DEFAULT_FRAME_PTS = VIDEO_CLOCK_RATE // 15
_START_CODE = b"\x00\x00\x01"
_SLICE, _IDR, _SPS, _PPS = 1, 5, 7, 8


def parameter_sets(data: bytes) -> bytes:
    """The SPS and PPS NAL units ahead of the first slice of an Annex-B access unit."""
    found = []
    position = data.find(_START_CODE)
    while 0 <= position < len(data) - 3:
        start = position + 3
        nal_type = data[start] & 0x1F
        if nal_type in (_SLICE, _IDR):
            break
        following = data.find(_START_CODE, start)
        if nal_type in (_SPS, _PPS):
            end = len(data) if following < 0 else following
            found.append(b"\x00\x00\x00\x01" + data[start:end].rstrip(b"\x00"))
        position = following
    return b"".join(found)


def packet_pts(packet: H264Packet) -> int:
    """The packet's pts; every packet recorded must carry one (on the 90 kHz clock)."""
    if packet.pts is None:
        raise ValueError("H.264 packet without pts: segments need timed packets")
    return packet.pts


class HashingFile:
    """The file PyAV writes to: hashes and counts bytes on their way to disk."""

    def __init__(self, file: BinaryIO) -> None:
        self.file = file
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        """Hash, count and write ``data``."""
        self.sha256.update(data)
        self.size += len(data)
        return self.file.write(data)


class SegmentFile:
    """One segment being written to its ``.part`` file."""

    def __init__(self, part: Path, start_ms: int, first_pts: int,
                 clock_offset_ms: float | None) -> None:
        self.part, self.start_ms, self.clock_offset_ms = part, start_ms, clock_offset_ms
        self.output = HashingFile(open_private(part))  # closed in close()
        try:
            self.container = av.open(self.output, "w", format="mpegts")
            self.stream = self.container.add_mux_stream("h264", time_base=VIDEO_TIME_BASE)
        except av.FFmpegError:
            self.output.file.close()
            raise
        self.first_pts = first_pts
        self.last_pts = first_pts - 1
        self.frame_pts = DEFAULT_FRAME_PTS
        self.last_wall_ms = start_ms
        self.packets = 0

    def write(self, packet: H264Packet, wall_ms: int) -> None:
        """Mux one packet (its bytes are not changed) that arrived at ``wall_ms``."""
        pts = packet_pts(packet)
        if self.packets:
            self.frame_pts = pts - self.last_pts
        self.last_pts, self.last_wall_ms = pts, wall_ms
        packet.stream = self.stream
        self.container.mux(packet)
        self.packets += 1

    def close(self) -> None:
        """Flush the muxer and make the bytes durable."""
        try:
            self.container.close()
            self.output.file.flush()
            os.fsync(self.output.file.fileno())
        finally:
            self.output.file.close()
