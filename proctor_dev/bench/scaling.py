"""``proctor bench scaling``: the same load per node on 1 node, then on 2, each node pinned
to a core of its own; does capacity double?

Each run starts PostgreSQL, one nats-server and an embedded SeaweedFS (shared services,
unpinned), then ``nodes`` real ``proctor serve`` nodes, node ``i`` under ``taskset -c i``.
Each node gets its own proctor-edge (pointed at that node) publishing ``cameras`` stamped
synthetic cameras, which it also records and uploads, and ``viewers`` WHEP viewers per
camera (on the node that owns it). So a node does what it does on an exam day, live and
archive at once: it forwards every camera to its viewers and ingests its segments.

Live phase, per run: frames delivered to viewers per second (throughput), glass-to-glass
latency, each node's CPU per camera, and ``capacity_cameras``: the cameras the nodes' cores
would carry at the measured cost per camera (the sum over nodes of cameras × 100 / node
CPU %). Viewers use little of a node's core, so this one extrapolates.

Archive phase (viewers gone, agents still recording): ``readers`` closed-loop clients per
node ask it for 8 s clips of its site's footage, every window a new one (no clip cache
hit). A clip is read from the store and remuxed on the node. Clips per second is measured;
it is the nodes' throughput only when their cores are the limit (``archive_cpu_pct`` near
100); otherwise the shared store, PostgreSQL or the host limit it, and
``archive_capacity_clips_per_s`` (clips per second × 100 / node CPU %, summed over nodes)
says what the nodes' cores would serve. Segments recorded / stored / lost are counted when
the agents stop.

The ratios (2 nodes ÷ 1) of frames delivered, capacity, clips per second and clip capacity
are the scaling figures (2.0 = linear).

The clients (agents encoding, viewers decoding, this process) are not pinned, in either run:
there is no spare core to give them in the 2-node run, and giving them one only in the
1-node run would favour it. Per-camera cost is CPU time the node process itself used, which
sharing a core with clients does not lower; contention can only raise it (cache, switches)
and worsen latency, which counts against the 2-node run. ``machine_busy_pct`` says how close
the host was to saturation: above ~90 % the latency figures measure the host, not the nodes.
"""

from __future__ import annotations

import asyncio
import os
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from proctor import directory
from proctor.db.migrate import upgrade_database
from proctor.db.models import Role
from proctor.db.session import create_db_engine, create_session_factory, session_scope
from proctor.rtc.ice import pin_host_addresses
from proctor_dev.bench.archive_readers import read_clips, recorded_spans
from proctor_dev.bench.cpu import CpuMeter, machine_cpu_seconds, run_queue_wait_seconds
from proctor_dev.bench.live import _percentile
from proctor_dev.bench.nodes import BenchNode, cluster_nodes, login
from proctor_dev.bench.segments import recorded_segments, spooled_segments, stored_segments
from proctor_dev.bench.viewer import WhepViewer
from proctor_dev.nats import nats_server
from proctor_dev.postgres import postgres_cluster
from proctor_dev.processes import ManagedProcess, agent_process
from proctor_dev.provision import ProvisionedSite, provision_site, write_agent_config
from proctor_dev.seaweed import EmbeddedSeaweedFS

PASSWORD = "scaling bench password"
ONLINE = re.compile(r'^proctor_camera_online\{camera="(\d+)"\} 1', re.MULTILINE)


@dataclass
class NodeFigures:
    """One node of a run."""

    node: str
    core: int
    cameras: int
    cpu_pct: float
    cpu_pct_per_camera: float
    archive_clips_per_s: float = 0.0
    archive_cpu_pct: float = 0.0
    archive_wait_pct: float = 0.0  # runnable but waiting for its core, % of the phase


@dataclass
class ScalingRun:
    """One run: ``nodes`` nodes with ``cameras`` cameras and ``viewers`` viewers each."""

    nodes: int
    cameras: int
    viewers: int
    frames_delivered_per_s: float
    fps_received: float
    latency_ms_p50: float
    latency_ms_p95: float
    cpu_pct_per_camera: float
    capacity_cameras: float
    segments_recorded: int
    segments_stored: int
    segments_lost: int
    archive_readers: int
    archive_clips_per_s: float
    archive_clip_ms_p50: float
    archive_clip_ms_p95: float
    archive_errors: int
    archive_capacity_clips_per_s: float
    archive_store_cpu_pct: float
    agents_cpu_pct: float
    viewers_cpu_pct: float
    machine_busy_pct: float
    per_node: list[NodeFigures]


