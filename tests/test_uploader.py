"""Store-and-forward upload against the REAL server (real SeaweedFS behind it), with segments
the real recorder cut from real footage: order, deletion only after the server's ack, outages,
idempotent re-upload, refusals kept, the rate cap, the clock offset, and the whole agent."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from typing import Any

import av
import httpx
import pytest
from support.footage import footage_packets
from support.ingest import put_segment, segments
from support.stack import Stack
from support.wait import wait_until

from edge_agent.clock import ServerClock
from edge_agent.config import RecordingConfig
from edge_agent.recorder import SegmentRecorder
from edge_agent.spool import SegmentMeta, Spool
from edge_agent.status import StatusReporter
from edge_agent.uploader import SegmentUploader
from proctor.db.models import Device, Segment

T0_MS = int(time.time() * 1000) - 600_000  # recorded ten minutes ago, on the agent's clock


@pytest.fixture(scope="module")
def packets(h264_footage: Path) -> list[av.Packet]:
    return footage_packets(h264_footage)[:300]  # 30 s: three 10 s segments


def fill_spool(spool: Spool, camera_ids: list[int], packets: list[av.Packet],
               offset_ms: float | None = 40.0) -> list[SegmentMeta]:
    """Record the footage for each camera (camera i starting i * 1 s later)."""
    for index, camera_id in enumerate(camera_ids):
        recorder = SegmentRecorder(camera_id, spool, RecordingConfig(), lambda: offset_ms)
        for packet in packets:
            recorder.feed(packet, wall_ms=T0_MS + index * 1000 + packet.pts // 90)
        recorder.cut()
    return [spool.load(camera_id, start_ms) for start_ms, camera_id in spool.pending()]


def stored(stack: Stack) -> list[tuple[int, int, str, float, int]]:
    """(camera, start, sha256, clock offset, end) of the server's rows in arrival order, with
    times on the agent's clock (the server keeps its own: agent's plus the offset)."""
    return [(s.camera_id, s.agent_start_ms, s.sha256, s.clock_offset_ms,
             s.agent_start_ms + s.end_ms - s.start_ms) for s in segments(stack, order=Segment.id)]


def device_status(stack: Stack) -> tuple[dict[str, Any], datetime]:
    """The last status report of site A's device, and when the server received it."""
    with stack.db() as db:
        device = db.get(Device, stack.site_a.device_id)
        assert device is not None and device.status is not None and device.status_at
        return device.status, device.status_at


async def upload_until(stack: Stack, spool: Spool, done: Callable[[SegmentUploader], bool], *,
                       token: str | None = None, kbps: int = 8000,
                       timeout_s: float = 30) -> SegmentUploader:
    """Run a real uploader against the real server until ``done(uploader)`` (or the timeout)."""
    return await run_uploader_against(stack.url, spool, done, timeout_s=timeout_s, kbps=kbps,
                                      token=token or stack.site_a.device_token)


async def test_oldest_first_and_deleted_only_once_stored(stack: Stack, tmp_path: Path,
                                                         packets: list[av.Packet]) -> None:
    spool = Spool(tmp_path, 1 << 30)
    metas = fill_spool(spool, stack.site_a.camera_ids, packets)
    assert len(metas) == 6
    uploader = await upload_until(stack, spool, lambda up: up.uploaded == 6)
    assert uploader.uploaded == 6 and not spool.pending()
    # arrival order is oldest first (cameras interleaved), each exactly as recorded
    assert stored(stack) == [(m.camera_id, m.start_ms, m.sha256, m.clock_offset_ms, m.end_ms)
                             for m in metas]
    assert not list(tmp_path.rglob("*.ts"))  # deleted, and only because the server holds them


