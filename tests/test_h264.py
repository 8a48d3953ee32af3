"""The live H.264 encoder and codec helpers: decodable Annex-B packets stamped on the 90 kHz
clock, strictly increasing timestamps, keyframes on demand and on a size change."""

from __future__ import annotations

import av
import numpy as np
import pytest
from aiortc import RTCPeerConnection

from proctor.rtc.h264 import (
    VIDEO_CLOCK_RATE,
    VIDEO_TIME_BASE,
    EncoderSettings,
    H264Encoder,
    h264_capabilities,
    offers_h264,
    prefer_h264,
)
from proctor.rtc.ice import build_rtc_configuration


def frame(width: int, height: int, shade: int = 0, fmt: str = "rgb24") -> av.VideoFrame:
    pixels = np.full((height, width, 3), shade, np.uint8)
    pixels[: height // 2, : width // 2] = 255 - shade  # some detail to encode
    return av.VideoFrame.from_ndarray(pixels, format="rgb24").reformat(format=fmt)


def nal_types(data: bytes) -> set[int]:
    """The NAL unit types of an Annex-B access unit."""
    return {part[0] & 0x1F for part in data.split(b"\x00\x00\x01")[1:] if part}


def decode(packets: list[av.Packet]) -> list[av.VideoFrame]:
    decoder = av.CodecContext.create("h264", "r")
    return [f for p in packets for f in decoder.decode(p)]


def test_the_first_frame_is_a_decodable_keyframe_with_parameter_sets() -> None:
    packets = H264Encoder().encode(frame(320, 240))
    assert len(packets) == 1 and packets[0].is_keyframe
    data = bytes(packets[0])
    assert data.startswith(b"\x00\x00\x00\x01")  # Annex-B
    assert {7, 8, 5} <= nal_types(data)  # SPS, PPS and an IDR slice
    assert packets[0].time_base == VIDEO_TIME_BASE
    assert [(f.width, f.height) for f in decode(packets)] == [(320, 240)]


def test_timestamps_strictly_increase_even_when_frames_come_at_once() -> None:
    encoder = H264Encoder()
    pts = [p.pts for i in range(10) for p in encoder.encode(frame(160, 120, shade=i * 20))]
    assert len(pts) == 10 and all(b > a for a, b in zip(pts, pts[1:], strict=False))
    assert pts[-1] < 60 * VIDEO_CLOCK_RATE  # encode time, not an arbitrary counter


def test_keyframes_on_demand_otherwise_predicted() -> None:
    encoder = H264Encoder(EncoderSettings(gop_seconds=100))
    first = encoder.encode(frame(160, 120))
    later = encoder.encode(frame(160, 120, shade=30))
    forced = encoder.encode(frame(160, 120, shade=60), force_keyframe=True)
    assert first[0].is_keyframe and not later[0].is_keyframe and forced[0].is_keyframe


def test_a_new_size_reopens_the_encoder_with_a_keyframe() -> None:
    encoder = H264Encoder()
    encoder.encode(frame(160, 120))
    resized = encoder.encode(frame(320, 180))
    assert resized[0].is_keyframe
    assert [(f.width, f.height) for f in decode(resized)] == [(320, 180)]


@pytest.mark.parametrize("fmt", ["rgb24", "yuv420p", "gray"])
def test_any_pixel_format_is_accepted(fmt: str) -> None:
    decoded = decode(H264Encoder().encode(frame(64, 48, fmt=fmt)))
    assert [(f.width, f.height) for f in decoded] == [(64, 48)]


def test_the_h264_capabilities_include_retransmission() -> None:
    mimes = {c.mimeType.lower() for c in h264_capabilities()}
    assert mimes == {"video/h264", "video/rtx"}


async def test_prefer_h264_makes_an_offer_with_h264_only() -> None:
    pc = RTCPeerConnection(build_rtc_configuration([]))
    try:
        prefer_h264(pc.addTransceiver("video", direction="sendonly"))
        await pc.setLocalDescription(await pc.createOffer())
        sdp = pc.localDescription.sdp
    finally:
        await pc.close()
    assert offers_h264(sdp) and "VP8/90000" not in sdp


@pytest.mark.parametrize("sdp, expected", [
    ("a=rtpmap:96 H264/90000\r\n", True), ("a=rtpmap:96 h264/90000\r\n", True),
    ("a=rtpmap:96 VP8/90000\r\n", False), ("", False), ("H264/9000", False),
])
def test_offers_h264(sdp: str, expected: bool) -> None:
    assert offers_h264(sdp) is expected
