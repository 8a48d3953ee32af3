"""The agent's camera sources on tiny clips written here: H.264 without B-frames passes
through as Annex-B packets on the 90 kHz clock, anything else is decoded to frames, a looping
file keeps its clock running, a live stream that ends is a failure, and every failure names
the source without its password. Also ``proctor-edge check`` over those sources."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
import typer

from edge_agent import sources
from edge_agent.cli import check
from edge_agent.config import CameraConfig
from edge_agent.sources import (
    ContainerSource,
    SourceError,
    open_source,
    redact_url,
)
from proctor.rtc.h264 import VIDEO_CLOCK_RATE

FRAMES, FPS = 10, 10


def write_clip(path: Path, codec: str, options: dict[str, str] | None = None) -> Path:
    """``FRAMES`` frames of 64x48 video at ``FPS`` in ``codec``."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=FPS)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        stream.options = options or {}
        for index in range(FRAMES):
            picture = np.full((48, 64, 3), index * 20, np.uint8)
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
            frame.pts, frame.time_base = index, Fraction(1, FPS)
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


@pytest.fixture(scope="module")
def h264_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_clip(tmp_path_factory.mktemp("clips") / "clip.mp4", "libx264",
                      {"bf": "0", "g": "5"})


@pytest.fixture(scope="module")
def mpeg4_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_clip(tmp_path_factory.mktemp("clips") / "clip.avi", "mpeg4")


@pytest.mark.parametrize(("url", "shown"), [
    ("rtsp://admin:secret@10.0.0.5:554/stream1", "rtsp://admin:***@10.0.0.5:554/stream1"),
    ("rtsp://admin:secret@cam.local/s?x=1", "rtsp://admin:***@cam.local/s?x=1"),
    ("rtsp://viewer@cam.local/s", "rtsp://viewer@cam.local/s"),
    ("file:///srv/footage.mp4", "file:///srv/footage.mp4"),
])
def test_passwords_never_reach_logs(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_h264_without_b_frames_passes_through_as_annex_b_on_the_90khz_clock(
        h264_clip: Path) -> None:
    source = ContainerSource(str(h264_clip), "camera 1", paced=False)
    packets = list(source.items())
    source.close()
    assert source.passthrough
    assert len(packets) == FRAMES
    assert [p.pts for p in packets] == [i * VIDEO_CLOCK_RATE // FPS for i in range(FRAMES)]
    assert all(bytes(p).startswith((b"\0\0\0\1", b"\0\0\1")) for p in packets)  # not AVCC
    assert packets[0].is_keyframe and packets[5].is_keyframe


def test_other_codecs_are_decoded_to_frames(mpeg4_clip: Path) -> None:
    source = ContainerSource(str(mpeg4_clip), "camera 2", paced=False)
    items = list(source.items())
    assert not source.passthrough
    assert len(items) == FRAMES
    assert all(isinstance(item, av.VideoFrame) for item in items)
    assert (items[0].width, items[0].height) == (64, 48)


def test_a_looping_file_keeps_its_clock_running(h264_clip: Path) -> None:
    source = ContainerSource(str(h264_clip), "camera 1", paced=False, loop=True)
    items = source.items()
    pts = [next(items).pts for _ in range(FRAMES * 2 + 1)]
    source.close()
    assert pts == sorted(pts) and len(set(pts)) == len(pts)
    assert pts[FRAMES] >= pts[FRAMES - 1] + VIDEO_CLOCK_RATE // FPS


def test_a_live_stream_that_ends_is_a_failure_to_retry(h264_clip: Path) -> None:
    source = ContainerSource(str(h264_clip), "camera 1", paced=False, live=True)
    with pytest.raises(SourceError, match="camera 1: the stream ended"):
        list(source.items())


def test_a_file_without_video_says_so(tmp_path: Path) -> None:
    path = tmp_path / "sound.wav"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("pcm_s16le", rate=8000)
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 800), np.int16), format="s16",
                                           layout="mono")
        frame.sample_rate = 8000
        container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    with pytest.raises(SourceError, match="camera 3 has no video stream"):
        list(ContainerSource(str(path), "camera 3").items())


