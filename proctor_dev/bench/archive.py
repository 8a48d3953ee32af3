"""``proctor bench archive``: record real footage through an outage and count what arrives.

A real server, embedded SeaweedFS and a proctor-edge recording N cameras (the sample H.264
footage, sent and recorded without transcoding). Optionally the server is stopped for
``outage`` seconds mid-run. Afterwards the agent's own log says how many segments it
recorded, the index says how many were stored, and coverage says whether any time is missing.
"""

from __future__ import annotations

import asyncio
import sqlite3
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from minio import Minio

from proctor.config import REPO_ROOT
from proctor.db.migrate import upgrade_database
from proctor.db.session import create_db_engine, create_session_factory, session_scope
from proctor.recording.clips import SegmentMedia, assemble_clip
from proctor.recording.coverage import coverage
from proctor.recording.store import ObjectStore
from proctor_dev.bench.cpu import process_cpu_seconds
from proctor_dev.processes import (
    ManagedProcess,
    agent_process,
    free_port,
    server_process,
    wait_http_ready,
)
from proctor_dev.provision import provision_site, write_agent_config
from proctor_dev.samples import h264_sample
from proctor_dev.seaweed import EmbeddedSeaweedFS


@dataclass
class ArchiveBenchResult:
    """The figures ``proctor bench archive`` prints as its last line."""

    cameras: int
    seconds: float
    outage_s: float
    segments_recorded: int
    segments_stored: int
    segments_lost: int
    gap_seconds: float
    drain_s: float
    upload_mbps: float
    ingest_cpu_pct: float
    clip_seconds_per_footage_hour: float


class _Server:
    """The server process, restartable, with its CPU time summed across restarts."""

    def __init__(self, data_dir: Path, port: int, env: dict[str, str]) -> None:
        self._args = (data_dir, port, env)
        self.cpu_s = 0.0
        self.process: ManagedProcess | None = None

    def start(self) -> None:
        data_dir, port, env = self._args
        self.process = server_process(data_dir, port, extra_env=env,
                                      log_path=data_dir / "server.log").start()
        wait_http_ready(f"http://127.0.0.1:{port}/healthz", self.process)

    def stop(self) -> None:
        if self.process is not None and self.process.running():
            self.cpu_s += process_cpu_seconds(self.process.pid)
            self.process.stop()


def _stored(data_dir: Path) -> list[tuple[int, int, int, int]]:
    """``(camera, start_ms, end_ms, size)`` of every indexed segment."""
    with sqlite3.connect(data_dir / "proctor.db") as db:
        return db.execute("SELECT camera_id, start_ms, end_ms, size FROM segments").fetchall()


def _spooled(data_dir: Path) -> int:
    return len(list((data_dir / "spool").rglob("*.ts")))