@dataclass
class ScalingResult:
    """Both runs and their ratios (2 nodes ÷ 1 node)."""

    one: ScalingRun
    two: ScalingRun
    throughput_ratio: float
    capacity_ratio: float
    latency_p95_ratio: float
    archive_throughput_ratio: float
    archive_capacity_ratio: float
    archive_p95_ratio: float
    cpu_cores: int


async def _online(node: BenchNode, token: str) -> set[int]:
    """The cameras live on ``node`` (its /metrics ``proctor_camera_online``)."""
    text = await _metric_text(node.url, token)
    return {int(camera) for camera in ONLINE.findall(text)}


async def _metric_text(url: str, token: str) -> str:
    async with httpx.AsyncClient(timeout=60) as http:
        return (await http.get(f"{url}/metrics",
                               headers={"Authorization": f"Bearer {token}"})).text


async def _owners(nodes: list[BenchNode], tokens: dict[str, str], cameras: set[int],
                  timeout_s: float) -> dict[int, BenchNode]:
    """Wait until every camera is live on some node; which node has each."""
    deadline = time.monotonic() + timeout_s
    while True:
        owners = {camera: node for node in nodes
                  for camera in await _online(node, tokens[node.name])}
        if cameras <= owners.keys():
            return owners
        if time.monotonic() > deadline:
            raise TimeoutError(f"cameras {sorted(cameras - owners.keys())} not live within "
                               f"{timeout_s:.0f} s")
        await asyncio.sleep(0.5)


def _provision(database_url: str, nodes: int, cameras: int) -> list[ProvisionedSite]:
    """A site (one edge device) per node, each with ``cameras`` cameras, and an admin."""
    upgrade_database(database_url)
    engine = create_db_engine(database_url)
    with session_scope(create_session_factory(engine)) as db:
        sites = [provision_site(db, "bench", f"Site {n}", "Room", [f"cam{n}-{i}"
                                                                    for i in range(cameras)])
                 for n in range(nodes)]
        directory.create_user(db, "bench", "admin", PASSWORD, Role.ADMIN)
    engine.dispose()
    return sites


async def run_scaling(nodes: int, cameras: int, viewers: int, readers: int, seconds: float,
                      source: str, segment_seconds: float, warmup_s: float = 4.0,
                      log: Callable[[str], object] = print) -> ScalingRun:
    """One run on ``nodes`` nodes (1 or 2), node ``i`` pinned to CPU ``i``."""
    pin_host_addresses(["127.0.0.1"])
    names = ("a", "b")[:nodes]
    with tempfile.TemporaryDirectory(prefix="proctor-bench-scaling-") as tmp, \
            postgres_cluster() as database_url, nats_server(Path(tmp) / "nats") as nats:
        data_dir = Path(tmp)
        store = EmbeddedSeaweedFS(data_dir / "seaweedfs").start()
        sites = _provision(database_url, nodes, cameras)
        env = {**store.server_env(), "PROCTOR_DATABASE_URL": database_url,
               "PROCTOR_NATS_URL": nats.url, "PROCTOR_ANALYSIS_ENABLED": "false",
               "PROCTOR_FORWARD_H264": "true"}
        agents: list[ManagedProcess] = []
        try:
            with cluster_nodes(data_dir, env, names, cores=tuple(range(nodes))) as started:
                for node, site in zip(started, sites, strict=True):
                    config = data_dir / f"agent-{node.name}" / "agent.toml"
                    write_agent_config(config, node.url, site.device_token,
                                       dict.fromkeys(site.camera_ids, source), ["127.0.0.1"],
                                       {"segment_seconds": segment_seconds})
                    agents.append(agent_process(config, log_path=config.with_suffix(".log")
                                                ).start())
                tokens = {node.name: login(node.url, "admin", PASSWORD) for node in started}
                run = await _measure(started, tokens, sites, agents, viewers, seconds,
                                     warmup_s, log)
                assert store.process is not None
                await _read_archive(run, started, tokens, sites, database_url, readers,
                                    seconds, store.process.pid, log)
                for agent in agents:
                    agent.stop()  # cuts the open segments into the spool
                _count_segments(run, data_dir, names, database_url)
                return run
        finally:
            for agent in agents:
                agent.stop()
            store.stop()


