"""The edge recorder on real footage: keyframe-led ~10 s MPEG-TS segments, remuxed (never
transcoded), with correct sidecars; and what a crash mid-segment leaves behind."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from datetime import time as time_of_day
from pathlib import Path

import av
import pytest
from support.footage import T0_MS, footage_packets, record

from edge_agent.config import DailyWindow, RecordingConfig
from edge_agent.recorder import SegmentRecorder
from edge_agent.recovery import recover_spool
from edge_agent.segment_file import parameter_sets
from edge_agent.spool import Spool

FRAME_MS = 100  # vtest: 10 fps
AUD = b"\x00\x00\x00\x01\x09\xf0"  # access unit delimiter the TS muxer puts before each frame


def ts_packets(path: Path) -> list[av.Packet]:
    with av.open(str(path)) as container:
        return [p for p in container.demux(video=0) if p.size]


def decoded_frames(path: Path) -> int:
    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))


@pytest.fixture(scope="module")
def source_packets(h264_footage: Path) -> list[tuple[bytes, int, bool]]:
    return [(bytes(p), p.pts, p.is_keyframe) for p in footage_packets(h264_footage)]


def test_segments_are_keyframe_led_remuxed_and_complete(
    tmp_path: Path, h264_footage: Path, source_packets: list[tuple[bytes, int, bool]]
) -> None:
    spool = Spool(tmp_path, 1 << 30)
    started = time.perf_counter()
    recorder = record(spool, footage_packets(h264_footage))
    per_packet_us = (time.perf_counter() - started) / len(source_packets) * 1e6
    print(f"recording cost: {per_packet_us:.0f} us per packet, fsync/commit included")

    segments = sorted((tmp_path / "1").glob("*.ts"), key=lambda p: int(p.stem))
    assert recorder.segments_written == len(segments) == 8  # 79.5 s in 10 s segments
    assert not list(tmp_path.rglob("*.part")) and not list(tmp_path.rglob("*.tmp"))
    recorded: list[tuple[bytes, int]] = []
    for index, segment in enumerate(segments):
        meta = json.loads(segment.with_suffix(".json").read_bytes())
        data = segment.read_bytes()
        assert meta["sha256"] == hashlib.sha256(data).hexdigest() and meta["size"] == len(data)
        assert meta["camera_id"] == 1 and meta["clock_offset_ms"] == 12.5
        assert meta["start_ms"] == int(segment.stem) == T0_MS + index * 10_000
        expected_ms = 10_000 if index < 7 else 9_500  # the last one ends a frame after its last
        assert meta["end_ms"] - meta["start_ms"] == expected_ms
        packets = ts_packets(segment)
        assert packets[0].is_keyframe  # each segment plays on its own
        assert meta["packets"] == len(packets) == decoded_frames(segment)
        recorded += [(bytes(p).removeprefix(AUD), p.pts) for p in packets]

    # every input packet, in order, with its bytes and timestamps unchanged: no transcoding,
    # no gap, no duplicate across segment boundaries
    assert recorded == [(data, pts) for data, pts, _ in source_packets]


def test_segment_cut_waits_for_a_keyframe(tmp_path: Path, h264_footage: Path) -> None:
    spool = Spool(tmp_path, 1 << 30)
    record(spool, footage_packets(h264_footage)[:200], segment_seconds=2.5)
    starts = sorted(int(p.stem) - T0_MS for p in (tmp_path / "1").glob("*.ts"))
    # 1 s GOP: a 2.5 s length is cut at the next keyframe, 3 s
    assert starts == [0, 3000, 6000, 9000, 12000, 15000, 18000]


def test_first_keyframe_without_parameter_sets_gets_them(tmp_path: Path,
                                                         h264_footage: Path) -> None:
    """A camera that sends SPS/PPS only now and then: each segment still decodes alone."""
    packets = footage_packets(h264_footage)[:60]
    stripped = []
    for index, packet in enumerate(packets):
        data = bytes(packet)
        if packet.is_keyframe and index >= 10:  # SPS/PPS only in the very first keyframe
            for nal in parameter_sets(data).split(b"\x00\x00\x00\x01")[1:]:
                data = data.replace(b"\x00\x00\x01" + nal, b"")
            assert not parameter_sets(data)
        copy = av.Packet(data)
        copy.pts, copy.dts, copy.time_base = packet.pts, packet.dts, packet.time_base
        copy.is_keyframe = packet.is_keyframe
        stripped.append(copy)
    spool = Spool(tmp_path, 1 << 30)
    record(spool, stripped, segment_seconds=2)
    segments = sorted((tmp_path / "1").glob("*.ts"))
    assert len(segments) == 3
    for segment in segments:
        assert decoded_frames(segment) == 20


def test_window_records_only_inside(tmp_path: Path, h264_footage: Path) -> None:
    window = DailyWindow.parse("22:00-06:00")
    assert window.contains(time_of_day(23, 0)) and window.contains(time_of_day(5, 59))
    assert not window.contains(time_of_day(6, 0)) and not window.contains(time_of_day(12, 0))
    with pytest.raises(ValueError, match="HH:MM-HH:MM"):
        DailyWindow.parse("7:30 to 18:00")

    now = time.localtime()
    closed = f"{(now.tm_hour + 2) % 24:02d}:00-{(now.tm_hour + 3) % 24:02d}:00"
    recorder = SegmentRecorder(1, Spool(tmp_path, 1 << 30),
                               RecordingConfig(segment_seconds=2, window=closed), lambda: None)
    for packet in footage_packets(h264_footage)[:30]:
        recorder.feed(packet)
    recorder.cut()
    assert recorder.segments_written == 0 and not recorder.recording


CRASHING_WRITER = """
import os, signal, sys
from pathlib import Path
from edge_agent.config import RecordingConfig
from edge_agent.recorder import SegmentRecorder
from edge_agent.sources import ContainerSource
from edge_agent.spool import Spool

