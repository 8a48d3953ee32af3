"""One camera's pipeline on the synthetic test pattern (no network, no server): every packet is
recorded, a live track gets packets from a keyframe on and only while live, the recorder's
segment is cut when the source ends, and a failing source is retried until stopped."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from typing import cast

import pytest
from support.wait import wait_until

from edge_agent.config import CameraConfig
from edge_agent.pipeline import CameraPipeline
from edge_agent.recorder import SegmentRecorder
from proctor.rtc.h264 import H264Packet
from proctor.rtc.tracks import PacketTrack

PATTERN = "testsrc://stamp?width=768&height=64&fps=100"  # the smallest pattern, fast


class Recorder:
    """Keeps what a segment recorder is given."""

    def __init__(self) -> None:
        self.packets: list[H264Packet] = []
        self.cuts = 0

    def feed(self, packet: H264Packet) -> None:
        self.packets.append(packet)

    def cut(self) -> None:
        self.cuts += 1


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@contextlib.contextmanager
def pattern_pipeline(recorder: Recorder) -> Iterator[CameraPipeline]:
    """A started pipeline on the test pattern, stopped (and its thread ended) afterwards."""
    pipeline = CameraPipeline(CameraConfig(id=3, source=PATTERN, gop_seconds=0.2),
                              asyncio.get_running_loop(), cast(SegmentRecorder, recorder))
    pipeline.start()
    try:
        yield pipeline
    finally:
        pipeline.stop()
        assert pipeline.join(10)


async def test_packets_are_recorded_without_a_live_track(recorder: Recorder) -> None:
    with pattern_pipeline(recorder) as pipeline:
        assert await wait_until(lambda: len(recorder.packets) >= 5, timeout=30)
    assert pipeline.packets_sent == 0
    assert pipeline.items_read >= 5
    assert recorder.packets[0].is_keyframe
    assert recorder.cuts == 1  # the source closed: the segment is finished


async def test_a_track_gets_packets_from_a_keyframe_on_while_live(recorder: Recorder) -> None:
    with pattern_pipeline(recorder) as pipeline:
        assert await wait_until(lambda: len(recorder.packets) >= 3, timeout=30)
        track = PacketTrack(max_queue=1000)
        pipeline.attach(track)
        first = await asyncio.wait_for(track.recv(), 30)
        assert first.is_keyframe  # an attached viewer starts at a (forced) keyframe
        assert not track.needs_keyframe
        assert await wait_until(lambda: pipeline.packets_sent >= 5, timeout=30)
        track.stop()  # an ended track gets nothing more
        sent, recorded = pipeline.packets_sent, len(recorder.packets)
        assert await wait_until(lambda: len(recorder.packets) >= recorded + 5, timeout=30)
        assert pipeline.packets_sent == sent


async def test_a_missing_file_is_retried_until_stopped() -> None:
    missing = CameraConfig(id=4, source="file:///nonexistent/camera.mp4")
    pipeline = CameraPipeline(missing, asyncio.get_running_loop())
    pipeline.start()
    assert await wait_until(lambda: pipeline.source_errors >= 1, timeout=30)
    pipeline.stop()  # the retry wait ends at once
    assert pipeline.join(5)
    assert pipeline.items_read == 0


async def test_an_unexpected_failure_reopens_the_source(
        recorder: Recorder, monkeypatch: pytest.MonkeyPatch) -> None:
    """Not a SourceError (here the OSError that time.sleep raised under libfaketime in the
    clock fault test): the camera is reopened, its thread does not die."""
    import edge_agent.pipeline

    real_open, calls = edge_agent.pipeline.open_source, []

    def open_once_failing(camera: CameraConfig) -> object:
        calls.append(camera.id)
        if len(calls) == 1:
            raise OSError(22, "Invalid argument")
        return real_open(camera)

    monkeypatch.setattr(edge_agent.pipeline, "open_source", open_once_failing)
    with pattern_pipeline(recorder) as pipeline:
        assert await wait_until(lambda: len(recorder.packets) >= 3, timeout=30)
    assert pipeline.source_errors == 1 and len(calls) == 2