async def test_server_down_deletes_nothing_and_resumes(
    stack: Stack, tmp_path: Path, packets: list[av.Packet], caplog: pytest.LogCaptureFixture
) -> None:
    spool = Spool(tmp_path, 1 << 30)
    metas = fill_spool(spool, stack.site_a.camera_ids[:1], packets)
    before = sorted(p.name for p in tmp_path.rglob("*") if p.is_file())
    stack.stop_server()
    caplog.set_level(logging.WARNING)
    async with httpx.AsyncClient(
            headers={"Authorization": f"Bearer {stack.site_a.device_token}"}) as http:
        uploader = SegmentUploader(spool, http, stack.url, ServerClock(http, stack.url), 8000,
                                   refused_delay_s=0.2)
        task = asyncio.create_task(uploader.run())

        def failures() -> int:  # each attempt at the absent server logs one of these
            return caplog.text.count("server unreachable") + caplog.text.count(
                "cannot read the server time")

        assert await wait_until(lambda: failures() >= 2, 30)  # it tried, and tried again
        assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == before
        stack.start_server()
        resumed = time.monotonic()
        assert await wait_until(lambda: not spool.pending(), 30)
        task.cancel()
    # backoff is capped at 10 s: the backlog moves soon after the server is back
    assert time.monotonic() - resumed < 20
    assert [row[1] for row in stored(stack)] == [m.start_ms for m in metas]


async def test_reupload_after_crash_before_local_delete_is_idempotent(
    stack: Stack, tmp_path: Path, packets: list[av.Packet], caplog: pytest.LogCaptureFixture
) -> None:
    spool = Spool(tmp_path, 1 << 30)
    meta = fill_spool(spool, stack.site_a.camera_ids[:1], packets[:100])[0]
    # the previous run stored it at the server, then died before deleting the local copy
    first = put_segment(stack, meta.camera_id, meta.start_ms,
                        spool.segment_path(meta).read_bytes(), end_ms=meta.end_ms, offset_ms=40.0)
    assert first.status_code == 201, first.text
    caplog.set_level(logging.INFO)
    uploader = await upload_until(stack, spool, lambda up: up.uploaded == 1)
    assert not spool.pending() and uploader.uploaded == 1 and "already stored" in caplog.text
    assert len(stored(stack)) == 1  # once at the server, gone locally


async def test_conflict_and_refusals_keep_the_segment(
    stack: Stack, tmp_path: Path, packets: list[av.Packet], caplog: pytest.LogCaptureFixture
) -> None:
    camera, other_site_camera = stack.site_a.camera_ids[0], stack.site_b.camera_ids[0]
    spool = Spool(tmp_path, 1 << 30)
    mine = fill_spool(spool, [camera], packets[:100])[0]
    # a different segment already holds this start at the server: 409
    different = fill_spool(Spool(tmp_path / "elsewhere", 1 << 30), [camera], packets[100:200])[0]
    elsewhere = Spool(tmp_path / "elsewhere", 1 << 30)
    conflict = put_segment(stack, camera, mine.start_ms,
                           elsewhere.segment_path(different).read_bytes(), end_ms=mine.end_ms)
    assert conflict.status_code == 201, conflict.text
    # and device A has no business uploading site B's camera: 404, a configuration problem
    # an administrator can fix, so that segment stays queued
    fill_spool(spool, [other_site_camera], packets[:100])
    caplog.set_level(logging.WARNING)
    await upload_until(stack, spool, lambda _: [c for _, c in spool.pending()]
                       == [other_site_camera] and "404" in caplog.text)
    kept = tmp_path / "rejected" / str(camera)
    reason = json.loads(next(kept.glob("*.rejection.json")).read_text())
    assert reason["status"] == 409 and reason["detail"] in caplog.text
    assert len(list(kept.glob("*.ts"))) == 1
    assert "server refused segment" in caplog.text
    assert not (tmp_path / "rejected" / str(other_site_camera)).exists()
    assert "is not assigned to device" in caplog.text and "stays queued" in caplog.text


