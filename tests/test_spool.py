"""The durable spool on real segments: upload order, atomic visibility, the cap alarm (nothing
is ever deleted to make room), and resuming after a restart."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
from pathlib import Path

import av
import httpx
import pytest
from support.footage import T0_MS, footage_packets, record
from support.wait import wait_until

from edge_agent.config import RecordingConfig
from edge_agent.recorder import SegmentRecorder
from edge_agent.recovery import recover_spool
from edge_agent.spool import Spool
from edge_agent.status import StatusReporter, spool_alarm
from proctor_dev.processes import free_port


@pytest.fixture(scope="module")
def packets(h264_footage: Path) -> list[av.Packet]:
    return footage_packets(h264_footage)[:300]  # 30 s: three 10 s segments


def files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def test_pending_is_oldest_first_across_cameras(tmp_path: Path, packets: list[av.Packet]) -> None:
    spool = Spool(tmp_path, 1 << 30)
    for camera_id, shift_ms in ((7, 5_000), (3, 0)):
        recorder = SegmentRecorder(camera_id, spool, RecordingConfig(), lambda: None)
        for packet in packets:
            recorder.feed(packet, wall_ms=T0_MS + shift_ms + packet.pts // 90)
        recorder.cut()
    assert spool.pending() == [(T0_MS, 3), (T0_MS + 5_000, 7), (T0_MS + 10_000, 3),
                               (T0_MS + 15_000, 7), (T0_MS + 20_000, 3), (T0_MS + 25_000, 7)]
    oldest = spool.oldest()
    assert oldest is not None and (oldest.camera_id, oldest.start_ms) == (3, T0_MS)


def test_a_listed_segment_is_always_complete(tmp_path: Path, h264_footage: Path) -> None:
    """While a camera records, every segment the uploader could see is whole and hashes right."""
    spool = Spool(tmp_path, 1 << 30)
    footage = footage_packets(h264_footage)
    done = threading.Event()

    def recording() -> None:
        record(spool, footage, segment_seconds=1)
        done.set()

    writer = threading.Thread(target=recording)
    writer.start()
    checked: set[int] = set()
    while not done.is_set() or len(checked) < len(spool.pending()):
        for start_ms, camera_id in spool.pending():
            if start_ms not in checked:
                meta = spool.load(camera_id, start_ms)
                data = spool.segment_path(meta).read_bytes()
                assert (len(data), hashlib.sha256(data).hexdigest()) == (meta.size, meta.sha256)
                checked.add(start_ms)
    writer.join()
    assert len(checked) == 80  # every 1 s GOP became a segment, each seen complete


def test_a_step_back_of_the_clock_never_overwrites(tmp_path: Path,
                                                   packets: list[av.Packet]) -> None:
    spool = Spool(tmp_path, 1 << 30)
    record(spool, packets[:50])
    record(spool, packets[:50])  # same wall times again
    assert [start for start, _ in spool.pending()] == [T0_MS, T0_MS + 1]


def test_cap_raises_the_alarm_and_deletes_nothing(
    tmp_path: Path, packets: list[av.Packet], caplog: pytest.LogCaptureFixture
) -> None:
    spool = Spool(tmp_path, max_bytes=1_000_000)
    record(spool, packets)
    first = files(tmp_path)
    record(spool, footage_shifted(packets, 30_000))  # the link is still down: keep recording
    usage = spool.usage()
    assert usage.over_cap and usage.used_bytes > 2 * usage.max_bytes
    assert first < files(tmp_path) and usage.pending_segments == 6  # all kept, new ones too
    alarm = spool_alarm(usage)
    assert alarm and "spool full" in alarm and "nothing is deleted" in alarm

    unreachable = f"http://127.0.0.1:{free_port()}"
    caplog.set_level(logging.WARNING)

    def loud() -> list[logging.LogRecord]:
        return [r for r in caplog.records if r.levelno == logging.ERROR
                and "SPOOL FULL" in r.getMessage()]

    async def watch() -> StatusReporter:
        async with httpx.AsyncClient() as http:
            reporter = StatusReporter(spool, http, unreachable,
                                      lambda: {1: {"recording": True, "publishing": False}},
                                      check_interval_s=0.05, report_interval_s=10,
                                      alarm_log_interval_s=0.2)
            task = asyncio.create_task(reporter.run())
            await wait_until(lambda: len(loud()) >= 2, 10)
            task.cancel()
            return reporter

    reporter = asyncio.run(watch())
    assert reporter.alarm == alarm
    assert len(loud()) >= 2  # repeated, not said once and forgotten
    assert loud()[0].__dict__["camera"] == 1
    assert f"oldest unsent segment {T0_MS}" in loud()[0].message
    assert f"of its {spool.max_bytes} cap" in loud()[0].message
    assert any("status report not sent" in r.message for r in caplog.records)
    assert first < files(tmp_path) and spool.usage().pending_segments == 6


def footage_shifted(packets: list[av.Packet], shift_ms: int) -> list[av.Packet]:
    """The same packets, later: as if the camera went on recording."""
    shifted = []
    for packet in packets:
        copy = av.Packet(bytes(packet))
        copy.pts = copy.dts = packet.pts + shift_ms * 90
        copy.time_base, copy.is_keyframe = packet.time_base, packet.is_keyframe
        shifted.append(copy)
    return shifted


def test_restart_resumes_from_the_files(tmp_path: Path, packets: list[av.Packet]) -> None:
    spool = Spool(tmp_path, 1 << 30)
    record(spool, packets)
    first, second, third = (spool.load(c, s) for s, c in spool.pending())
    spool.acknowledge(first)
    rejected = spool.reject(second, 409, "a different segment is stored")
    assert rejected.exists() and "409" in rejected.with_name(
        f"{second.start_ms}.rejection.json").read_text()
    # crash in the middle of deleting an acknowledged segment: the sidecar went first
    spool.segment_path(third).with_suffix(".json").unlink()
    assert spool.pending() == []

    restarted = Spool(tmp_path, 1 << 30)
    assert recover_spool(restarted, "test") == 1
    again = restarted.oldest()
    assert again is not None and restarted.pending() == [(third.start_ms, 1)]
    # rebuilt from the file: same bytes, same hash, so the server answers 200 to the re-send
    assert (again.sha256, again.size, again.packets) == (third.sha256, third.size, third.packets)
    assert again.recovered and again.end_ms - again.start_ms == third.end_ms - third.start_ms
    assert rejected.exists()  # refused segments stay for a human, outside the queue