def _count_segments(run: ScalingRun, data_dir: Path, names: tuple[str, ...],
                    database_url: str) -> None:
    recorded = set().union(*(recorded_segments(data_dir / f"agent-{n}" / "agent.log")
                             for n in names))
    spooled = set().union(*(spooled_segments(data_dir / f"agent-{n}" / "spool")
                            for n in names))
    stored = stored_segments(database_url)
    run.segments_recorded, run.segments_stored = len(recorded), len(stored & recorded)
    run.segments_lost = len(recorded - stored - spooled)


async def _measure(nodes: list[BenchNode], tokens: dict[str, str],
                   sites: list[ProvisionedSite], agents: list[ManagedProcess], viewers: int,
                   seconds: float, warmup_s: float, log: Callable[[str], object]) -> ScalingRun:
    """The live phase: viewers on every camera, the nodes' CPU while they watch."""
    cameras = {cid for site in sites for cid in site.camera_ids}
    owners = await _owners(nodes, tokens, cameras, 180)
    log(f"{len(cameras)} camera(s) live: " + ", ".join(
        f"node {n.name} {sum(o is n for o in owners.values())}" for n in nodes))
    watchers = [WhepViewer(owner.url, camera, tokens[owner.name], read_stamps=True)
                for camera, owner in sorted(owners.items()) for _ in range(viewers)]
    try:
        for watcher in watchers:
            await watcher.start()
        await asyncio.sleep(warmup_s)
        node_meters = [CpuMeter(node.process.pid) for node in nodes]
        client_meters = [CpuMeter(agent.pid) for agent in agents] + [CpuMeter(os.getpid())]
        for meter in (*node_meters, *client_meters):
            meter.start()
        busy0, total0 = machine_cpu_seconds()
        frames0 = [w.stats.frames for w in watchers]
        lat0 = [len(w.stats.latencies_ms) for w in watchers]
        started = time.monotonic()
        await asyncio.sleep(seconds)
        elapsed = time.monotonic() - started
        busy1, total1 = machine_cpu_seconds()
        node_cpu = [m.percent() for m in node_meters]
        agents_cpu = sum(m.percent() for m in client_meters[:-1])
        viewers_cpu = client_meters[-1].percent()
        frames = [w.stats.frames - f0 for w, f0 in zip(watchers, frames0, strict=True)]
        latencies = [x for w, n in zip(watchers, lat0, strict=True)
                     for x in w.stats.latencies_ms[n:]]
    finally:
        for watcher in watchers:
            await watcher.stop()
    per_node = []
    for index, (node, cpu) in enumerate(zip(nodes, node_cpu, strict=True)):
        held = sum(owner is node for owner in owners.values())
        per_node.append(NodeFigures(node.name, index, held, round(cpu, 1),
                                    round(cpu / held, 2) if held else float("nan")))
    return ScalingRun(
        nodes=len(nodes), cameras=len(cameras), viewers=len(watchers),
        frames_delivered_per_s=round(sum(frames) / elapsed, 1),
        fps_received=round(statistics.fmean(frames) / elapsed, 2) if frames else 0.0,
        latency_ms_p50=_percentile(latencies, 50), latency_ms_p95=_percentile(latencies, 95),
        cpu_pct_per_camera=round(sum(node_cpu) / len(cameras), 2),
        capacity_cameras=round(sum(100 * n.cameras / n.cpu_pct for n in per_node
                                   if n.cpu_pct > 0), 1),
        segments_recorded=0, segments_stored=0, segments_lost=0,  # counted after the agents stop
        archive_readers=0, archive_clips_per_s=0.0, archive_clip_ms_p50=float("nan"),
        archive_clip_ms_p95=float("nan"), archive_errors=0,  # the archive phase's
        archive_capacity_clips_per_s=0.0, archive_store_cpu_pct=0.0,
        agents_cpu_pct=round(agents_cpu, 1), viewers_cpu_pct=round(viewers_cpu, 1),
        machine_busy_pct=round(100 * (busy1 - busy0) / (total1 - total0), 1),
        per_node=per_node,
    )


