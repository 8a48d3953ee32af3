"""Edge agent: configuration errors, real sources, pass-through, and refusal handling."""

from __future__ import annotations

import time
from pathlib import Path

import av
import numpy as np
import pytest
from support.stack import Stack
from support.wait import wait_until
from typer.testing import CliRunner

from edge_agent.cli import app
from edge_agent.config import CameraConfig, ConfigError, load_config
from edge_agent.sources import SourceError, open_source
from edge_agent.testsrc import StampedPattern, frame_luma, read_stamp, stamp_luma
from proctor.rtc.h264 import H264Encoder

TOKEN = "pdt_1_" + "a" * 43


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "agent.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("server_url = 'http://x'\ntoken = 't'\n", "cameras: Field required"),
        ("server_url = 'http://x'\n[[cameras]]\nid = 1\nsource = 'file:///a'\n",
         "exactly one of 'token' or 'token_file'"),
        (f"server_url = 'http://x'\ntoken = '{TOKEN}'\n[[cameras]]\nid = 1\nsource = 'http://cam'\n",
         "source scheme 'http' not supported"),
        (f"server_url = 'http://x'\ntoken = '{TOKEN}'\n[[cameras]]\nid = 1\nsource = 'file:///a'\n"
         "[[cameras]]\nid = 1\nsource = 'file:///b'\n", "camera ids must be unique"),
        ("server_url = ", "not valid TOML"),
        (f"server_url = 'http://x'\ntoken = '{TOKEN}'\ncolour = 'red'\n[[cameras]]\nid = 1\n"
         "source = 'file:///a'\n", "colour: Extra inputs are not permitted"),
    ],
)
def test_config_errors_say_what_is_wrong(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(write(tmp_path, text))


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.toml")


def test_token_file(tmp_path: Path) -> None:
    (tmp_path / "token").write_text(TOKEN + "\n")
    config = load_config(write(tmp_path, "server_url = 'http://x'\n"
                               f"token_file = '{tmp_path}/token'\n"
                               "[[cameras]]\nid = 3\nsource = 'testsrc://stamp'\n"))
    assert config.device_token() == TOKEN


def test_h264_file_is_passed_through_paced_and_looped(tmp_path: Path, h264_footage: Path) -> None:
    # a 2 s clip of the real footage, to see the loop quickly
    clip = tmp_path / "clip.mp4"
    with av.open(str(h264_footage)) as inp, av.open(str(clip), "w") as out:
        stream = out.add_stream_from_template(inp.streams.video[0])
        for packet in inp.demux(inp.streams.video[0]):
            if packet.pts is None or packet.pts * packet.time_base >= 2:
                break
            packet.stream = stream
            out.mux(packet)
    source = open_source(CameraConfig(id=1, source=clip.as_uri()))
    started = time.monotonic()
    packets = []
    for packet in source.items():
        packets.append(packet)
        if len(packets) == 30:  # 3 s at 10 fps: past the end of the 2 s clip
            break
    elapsed = time.monotonic() - started
    source.close()
    assert source.passthrough
    assert all(isinstance(p, av.Packet) for p in packets)
    assert bytes(packets[0])[:4] == b"\x00\x00\x00\x01"  # Annex-B, as RTP packetisation needs
    pts = [p.pts for p in packets]
    assert pts == sorted(pts) and len(set(pts)) == len(pts)  # monotonic across the loop
    assert pts[-1] == pytest.approx(2.9 * 90_000, abs=1)
    assert 2.5 < elapsed < 4.0  # real-time pacing (29 frame intervals)


def test_raw_file_yields_frames_to_encode(raw_footage: Path) -> None:
    source = open_source(CameraConfig(id=1, source=raw_footage.as_uri()))
    frame = next(iter(source.items()))
    source.close()
    assert not source.passthrough
    assert isinstance(frame, av.VideoFrame) and (frame.width, frame.height) == (768, 576)


def test_missing_file_and_bad_rtsp_are_clear() -> None:
    with pytest.raises(SourceError, match="does not exist"):
        open_source(CameraConfig(id=4, source="file:///no/such.mp4"))
    source = open_source(CameraConfig(id=5, source="rtsp://user:secret@127.0.0.1:1/stream"))
    with pytest.raises(SourceError, match="cannot open camera 5") as error:
        next(iter(source.items()))
    assert "secret" not in str(error.value)  # credentials never reach the logs


def test_stamp_survives_h264() -> None:
    pattern = StampedPattern(1280, 720)
    frame = pattern.next_frame()
    sent = read_stamp(frame_luma(frame))
    decoder = av.CodecContext.create("h264", "r")
    decoded = [f for p in H264Encoder().encode(frame, True) for f in decoder.decode(p)]
    assert read_stamp(frame_luma(decoded[0])) == sent
    luma = np.zeros((64, 800), dtype=np.uint8)
    stamp_luma(luma, 123456789)
    assert read_stamp(luma) == 123456789


def test_check_command(tmp_path: Path, h264_footage: Path, raw_footage: Path) -> None:
    config = write(tmp_path, f"server_url = 'http://x'\ntoken = '{TOKEN}'\n"
                   f"[[cameras]]\nid = 1\nsource = '{h264_footage.as_uri()}'\n"
                   f"[[cameras]]\nid = 2\nsource = '{raw_footage.as_uri()}'\n"
                   "[[cameras]]\nid = 3\nsource = 'file:///missing.mp4'\n")
    result = CliRunner().invoke(app, ["check", "--config", str(config)])
    assert result.exit_code == 1
    assert "camera 1: ok, packets, H.264 sent as is" in result.output
    assert "camera 2: ok, videoframes, encoded once to H.264" in result.output
    expected = "camera 3: camera 3 (file:///missing.mp4): file /missing.mp4 does not exist"
    assert expected in result.output


async def test_refused_agent_keeps_running_and_says_why(stack: Stack, h264_footage: Path) -> None:
    camera_of_b = stack.site_b.camera_ids[0]
    agent = stack.start_agent({camera_of_b: h264_footage.as_uri()}, name="refused")
    log = stack.data_dir / "refused.log"
    assert await wait_until(lambda: log.exists() and "server answered 404" in log.read_text(), 15)
    assert "is not assigned to device" in log.read_text()
    # waits and retries; an admin may fix the assignment
    assert await wait_until(lambda: "retrying in 30.0 s" in log.read_text(), 10)
    assert agent.running()


def test_encoder_accepts_odd_frame_sizes() -> None:
    """Chromium's quality scaler can publish odd sizes; libx264 needs even ones."""
    frame = av.VideoFrame.from_ndarray(np.zeros((361, 641, 3), np.uint8), format="rgb24")
    packets = H264Encoder().encode(frame, force_keyframe=True)
    decoded = [f for p in packets for f in av.CodecContext.create("h264", "r").decode(p)]
    assert packets[0].is_keyframe and (decoded[0].width, decoded[0].height) == (640, 360)
