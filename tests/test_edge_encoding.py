"""A raw source's keyframe interval and bitrate follow its own frame rate and size: a 25 fps
file (MPEG-4 Part 2, so the agent decodes and encodes it once with the real libx264) read by
the real pipeline gives one keyframe per ``gop_seconds`` and the documented bitrate, measured
from the packets the pipeline records. Before, 15 fps was assumed: 1.7 keyframes/s and
25/15 of the rate."""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path
from typing import cast

import av
import numpy as np
import pytest
from support.wait import wait_until

from edge_agent.config import CameraConfig
from edge_agent.encoding import derived_bitrate_kbps
from edge_agent.pipeline import CameraPipeline
from edge_agent.recorder import SegmentRecorder
from proctor.rtc.h264 import H264Packet

FPS = 25
SIZE = (640, 360)
FRAMES = 150  # 6 s
MEASURED_FRAMES = 125  # 5 s from the first keyframe
RATE_BOUND = 0.25  # docs/configuration.md: the rate stays within ±25 % of the target


@pytest.fixture(scope="module")
def busy_25fps_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 25 fps MPEG-4 clip busy enough to use the whole bitrate: a scrolling random texture
    (motion the encoder can follow, so only the GOP places keyframes) under a noisy band."""
    path = tmp_path_factory.mktemp("raw") / "busy-25fps.avi"
    rng = np.random.default_rng(16)
    width, height = SIZE
    texture = rng.integers(0, 256, (height // 4, width // 4, 3), np.uint8).repeat(4, 0).repeat(
        4, 1)
    with av.open(str(path), "w") as out:
        stream = out.add_stream("mpeg4", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.options = {"qscale": "2"}
        for index in range(FRAMES):
            image = np.roll(texture, index * 3, axis=1)
            image[:40] = rng.integers(0, 256, (40, width, 3), np.uint8)
            out.mux(stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")))
        out.mux(stream.encode(None))
    return path


class Packets:
    """Keeps what the pipeline records."""

    def __init__(self) -> None:
        self.packets: list[H264Packet] = []

    def feed(self, packet: H264Packet) -> None:
        self.packets.append(packet)

    def cut(self) -> None:
        pass


@pytest.mark.parametrize("gop_seconds", [1.0, 2.0])
async def test_raw_25fps_source_gets_its_own_gop_and_rate(busy_25fps_clip: Path,
                                                          gop_seconds: float) -> None:
    recorded = Packets()
    camera = CameraConfig(id=1, source=busy_25fps_clip.as_uri(), loop=False,
                          gop_seconds=gop_seconds)
    pipeline = CameraPipeline(camera, asyncio.get_running_loop(),
                              cast(SegmentRecorder, recorded))
    pipeline.start()
    try:
        assert await wait_until(lambda: len(recorded.packets) >= MEASURED_FRAMES, 60)
    finally:
        pipeline.stop()
        assert pipeline.join(10)
    packets = recorded.packets[:MEASURED_FRAMES]  # one packet per frame: no B-frames
    assert packets[0].is_keyframe

    keyframes = [index for index, packet in enumerate(packets) if packet.is_keyframe]
    gaps = [later - earlier for earlier, later in itertools.pairwise(keyframes)]
    expected_gap = round(gop_seconds * FPS)
    assert gaps and all(abs(gap - expected_gap) <= 1 for gap in gaps), (
        f"keyframes at {keyframes}, want one every {expected_gap} frames")

    target_kbps = derived_bitrate_kbps(*SIZE, FPS)
    measured_kbps = sum(packet.size for packet in packets) * 8 / (len(packets) / FPS) / 1000
    assert abs(measured_kbps - target_kbps) <= RATE_BOUND * target_kbps, (
        f"{measured_kbps:.0f} kbit/s for a {target_kbps} kbit/s target")