async def _read_archive(run: ScalingRun, nodes: list[BenchNode], tokens: dict[str, str],
                        sites: list[ProvisionedSite], database_url: str, readers: int,
                        seconds: float, store_pid: int, log: Callable[[str], object]) -> None:
    """The archive phase (viewers gone, agents still recording): ``readers`` clip readers
    per node, each node asked for its own site's cameras; fills ``run``'s archive figures."""
    spans = recorded_spans(database_url)
    log(f"archive: {readers} clip reader(s) per node for {seconds:g} s")
    meters = [CpuMeter(node.process.pid) for node in nodes]
    store_meter = CpuMeter(store_pid)
    for meter in (*meters, store_meter):
        meter.start()
    waits = [run_queue_wait_seconds(node.process.pid) for node in nodes]
    started = time.monotonic()
    reads = await asyncio.gather(*(read_clips(node.url, tokens[node.name], spans,
                                              site.camera_ids, readers, seconds)
                                   for node, site in zip(nodes, sites, strict=True)))
    elapsed = time.monotonic() - started
    run.archive_store_cpu_pct = round(store_meter.percent(), 1)
    for figures, meter, node_reads, node, wait0 in zip(run.per_node, meters, reads, nodes,
                                                       waits, strict=True):
        figures.archive_cpu_pct = round(meter.percent(), 1)
        figures.archive_wait_pct = round(
            100 * (run_queue_wait_seconds(node.process.pid) - wait0) / elapsed, 1)
        figures.archive_clips_per_s = round(node_reads.clips / elapsed, 2)
    latencies = [ms for node_reads in reads for ms in node_reads.latencies_ms]
    run.archive_readers = readers * len(nodes)
    run.archive_clips_per_s = round(sum(r.clips for r in reads) / elapsed, 2)
    run.archive_clip_ms_p50 = _percentile(latencies, 50)
    run.archive_clip_ms_p95 = _percentile(latencies, 95)
    run.archive_errors = sum(r.errors for r in reads)
    run.archive_capacity_clips_per_s = round(sum(
        100 * n.archive_clips_per_s / n.archive_cpu_pct for n in run.per_node
        if n.archive_cpu_pct > 0), 1)
    for node, node_reads in zip(nodes, reads, strict=True):
        if node_reads.first_error:
            log(f"node {node.name}: {node_reads.errors} clip(s) failed, the first: "
                f"{node_reads.first_error}")


async def run_scaling_bench(cameras: int, viewers: int, seconds: float, readers: int = 2,
                            width: int = 768, height: int = 432, fps: float = 15,
                            segment_seconds: float = 4.0,
                            log: Callable[[str], object] = print) -> ScalingResult:
    """1 node, then 2, each with ``cameras`` cameras, ``viewers`` viewers per camera, then
    ``readers`` archive clip readers."""
    source = f"testsrc://stamp?width={width}&height={height}&fps={fps}"
    runs = []
    for nodes in (1, 2):
        log(f"{nodes} node(s) on {nodes} core(s): {cameras} camera(s) {width}x{height}@{fps:g} "
            f"and {viewers} viewer(s) per camera on each")
        runs.append(await run_scaling(nodes, cameras, viewers, readers, seconds, source,
                                      segment_seconds, log=log))
    one, two = runs
    return ScalingResult(
        one=one, two=two,
        throughput_ratio=_ratio(two.frames_delivered_per_s, one.frames_delivered_per_s),
        capacity_ratio=_ratio(two.capacity_cameras, one.capacity_cameras),
        latency_p95_ratio=_ratio(two.latency_ms_p95, one.latency_ms_p95),
        archive_throughput_ratio=_ratio(two.archive_clips_per_s, one.archive_clips_per_s),
        archive_capacity_ratio=_ratio(two.archive_capacity_clips_per_s,
                                      one.archive_capacity_clips_per_s),
        archive_p95_ratio=_ratio(two.archive_clip_ms_p95, one.archive_clip_ms_p95),
        cpu_cores=os.cpu_count() or 0)


def _ratio(a: float, b: float) -> float:
    return round(a / b, 2) if b else float("nan")