def test_an_unreadable_url_names_the_source_without_its_password(tmp_path: Path) -> None:
    url = f"file://user:hunter2@localhost{tmp_path}/missing.mp4"
    with pytest.raises(SourceError, match="cannot open camera 4") as error:
        list(ContainerSource(url, "camera 4").items())
    assert "hunter2" not in str(error.value)


def test_each_scheme_opens_its_kind_of_source(h264_clip: Path) -> None:
    file_source = open_source(CameraConfig(id=1, source=f"file://{h264_clip}", loop=False))
    assert isinstance(file_source, ContainerSource) and file_source.url == str(h264_clip)
    rtsp = open_source(CameraConfig(id=2, source="rtsp://u:p@cam/s", rtsp_transport="udp"))
    assert isinstance(rtsp, ContainerSource) and rtsp.label == "camera 2 (rtsp://u:***@cam/s)"
    v4l2 = open_source(CameraConfig(id=3, source="v4l2:///dev/video7"))
    assert isinstance(v4l2, ContainerSource) and v4l2.url == "/dev/video7"
    pattern = open_source(CameraConfig(id=4, source="testsrc://stamp?width=768&height=64&fps=50"))
    assert isinstance(pattern, sources.TestPatternSource)  # named so: pytest would collect it
    frame = next(iter(pattern.items()))
    assert (frame.width, frame.height) == (768, 64)


def test_a_missing_file_is_named() -> None:
    with pytest.raises(SourceError, match="camera 5 .*: file /nonexistent/a.mp4 does not exist"):
        open_source(CameraConfig(id=5, source="file:///nonexistent/a.mp4"))


def test_a_test_pattern_too_small_for_its_stamp_is_refused() -> None:
    with pytest.raises(ValueError, match="test pattern needs at least 768x64"):
        open_source(CameraConfig(id=6, source="testsrc://stamp?width=320&height=240"))


def test_check_reports_each_camera_and_fails_if_one_fails(
        tmp_path: Path, h264_clip: Path, mpeg4_clip: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "agent.toml"
    config.write_text(f"server_url = 'https://p.example'\ntoken = 'pdt_1_{'a' * 43}'\n"
                      f"[[cameras]]\nid = 1\nsource = 'file://{h264_clip}'\n"
                      f"sub_source = 'file://{mpeg4_clip}'\ngop_seconds = 2.0\n"
                      f"[[cameras]]\nid = 2\nsource = 'file://{mpeg4_clip}'\n")
    with pytest.raises(typer.Exit) as done:
        check(config)
    assert done.value.exit_code == 0
    # an H.264 stream's rate and GOP are measured (the clip's -g 5); a raw one's are ours
    assert capsys.readouterr().out.splitlines() == [
        "camera 1: ok, packets, H.264 sent as is: h264 64x48, 10 fps, GOP 5 frames (0.5 s)",
        "camera 1 sub: ok, videoframes, encoded once to H.264: mpeg4 64x48, 10 fps, "
        "GOP 20 frames (2.0 s), 200 kbit/s",
        "camera 2: ok, videoframes, encoded once to H.264: mpeg4 64x48, 10 fps, "
        "GOP 10 frames (1.0 s), 200 kbit/s"]
    config.write_text(config.read_text() + "[[cameras]]\nid = 3\nsource = 'file:///no/such.mp4'\n")
    with pytest.raises(typer.Exit) as done:
        check(config)
    assert done.value.exit_code == 1
    assert "camera 3: camera 3 (file:///no/such.mp4): file /no/such.mp4 does not exist" in \
        capsys.readouterr().err


def test_check_refuses_a_bad_config_with_exit_code_2(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "agent.toml"
    config.write_text("server_url = 'https://p.example'\n")
    with pytest.raises(typer.Exit) as done:
        check(config)
    assert done.value.exit_code == 2
    assert capsys.readouterr().err.startswith("error: ")