async def test_a_proxy_refusal_never_sets_footage_aside(tmp_path: Path,
                                                        packets: list[av.Packet]) -> None:
    """A 413 from a reverse proxy (HTML, no proctor header) is retried, not rejected."""

    def proxy_413(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(413)
        handler.send_header("Content-Type", "text/html")
        handler.end_headers()
        handler.wfile.write(b"<html><body>413 Request Entity Too Large</body></html>")

    spool = Spool(tmp_path, 1 << 30)
    fill_spool(spool, [1], packets[:100])
    with stand_in_server(proxy_413) as url:
        await run_uploader_against(url, spool, lambda _: False, timeout_s=3)
    assert len(spool.pending()) == 1
    assert not (tmp_path / "rejected").exists()


async def test_a_timeout_marked_permanent_is_still_retried(tmp_path: Path,
                                                           packets: list[av.Packet]) -> None:
    """An older server marked a stalled upload's 408 permanent: the segment stays queued."""

    def stalled_408(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(408)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("X-Proctor-Reject", "permanent")
        handler.end_headers()
        handler.wfile.write(b'{"detail": "the request body stalled"}')

    spool = Spool(tmp_path, 1 << 30)
    fill_spool(spool, [1], packets[:100])
    with stand_in_server(stalled_408) as url:
        await run_uploader_against(url, spool, lambda _: False, timeout_s=3)
    assert len(spool.pending()) == 1
    assert not (tmp_path / "rejected").exists()


async def test_refused_token_keeps_everything_in_place(
    stack: Stack, tmp_path: Path, packets: list[av.Packet], caplog: pytest.LogCaptureFixture
) -> None:
    spool = Spool(tmp_path, 1 << 30)
    fill_spool(spool, stack.site_a.camera_ids[:1], packets[:100])
    before = spool.pending()
    caplog.set_level(logging.WARNING)
    await upload_until(stack, spool, lambda _: False, token="pdt_1_" + "x" * 43, timeout_s=2)
    assert spool.pending() == before and not (tmp_path / "rejected").exists()
    assert stored(stack) == []
    assert "401" in caplog.text or "refused" in caplog.text


async def test_upload_rate_is_capped(stack: Stack, tmp_path: Path,
                                     packets: list[av.Packet]) -> None:
    spool = Spool(tmp_path, 1 << 30)
    metas = fill_spool(spool, stack.site_a.camera_ids[:1], packets)
    total = sum(m.size for m in metas)
    started = time.monotonic()
    uploader = await upload_until(stack, spool, lambda up: up.uploaded == len(metas), kbps=8000)
    elapsed = time.monotonic() - started
    achieved_kbps = total * 8 / 1000 / elapsed
    print(f"uploaded {total} bytes in {elapsed:.2f} s: {achieved_kbps:.0f} kbps (cap 8000)")
    assert uploader.bytes_sent == total
    assert 0.6 * 8000 < achieved_kbps <= 1.25 * 8000


async def test_clock_offset_and_status_report(stack: Stack, tmp_path: Path) -> None:
    token = stack.site_a.device_token
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}) as http:
        clock = ServerClock(http, stack.url)
        samples = [await clock.sample() for _ in range(5)]
        offset = await clock.measure()
        # same machine: the clocks agree to within the round trip
        assert abs(offset) < max(s.round_trip_ms for s in samples) + 5
        spool = Spool(tmp_path, 1)
        reporter = StatusReporter(spool, http, stack.url,
                                  lambda: {1: {"recording": True, "publishing": False}})
        reporter.alarm = "spool full: test"
        await reporter.report(spool.usage())
        assert reporter.reports_sent == 1
    assert device_status(stack)[0]["alarm"] == "spool full: test"


