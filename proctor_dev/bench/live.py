"""``proctor bench live``: cameras → edge → server → viewers on loopback, measured.

The edge agent publishes synthetic cameras whose frames carry their send time in the
pixels; every viewer decodes the server's stream and reads the stamps back, so latency is
glass to glass. With ``clip`` the cameras publish a pre-encoded clip through the agent's
H.264 pass-through instead (no encoder at the edge, so 16 cameras of 720p15 fit on 2 cores);
its frames carry their index, which the agent's send log maps to a send time
(:mod:`proctor_dev.bench.stamp_clip`). Latency covers edge encode (none for the clip), WebRTC,
the server's forwarding or its decode and re-encode, and viewer decode. The server's own
share of a forwarded frame's latency (from the publisher's jitter buffer to a viewer's
sender, from its /metrics) is reported apart, since on a small machine the benchmark's own
edge and viewers dominate. The viewers complete a frame at its
last packet, as browsers do. ``transcode`` switches forwarding off
(``PROCTOR_FORWARD_H264=false``), so the two can be compared on the same machine.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx

from edge_agent.send_log import SEND_LOG_ENV
from proctor import directory
from proctor.db.migrate import upgrade_database
from proctor.db.models import Role
from proctor.db.session import create_db_engine, create_session_factory, session_scope
from proctor.rtc.ice import pin_host_addresses
from proctor_dev.bench.cpu import CpuMeter
from proctor_dev.bench.live_work import ServerWork, WorkFigures
from proctor_dev.bench.stamp_clip import SendTimes, stamped_clip
from proctor_dev.bench.viewer import WhepViewer
from proctor_dev.processes import agent_process, free_port, server_process, wait_http_ready
from proctor_dev.provision import provision_site, write_agent_config

BENCH_PASSWORD = "bench-password-0"


@dataclass
class LiveBenchResult:
    """The figures ``proctor bench live`` prints as its last line."""

    cameras: int
    viewers: int
    resolution: str
    fps_target: float
    fps_sent: float
    fps_received: float
    latency_ms_p50: float
    latency_ms_p95: float
    server_forward_ms_p50: float  # the server's share of a forwarded frame's latency
    server_forward_ms_p95: float
    first_frame_s_max: float
    server_cpu_pct: float
    server_cpu_pct_per_camera: float
    forwarded_viewers: int
    transcoded_viewers: int
    edge_cpu_pct: float
    viewers_cpu_pct: float
    seconds: float
    cpu_cores: int
    source: str = "testsrc"  # or "clip": the pre-encoded clip, passed through
    full: bool = False  # the server also recorded and analysed (proctor_dev/bench/live_work.py)
    work: WorkFigures = field(default_factory=WorkFigures)


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return round(statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1], 1)


def provision_bench(data_dir: Path, cameras: int) -> tuple[str, list[int]]:
    """A SQLite database in ``data_dir`` with one site of ``cameras`` cameras and the admin
    ``bench`` (password BENCH_PASSWORD); the site's device token and camera ids."""
    database_url = f"sqlite:///{data_dir / 'proctor.db'}"
    upgrade_database(database_url)
    engine = create_db_engine(database_url)
    with session_scope(create_session_factory(engine)) as db:
        site = provision_site(db, "bench", "Bench site", "Bench room",
                              [f"cam{i}" for i in range(cameras)])
        directory.create_user(db, "bench", "bench", BENCH_PASSWORD, Role.ADMIN)
    engine.dispose()
    return site.device_token, site.camera_ids


async def metric_sum(url: str, token: str, prefix: str) -> float:
    """The sum of every sample of the server's /metrics whose line starts with ``prefix``."""
    async with httpx.AsyncClient(timeout=60) as http:  # a loaded host can delay it for seconds
        text = (await http.get(f"{url}/metrics", headers={"Authorization": f"Bearer {token}"})).text
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith(prefix))


async def _frames_ingested(url: str, token: str) -> float:
    return await metric_sum(url, token, "proctor_camera_frames_received_total{")


