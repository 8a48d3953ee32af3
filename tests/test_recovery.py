"""Spool recovery after a crash: a cut-short segment that still decodes is finished as is (not
a byte changed) and queued; one that holds nothing decodable is set aside for a human, never
deleted or uploaded; a segment without its sidecar gets one again; stray temp sidecars go."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import av
import numpy as np
import pytest

from edge_agent.recovery import file_sha256, probe_segment, recover_spool
from edge_agent.segment_file import DEFAULT_FRAME_PTS, SegmentFile
from edge_agent.spool import Spool
from proctor.rtc.h264 import EncoderSettings, H264Encoder

START = 1_790_000_000_000


@pytest.fixture(scope="module")
def segment_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A real 2 s MPEG-TS segment (30 frames at 15 fps, one keyframe)."""
    part = tmp_path_factory.mktemp("segment") / "s.ts.part"
    segment = SegmentFile(part, START, first_pts=0, clock_offset_ms=None)
    encoder = H264Encoder(EncoderSettings(gop_seconds=100))
    for index in range(30):
        pixels = np.full((96, 128, 3), index * 8, np.uint8)
        for packet in encoder.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")):
            packet.pts = packet.dts = index * DEFAULT_FRAME_PTS
            segment.write(packet, START + index * 66)
    segment.close()
    return part.read_bytes()


def test_a_whole_segment_probes_with_its_duration(tmp_path: Path, segment_bytes: bytes) -> None:
    path = tmp_path / "whole.ts"
    path.write_bytes(segment_bytes)
    probe = probe_segment(path)
    assert probe.decodable and probe.packets == 30
    assert probe.duration_ms == pytest.approx(30 * 1000 / 15, abs=1)


def test_a_segment_cut_mid_packet_still_plays_up_to_the_cut(tmp_path: Path,
                                                            segment_bytes: bytes) -> None:
    path = tmp_path / "cut.ts"
    path.write_bytes(segment_bytes[: len(segment_bytes) * 2 // 3 + 77])  # not on a TS boundary
    probe = probe_segment(path)
    assert probe.decodable and 5 <= probe.packets < 30


@pytest.mark.parametrize("content", [b"", b"\x47" + b"\x00" * 187, b"not a video" * 1000])
def test_nothing_decodable(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.ts"
    path.write_bytes(content)
    probe = probe_segment(path)
    assert not probe.decodable and probe.packets == 0 and probe.duration_ms == 0


def test_file_sha256_streams_large_files(tmp_path: Path) -> None:
    path = tmp_path / "big"
    data = np.random.default_rng(1).bytes(3 * 1024 * 1024 + 5)
    path.write_bytes(data)
    assert file_sha256(path) == hashlib.sha256(data).hexdigest()


def test_recovery_of_every_kind_of_leftover(tmp_path: Path, segment_bytes: bytes,
                                            caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    spool = Spool(tmp_path, 1 << 30)
    folder = spool.camera_dir(4)
    cut = segment_bytes[: len(segment_bytes) // 2 + 10]
    (folder / f"{START}.ts.part").write_bytes(cut)  # died while writing
    (folder / f"{START + 2000}.ts").write_bytes(segment_bytes)  # died before the sidecar
    (folder / f"{START + 4000}.ts.part").write_bytes(b"\x00" * 4096)  # nothing reached disk
    (folder / f"{START + 6000}.json.tmp").write_bytes(b"{")  # a sidecar never renamed

    assert recover_spool(spool, "9.9") == 2
    assert spool.pending() == [(START, 4), (START + 2000, 4)]
    recovered = spool.load(4, START)
    assert recovered.recovered and recovered.agent_version == "9.9"
    assert recovered.sha256 == hashlib.sha256(cut).hexdigest() and recovered.size == len(cut)
    assert (folder / f"{START}.ts").read_bytes() == cut  # not a byte changed
    rebuilt = spool.load(4, START + 2000)
    assert rebuilt.packets == 30 and rebuilt.end_ms - rebuilt.start_ms == pytest.approx(2000, abs=1)
    aside = list(folder.glob(f"{START + 4000}.partial-*.ts"))
    assert len(aside) == 1 and aside[0].read_bytes() == b"\x00" * 4096  # kept for a human
    assert not list(folder.glob("*.json.tmp")) and not list(folder.glob("*.part"))
    assert "holds no decodable video" in caplog.text

    assert recover_spool(spool, "9.9") == 0  # a second start finds nothing left to do