async def test_agent_records_and_uploads_and_recovers_after_a_crash(
    stack: Stack, h264_footage: Path
) -> None:
    camera = stack.site_a.camera_ids[0]
    agent = stack.start_agent({camera: h264_footage.as_uri()})
    assert await wait_until(lambda: len(stored(stack)) >= 2, 40)
    agent.kill()  # power cut in the middle of the third segment
    spool_dir = stack.data_dir / "spool" / str(camera)
    parts = list(spool_dir.glob("*.ts.part"))
    assert len(parts) == 1
    cut_start = int(parts[0].name.split(".")[0])

    restarted = datetime.now(UTC)
    stack.start_agent({camera: h264_footage.as_uri()}, name="agent")
    assert await wait_until(lambda: cut_start in [row[1] for row in stored(stack)], 30)
    log = (stack.data_dir / "agent.log").read_text()
    assert "recovered segment" in log
    rows = [row for row in stored(stack) if row[0] == camera]
    starts = [row[1] for row in rows]
    assert starts[:3] == sorted(starts[:3])
    # the segments before the cut are back to back: no gap, no overlap
    assert rows[1][1] == rows[0][4] and rows[2][1] == rows[1][4]
    # the restarted agent reports its cameras (at once when it starts)
    assert await wait_until(lambda: device_status(stack)[1] >= restarted, 10)
    status = device_status(stack)[0]
    assert status["cameras"][str(camera)].keys() == {"recording", "publishing"}
    assert status["alarm"] is None and status["spool_max_bytes"] > 0


async def test_a_failing_camera_does_not_hold_up_the_others(tmp_path: Path,
                                                            packets: list[av.Packet]) -> None:
    """Camera 1's segment fails every time (a 503); camera 2's segments still go through."""

    def store_all_but_camera_1(handler: BaseHTTPRequestHandler) -> None:
        handler.rfile.read(int(handler.headers["Content-Length"]))
        digest = handler.headers["Repr-Digest"].split(":")[1]
        camera = int(handler.path.split("/")[3])
        reply(handler, 503 if camera == 1 else 201,
              {"sha256": base64.b64decode(digest).hex()})

    spool = Spool(tmp_path, 1 << 30)
    fill_spool(spool, [1], packets[:100])  # the oldest segment: camera 1
    fill_spool(spool, [2], packets[100:400])
    with stand_in_server(store_all_but_camera_1) as url:
        uploader = await run_uploader_against(
            url, spool, lambda up: up.uploaded >= 2 and [c for _, c in spool.pending()] == [1],
            timeout_s=10)
    assert [c for _, c in spool.pending()] == [1], f"camera 2 was held up: {spool.pending()}"
    assert uploader.uploaded >= 2


def reply(handler: BaseHTTPRequestHandler, status: int, payload: object) -> None:
    """Answer with a JSON body."""
    body = json.dumps(payload).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


@contextmanager
def stand_in_server(on_put: Callable[[BaseHTTPRequestHandler], None]) -> Iterator[str]:
    """A tiny HTTP server on 127.0.0.1 playing what sits in front of the uploader (a proxy,
    a failing server): PUTs go to ``on_put``; GET answers the clock endpoint."""

    class Handler(BaseHTTPRequestHandler):
        def do_PUT(self) -> None:  # noqa: N802
            on_put(self)

        def do_GET(self) -> None:  # noqa: N802
            reply(self, 200, {"server_time_ms": time.time() * 1000})

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


async def run_uploader_against(url: str, spool: Spool, done: Callable[[SegmentUploader], bool], *,
                               timeout_s: float, kbps: int = 80_000,
                               token: str | None = None) -> SegmentUploader:
    """Run a real uploader against ``url`` until ``done(uploader)`` or the timeout, then stop it.

    Waiting on the uploader's own count, not on the spool emptying, matters: the spool file
    goes before the count rises, and stopping in between would lose the count."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(headers=headers) as http:
        uploader = SegmentUploader(spool, http, url, ServerClock(http, url), kbps,
                                   refused_delay_s=0.2)
        task = asyncio.create_task(uploader.run())
        await wait_until(lambda: done(uploader), timeout_s)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    return uploader
