"""One segment file: H.264 packets remuxed (bytes unchanged) into MPEG-TS, hashed and counted
on the way to disk; parameter sets found in an access unit; untimed packets refused."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import av
import numpy as np
import pytest

from edge_agent.segment_file import (
    DEFAULT_FRAME_PTS,
    HashingFile,
    SegmentFile,
    packet_pts,
    parameter_sets,
)
from proctor.rtc.h264 import EncoderSettings, H264Encoder

SPS = b"\x00\x00\x00\x01\x67\x42\xc0\x1e\xab"
PPS = b"\x00\x00\x00\x01\x68\xce\x3c\x80"
IDR = b"\x00\x00\x01\x65\x88\x84\x00"
SEI = b"\x00\x00\x00\x01\x06\x05\x01\x00"


@pytest.mark.parametrize("unit, expected", [
    (SPS + PPS + IDR, SPS + PPS),
    (SEI + SPS + PPS + IDR, SPS + PPS),  # other NAL units ahead are skipped
    (IDR + SPS + PPS, b""),  # only what comes before the first slice counts
    (SPS + b"\x00\x00" + PPS + IDR, SPS + PPS),  # trailing zero bytes are not part of a NAL
    (b"\x00\x00\x00\x01\x41\x9a", b""),  # a P-frame: no parameter sets
    (b"", b""), (b"\x00\x00\x01", b""), (b"garbage without start codes", b""),
])
def test_parameter_sets_ahead_of_the_first_slice(unit: bytes, expected: bytes) -> None:
    assert parameter_sets(unit) == expected


def test_packets_without_pts_are_refused() -> None:
    packet = av.Packet(b"\x00\x00\x00\x01\x65")
    with pytest.raises(ValueError, match="without pts"):
        packet_pts(packet)
    packet.pts = 0
    assert packet_pts(packet) == 0


def test_hashing_file_hashes_counts_and_writes() -> None:
    target = io.BytesIO()
    hashing = HashingFile(target)
    for chunk in (b"abc", b"", b"\x00" * 1000):
        assert hashing.write(chunk) == len(chunk)
    assert target.getvalue() == b"abc" + b"\x00" * 1000 and hashing.size == 1003
    assert hashing.sha256.hexdigest() == hashlib.sha256(target.getvalue()).hexdigest()


def encoded(count: int) -> list[av.Packet]:
    """Real H.264 packets: a keyframe and P-frames at 15 fps on the 90 kHz clock."""
    encoder = H264Encoder(EncoderSettings(gop_seconds=100))
    packets = []
    for index in range(count):
        pixels = np.full((96, 128, 3), (index * 9) % 255, np.uint8)
        for packet in encoder.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")):
            packet.pts = packet.dts = index * DEFAULT_FRAME_PTS
            packets.append(packet)
    return packets


def test_a_segment_holds_the_packets_unchanged_and_its_hash_is_the_file(tmp_path: Path) -> None:
    part = tmp_path / "1790000000000.ts.part"
    segment = SegmentFile(part, 1_790_000_000_000, first_pts=0, clock_offset_ms=12.5)
    packets = encoded(10)
    originals = [bytes(p) for p in packets]
    for index, packet in enumerate(packets):
        segment.write(packet, wall_ms=1_790_000_000_000 + index * 66)
    segment.close()
    data = part.read_bytes()
    assert segment.output.size == len(data) and len(data) % 188 == 0  # whole TS packets
    assert segment.output.sha256.hexdigest() == hashlib.sha256(data).hexdigest()
    assert segment.packets == 10 and segment.last_pts == 9 * DEFAULT_FRAME_PTS
    assert segment.frame_pts == DEFAULT_FRAME_PTS and segment.last_wall_ms == 1_790_000_000_594
    with av.open(str(part)) as container:
        muxed = [bytes(p) for p in container.demux(video=0) if p.size]
    aud = b"\x00\x00\x00\x01\x09\xf0"  # the only bytes the muxer adds
    assert [m.removeprefix(aud) for m in muxed] == originals


def test_an_existing_part_file_is_never_overwritten(tmp_path: Path) -> None:
    part = tmp_path / "1.ts.part"
    part.write_bytes(b"earlier footage")
    with pytest.raises(FileExistsError):
        SegmentFile(part, 1, first_pts=0, clock_offset_ms=None)
    assert part.read_bytes() == b"earlier footage"


def test_an_untimed_packet_is_refused_and_nothing_is_counted(tmp_path: Path) -> None:
    segment = SegmentFile(tmp_path / "2.ts.part", 2, first_pts=0, clock_offset_ms=None)
    packet = encoded(1)[0]
    packet.pts = None
    with pytest.raises(ValueError, match="without pts"):
        segment.write(packet, wall_ms=2)
    segment.close()
    assert segment.packets == 0
