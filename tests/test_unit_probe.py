"""The probe of an uploaded segment, on tiny MPEG-TS files written here: H.264 gives its size,
and anything else (another codec, no video, no decodable frame, not MPEG-TS) is refused with
a reason the uploader can act on."""

from __future__ import annotations

import io
from fractions import Fraction

import av
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proctor.errors import InvalidInput
from proctor.recording.probe import SegmentInfo, probe_segment


def transport_stream(codec: str | None, frames: int = 3, width: int = 64,
                     height: int = 48) -> bytes:
    """MPEG-TS with ``frames`` frames of ``codec`` video (``None``: audio only)."""
    out = io.BytesIO()
    with av.open(out, "w", format="mpegts") as container:
        if codec is None:
            audio = container.add_stream("mp2", rate=48000)
            samples = av.AudioFrame.from_ndarray(np.zeros((1, 1152), np.int16), format="s16",
                                                 layout="mono")
            samples.sample_rate = 48000
            container.mux(audio.encode(samples))
            container.mux(audio.encode(None))
        else:
            video = container.add_stream(codec, rate=10)
            video.width, video.height, video.pix_fmt = width, height, "yuv420p"
            for index in range(frames):
                picture = av.VideoFrame.from_ndarray(np.zeros((height, width, 3), np.uint8),
                                                     format="rgb24")
                picture.pts, picture.time_base = index, Fraction(1, 10)
                container.mux(video.encode(picture))
            container.mux(video.encode(None))
    return out.getvalue()


@pytest.fixture(scope="module")
def h264_segment() -> bytes:
    return transport_stream("libx264", width=96, height=64)


def test_h264_in_mpeg_ts_gives_its_frame_size(h264_segment: bytes) -> None:
    assert probe_segment(h264_segment) == SegmentInfo(96, 64)


def test_another_codec_is_named() -> None:
    with pytest.raises(InvalidInput, match="segment video is mpeg2video, not H.264"):
        probe_segment(transport_stream("mpeg2video"))


def test_a_segment_without_video_is_refused() -> None:
    with pytest.raises(InvalidInput, match="segment has no video stream"):
        probe_segment(transport_stream(None))


def test_a_cut_off_segment_without_a_whole_frame_is_refused(h264_segment: bytes) -> None:
    with pytest.raises(InvalidInput, match="no decodable H.264 frame|not readable MPEG-TS"):
        probe_segment(h264_segment[:188 * 4])  # the tables, but no complete picture


@pytest.mark.parametrize("data", [b"", b"not a transport stream at all" * 40],
                         ids=["empty", "text"])
def test_bytes_that_are_not_mpeg_ts_are_refused(data: bytes) -> None:
    with pytest.raises(InvalidInput, match="^segment "):
        probe_segment(data)


@settings(max_examples=30, deadline=None,  # untimed: one example took 282 ms on a loaded box
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_damaged_segments_give_a_size_or_a_clear_refusal(h264_segment: bytes,
                                                         data: st.DataObject) -> None:
    """Whatever an uploader sends, the probe answers or refuses: it never raises anything
    else (which would be a 500)."""
    damaged = bytearray(h264_segment)
    for offset in data.draw(st.lists(st.integers(0, len(damaged) - 1), max_size=20)):
        damaged[offset] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(damaged)))
    try:
        info = probe_segment(bytes(damaged[:cut]))
    except InvalidInput as error:
        assert str(error).startswith("segment ")
    else:
        assert info.width > 0 and info.height > 0