async def _wait_drained(data_dir: Path, at_most: int, timeout_s: float) -> float:
    """Wait until the spool holds at most ``at_most`` segments; returns the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < timeout_s and _spooled(data_dir) > at_most:
        await asyncio.sleep(0.5)
    return time.monotonic() - started


def _gap_seconds(rows: list[tuple[int, int, int, int]], camera_ids: list[int]) -> float:
    total = 0.0
    for camera_id in camera_ids:
        spans = sorted((start, end) for camera, start, end, _ in rows if camera == camera_id)
        if spans:
            report = coverage(spans, spans[0][0], spans[-1][1])
            total += sum(b - a for a, b in report.gaps) / 1000
    return total


async def run_archive_bench(cameras: int, seconds: float, outage_s: float,
                            segment_seconds: float = 10.0,
                            log: Callable[[str], object] = print) -> ArchiveBenchResult:
    """Run the benchmark and return its figures."""
    footage = h264_sample(REPO_ROOT / "var" / "media")
    with tempfile.TemporaryDirectory(prefix="proctor-bench-archive-") as tmp:
        data_dir = Path(tmp)
        store = EmbeddedSeaweedFS(data_dir / "seaweedfs").start()
        env = {"PROCTOR_S3_ENDPOINT": store.endpoint, "PROCTOR_S3_ACCESS_KEY": store.access_key,
               "PROCTOR_S3_SECRET_KEY": store.secret_key,
               "PROCTOR_ANALYSIS_ENABLED": "false"}  # measures recording alone
        database_url = f"sqlite:///{data_dir / 'proctor.db'}"
        upgrade_database(database_url)
        engine = create_db_engine(database_url)
        with session_scope(create_session_factory(engine)) as db:
            site = provision_site(db, "bench", "Bench", "Room", [f"cam{i}" for i in range(cameras)])
        engine.dispose()
        port = free_port()
        write_agent_config(data_dir / "agent.toml", f"http://127.0.0.1:{port}", site.device_token,
                           {cid: footage.as_uri() for cid in site.camera_ids}, ["127.0.0.1"],
                           {"segment_seconds": segment_seconds})
        server = _Server(data_dir, port, env)
        server.start()
        agent = agent_process(data_dir / "agent.toml", log_path=data_dir / "agent.log").start()
        drain_s, backlog_bytes = 0.0, 0
        try:
            log(f"recording {cameras} camera(s) for {seconds:g} s, server outage {outage_s:g} s")
            before = max(0.0, (seconds - outage_s) / 2)
            await asyncio.sleep(before)
            if outage_s:
                server.stop()
                await asyncio.sleep(outage_s)
                server.start()
                bytes_before = sum(size for *_, size in _stored(data_dir))
                drain_s = await _wait_drained(data_dir, cameras, 600)
                backlog_bytes = sum(size for *_, size in _stored(data_dir)) - bytes_before
            await asyncio.sleep(max(0.0, seconds - before - outage_s - drain_s))
            agent.stop()  # cuts the open segments into the spool; nothing uploads them now
        finally:
            agent.stop()
            server.stop()
        rows = _stored(data_dir)
        recorded = (data_dir / "agent.log").read_text().count(" recorded (")
        left = _spooled(data_dir)
        clip_rate = _clip_seconds_per_hour(store, data_dir)
        store.stop()
    return ArchiveBenchResult(
        cameras=cameras, seconds=seconds, outage_s=outage_s, segments_recorded=recorded,
        segments_stored=len(rows), segments_lost=recorded - len(rows) - left,
        gap_seconds=round(_gap_seconds(rows, site.camera_ids), 1), drain_s=round(drain_s, 1),
        upload_mbps=round(backlog_bytes * 8 / 1e6 / drain_s, 2) if drain_s else 0.0,
        ingest_cpu_pct=round(100 * server.cpu_s / seconds, 1),
        clip_seconds_per_footage_hour=clip_rate,
    )


def _clip_seconds_per_hour(store: EmbeddedSeaweedFS, data_dir: Path) -> float:
    """Time to assemble one camera's whole recording into a clip, per hour of footage."""
    object_store = ObjectStore(Minio(store.endpoint, store.access_key, store.secret_key,
                                     secure=False, region="us-east-1"), "proctor-footage")
    with sqlite3.connect(data_dir / "proctor.db") as db:
        rows = db.execute("SELECT start_ms, end_ms, object_key, version_id FROM segments WHERE "
                          "camera_id = (SELECT MIN(camera_id) FROM segments) ORDER BY start_ms"
                          ).fetchall()
    if not rows:
        return float("nan")
    media = [SegmentMedia(start, object_store.read(key, version))
             for start, _, key, version in rows]
    started = time.perf_counter()
    assemble_clip(media, rows[0][0], rows[-1][1], data_dir / "bench-clip.mp4")
    elapsed = time.perf_counter() - started
    span_ms: int = rows[-1][1] - rows[0][0]
    return round(elapsed * 3_600_000 / span_ms, 2)