recorder = SegmentRecorder(1, Spool(Path(sys.argv[1]), 1 << 30), RecordingConfig(), lambda: 3.0)
for packet in ContainerSource(sys.argv[2], "footage").items():
    recorder.feed(packet, wall_ms=1_790_000_000_000 + packet.pts // 90)
    if packet.pts >= 15 * 90_000:  # half way through the second segment
        os.kill(os.getpid(), signal.SIGKILL)
"""


def test_segment_cut_short_by_a_crash_is_recovered(tmp_path: Path, h264_footage: Path) -> None:
    result = subprocess.run([sys.executable, "-c", CRASHING_WRITER, str(tmp_path),
                             str(h264_footage)], capture_output=True, timeout=60)
    assert result.returncode == -9, result.stderr.decode()
    folder = tmp_path / "1"
    part = folder / f"{T0_MS + 10_000}.ts.part"
    assert part.exists() and part.stat().st_size > 0
    before = part.read_bytes()
    (folder / "1790000099999.ts.part").write_bytes(b"")  # died before a byte was written

    assert recover_spool(Spool(tmp_path, 1 << 30), "test") == 1
    segment = folder / f"{T0_MS + 10_000}.ts"
    assert segment.read_bytes() == before  # finished as is: nothing dropped, nothing added
    meta = json.loads(segment.with_suffix(".json").read_bytes())
    frames = decoded_frames(segment)
    assert meta["recovered"] and meta["packets"] == frames and 30 <= frames <= 51
    assert meta["sha256"] == hashlib.sha256(before).hexdigest()
    assert meta["end_ms"] - meta["start_ms"] == frames * FRAME_MS
    assert meta["clock_offset_ms"] is None  # unknown after the fact; the uploader measures
    # nothing decodable: set aside for a human, never deleted, never listed for upload
    assert len(list(folder.glob("1790000099999.partial-*.ts"))) == 1
    assert Spool(tmp_path, 1 << 30).pending() == [(T0_MS, 1), (T0_MS + 10_000, 1)]


def test_source_restart_starts_a_new_segment(tmp_path: Path, h264_footage: Path) -> None:
    """A camera that reconnects starts its pts over: the segment ends there, none is lost."""
    packets = footage_packets(h264_footage)
    recorder = SegmentRecorder(1, Spool(tmp_path, 1 << 30), RecordingConfig(), lambda: None)
    for packet in packets[:25]:
        recorder.feed(packet, wall_ms=T0_MS + packet.pts // 90)
    for packet in packets[:30]:  # back again, pts from 0, wall clock moving on
        recorder.feed(packet, wall_ms=T0_MS + 5_000 + packet.pts // 90)
    recorder.cut()
    segments = sorted((tmp_path / "1").glob("*.ts"))
    assert [decoded_frames(s) for s in segments] == [25, 30]


def test_a_segment_a_full_disk_cut_is_queued_once_there_is_room(
        tmp_path: Path, h264_footage: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk fills up (another writer) while a segment is open: its sidecar cannot be
    written, so it is kept; recording pauses; once there is room the kept segment is queued
    before the next one starts, without waiting for a restart."""
    import errno

    import edge_agent.spool

    disk_full = False
    real_write_atomic = edge_agent.spool.write_atomic

    def write_atomic(path: Path, data: bytes) -> None:
        if disk_full:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_write_atomic(path, data)

    monkeypatch.setattr(edge_agent.spool, "write_atomic", write_atomic)
    spool = Spool(tmp_path, 1 << 30)
    monkeypatch.setattr(spool, "has_room_to_record", lambda: not disk_full)
    recorder = SegmentRecorder(1, spool, RecordingConfig(), lambda: None)
    packets = footage_packets(h264_footage)
    for index, packet in enumerate(packets[:400]):
        disk_full = 50 <= index < 250  # full from frame 50 of the first segment to frame 250
        recorder.feed(packet, wall_ms=T0_MS + packet.pts // 90)
    recorder.cut()

    folder = tmp_path / "1"
    assert sorted(p.name for p in folder.iterdir() if not p.name.endswith((".ts", ".json"))) == []
    starts = [start for start, _ in spool.pending()]
    assert starts[0] == T0_MS and spool.load(1, T0_MS).recovered  # the cut one, queued
    assert len(starts) >= 3 and all(start >= T0_MS + 25_000 for start in starts[1:])  # paused