async def run_live_bench(cameras: int, viewers: int, seconds: float, width: int = 1280,
                         height: int = 720, fps: float = 15, warmup_s: float = 4.0,
                         log: Callable[[str], object] = print,
                         transcode: bool = False, clip: bool = False,
                         full: bool = False) -> LiveBenchResult:
    """Run the benchmark and return its figures (``clip``: see the module's docstring;
    ``full``: the server also records and analyses, see proctor_dev/bench/live_work.py)."""
    pin_host_addresses(["127.0.0.1"])
    with tempfile.TemporaryDirectory(prefix="proctor-bench-") as tmp:
        data_dir = Path(tmp)
        token, camera_ids = provision_bench(data_dir, cameras)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        source = (f"file://{stamped_clip(width, height, round(fps)).resolve()}" if clip else
                  f"testsrc://stamp?width={width}&height={height}&fps={fps}")
        send_log = data_dir / "send.log"
        write_agent_config(data_dir / "agent.toml", url, token,
                           {cid: source for cid in camera_ids}, ["127.0.0.1"])
        work = ServerWork(data_dir, full)
        server = server_process(data_dir, port, log_path=data_dir / "server.log",
                                extra_env={**work.server_env(),
                                           "PROCTOR_FORWARD_H264": str(not transcode).lower()},
                                ).start()
        agent = None
        watchers: list[WhepViewer] = []
        try:
            wait_http_ready(f"{url}/api/auth/me", server)
            agent = agent_process(data_dir / "agent.toml", log_path=data_dir / "agent.log",
                                  env={SEND_LOG_ENV: str(send_log)} if clip else None).start()
            login = {"username": "bench", "password": BENCH_PASSWORD}
            session = httpx.post(f"{url}/api/auth/login", json=login, timeout=60).json()["token"]
            log(f"publishing {cameras} camera(s) {width}x{height}@{fps:g}, "
                f"{viewers} viewer(s) each")
            deadline = time.monotonic() + 60  # viewers join cameras that publish, as on site
            while (await metric_sum(url, session, "proctor_camera_online{") < cameras
                   and time.monotonic() < deadline):
                await asyncio.sleep(0.5)
            watchers = [WhepViewer(url, cid, session, read_stamps=not clip, read_indexes=clip)
                        for cid in camera_ids for _ in range(viewers)]
            for watcher in watchers:
                await watcher.start()
            await asyncio.sleep(warmup_s)
            meters = [CpuMeter(server.pid), CpuMeter(agent.pid), CpuMeter(os.getpid())]
            for meter in meters:
                meter.start()

            async def metric(prefix: str) -> float:
                return await metric_sum(url, session, prefix)

            await work.start(server.pid, metric)
            ingested0 = await _frames_ingested(url, session)
            frames0 = [w.stats.frames for w in watchers]
            lat0 = [len(w.stats.indexes if clip else w.stats.latencies_ms) for w in watchers]
            started = time.monotonic()
            await asyncio.sleep(seconds)
            elapsed = time.monotonic() - started
            server_cpu, edge_cpu, viewers_cpu = (round(m.percent(), 1) for m in meters)
            ingested = await _frames_ingested(url, session) - ingested0
            work_figures = await work.finish(metric, elapsed, cameras)
            server_ms = [round(1000 * await metric_sum(
                url, session, f"proctor_live_forward_delay_{q}_seconds "), 1)
                for q in ("p50", "p95")]
            forwarded, transcoded = [round(await metric_sum(
                url, session, f'proctor_live_viewers{{delivery="{kind}"}}'))
                for kind in ("forwarded", "transcoded")]
            received = [(w.stats.frames - f0) / elapsed
                        for w, f0 in zip(watchers, frames0, strict=True)]
            latencies = (_clip_latencies(watchers, lat0, SendTimes.read(send_log, round(fps)))
                         if clip else [x for w, n in zip(watchers, lat0, strict=True)
                                       for x in w.stats.latencies_ms[n:]])
            first = [w.stats.first_frame_s or float("inf") for w in watchers]
        finally:
            for watcher in watchers:
                await watcher.stop()
            if agent is not None:
                agent.stop()
            server.stop()
            work.stop()
    return LiveBenchResult(
        cameras=cameras, viewers=viewers, resolution=f"{width}x{height}", fps_target=fps,
        fps_sent=round(ingested / elapsed / cameras, 2),
        fps_received=round(statistics.fmean(received), 2) if received else 0.0,
        latency_ms_p50=_percentile(latencies, 50), latency_ms_p95=_percentile(latencies, 95),
        server_forward_ms_p50=server_ms[0], server_forward_ms_p95=server_ms[1],
        first_frame_s_max=round(max(first), 2) if first else float("nan"),
        server_cpu_pct=server_cpu,
        server_cpu_pct_per_camera=round(server_cpu / cameras, 2),
        forwarded_viewers=forwarded, transcoded_viewers=transcoded,
        edge_cpu_pct=edge_cpu, viewers_cpu_pct=viewers_cpu,
        seconds=round(elapsed, 1), cpu_cores=os.cpu_count() or 0,
        source="clip" if clip else "testsrc", full=full, work=work_figures,
    )


def _clip_latencies(watchers: list[WhepViewer], start: list[int],
                    sent: SendTimes) -> list[float]:
    """Each viewer's frames since ``start`` joined with the agent's send times."""
    found = (sent.latency_ms(w.camera_id, index, arrived) for w, n in
             zip(watchers, start, strict=True) for arrived, index in w.stats.indexes[n:])
    return [ms for ms in found if ms is not None]


def result_line(result: LiveBenchResult) -> dict[str, object]:
    """The JSON object printed last."""
    return asdict(result)
