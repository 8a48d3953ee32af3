"""``proctor bench failover``: kill the node that publishes the cameras and measure the move.

Two real ``proctor serve`` nodes share one PostgreSQL, one nats-server and one embedded
SeaweedFS. A real proctor-edge records and publishes N cameras through a loopback entry point
over both nodes (what a load balancer is in a deployment); both cameras land on the first
node. Mid-run that node is SIGKILLed. Figures:

- ``recovery_s``: from the kill until every camera is live on the other node;
- ``segments_lost``: segments the agent logged as recorded (camera, start) that are neither
  in the database nor still in its spool;
- ``cameras_owned_twice``: cameras seen live on two nodes in the same sample (every 0.5 s).
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from proctor import directory
from proctor.config import REPO_ROOT
from proctor.db.migrate import upgrade_database
from proctor.db.models import Role
from proctor.db.session import create_db_engine, create_session_factory, session_scope
from proctor_dev.bench.nodes import BenchNode, cluster_nodes, login
from proctor_dev.bench.segments import recorded_segments, spooled_segments, stored_segments
from proctor_dev.entry_proxy import EntryProxy
from proctor_dev.nats import nats_server
from proctor_dev.postgres import postgres_cluster
from proctor_dev.processes import agent_process
from proctor_dev.provision import ProvisionedSite, provision_site, write_agent_config
from proctor_dev.samples import h264_sample
from proctor_dev.seaweed import EmbeddedSeaweedFS

PASSWORD = "failover bench password"
SAMPLE_S = 0.5


@dataclass
class FailoverBenchResult:
    """The figures ``proctor bench failover`` prints as its last line."""

    cameras: int
    seconds: float
    lease_s: float
    killed_node: str
    recovery_s: float
    segments_recorded: int
    segments_stored: int
    segments_spooled: int
    segments_lost: int
    cameras_owned_twice: int


def _provision(database_url: str, cameras: int) -> ProvisionedSite:
    upgrade_database(database_url)
    engine = create_db_engine(database_url)
    with session_scope(create_session_factory(engine)) as db:
        site = provision_site(db, "bench", "Failover", "Room", [f"cam{i}" for i in range(cameras)])
        directory.create_user(db, "bench", "admin", PASSWORD, Role.ADMIN)
    engine.dispose()
    return site


async def _live_on(http: httpx.AsyncClient, node: BenchNode, token: str) -> set[int]:
    """The cameras live on ``node`` (none if it does not answer)."""
    try:
        response = await http.get(f"{node.url}/api/cameras",
                                  headers={"Authorization": f"Bearer {token}"})
        response.raise_for_status()
    except httpx.HTTPError:
        return set()
    return {camera["id"] for camera in response.json() if camera["live"]["online"]}


class _Watch:
    """Samples which cameras are live on which running node."""

    def __init__(self, nodes: list[BenchNode], tokens: dict[str, str]) -> None:
        self.nodes = nodes
        self.tokens = tokens
        self.latest: dict[str, set[int]] = {}
        self.twice: set[int] = set()

    async def run(self) -> None:
        async with httpx.AsyncClient(timeout=5.0) as http:
            while True:
                live = [node for node in self.nodes if node.process.running()]
                seen = await asyncio.gather(*(_live_on(http, n, self.tokens[n.name])
                                              for n in live))
                self.latest = {node.name: cameras for node, cameras in zip(live, seen,
                                                                            strict=True)}
                for camera in set().union(*seen) if seen else set():
                    if sum(camera in cameras for cameras in seen) > 1:
                        self.twice.add(camera)
                await asyncio.sleep(SAMPLE_S)

    async def until_all_on(self, cameras: set[int], timeout_s: float,
                           node: str | None = None) -> str:
        """Wait until one node (``node`` if given) has every camera live; returns its name."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for name, live in self.latest.items():
                if cameras <= live and node in (None, name):
                    return name
            await asyncio.sleep(0.1)
        raise TimeoutError(f"cameras {sorted(cameras)} not all live on one node within "
                           f"{timeout_s:.0f} s (live now: {self.latest})")


async def _wait_spool(spool: Path, at_most: int, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and len(list(spool.rglob("*.ts"))) > at_most:
        await asyncio.sleep(0.5)


async def run_failover_bench(cameras: int = 2, seconds: float = 60.0, lease_s: float = 5.0,
                             segment_seconds: float = 4.0,
                             log: Callable[[str], object] = print) -> FailoverBenchResult:
    """Run the benchmark and return its figures."""
    footage = h264_sample(REPO_ROOT / "var" / "media")
    with tempfile.TemporaryDirectory(prefix="proctor-bench-failover-") as tmp, \
            postgres_cluster() as database_url, nats_server(Path(tmp) / "nats") as nats:
        data_dir = Path(tmp)
        store = EmbeddedSeaweedFS(data_dir / "seaweedfs").start()
        site = _provision(database_url, cameras)
        env = {**store.server_env(), "PROCTOR_DATABASE_URL": database_url,
               "PROCTOR_NATS_URL": nats.url, "PROCTOR_CAMERA_LEASE_S": str(lease_s),
               "PROCTOR_ANALYSIS_ENABLED": "false", "PROCTOR_ICE_HOST_ADDRESSES": "127.0.0.1"}
        try:
            with cluster_nodes(data_dir, env) as nodes:
                result = await _run(data_dir, nodes, site, footage, seconds, lease_s,
                                    segment_seconds, log)
                recorded = recorded_segments(data_dir / "agent.log")
                stored = stored_segments(database_url)
                spooled = spooled_segments(data_dir / "spool")
                result.segments_recorded, result.segments_stored = len(recorded), len(stored)
                result.segments_spooled = len(spooled)
                result.segments_lost = len(recorded - stored - spooled)
                return result
        finally:
            store.stop()


async def _run(data_dir: Path, nodes: list[BenchNode], site: ProvisionedSite, footage: Path,
               seconds: float, lease_s: float, segment_seconds: float,
               log: Callable[[str], object]) -> FailoverBenchResult:
    proxy = await EntryProxy([node.port for node in nodes]).start()
    write_agent_config(data_dir / "agent.toml", proxy.url, site.device_token,
                       {cid: footage.as_uri() for cid in site.camera_ids}, ["127.0.0.1"],
                       {"segment_seconds": segment_seconds})
    tokens = {node.name: login(node.url, "admin", PASSWORD) for node in nodes}
    watch = _Watch(nodes, tokens)
    sampler = asyncio.create_task(watch.run())
    agent = agent_process(data_dir / "agent.toml", log_path=data_dir / "agent.log").start()
    cameras = set(site.camera_ids)
    try:
        owner_name = await watch.until_all_on(cameras, 180)
        log(f"{len(cameras)} camera(s) live on node {owner_name}; recording {seconds / 2:g} s")
        await asyncio.sleep(seconds / 2)
        owner = next(node for node in nodes if node.name == owner_name)
        survivor = next(node for node in nodes if node is not owner)
        owner.process.kill()
        killed = time.monotonic()
        log(f"killed node {owner.name} (SIGKILL); waiting for node {survivor.name}")
        await watch.until_all_on(cameras, 180, node=survivor.name)
        recovery_s = time.monotonic() - killed
        log(f"all cameras live on node {survivor.name} after {recovery_s:.1f} s")
        await asyncio.sleep(max(0.0, seconds / 2 - recovery_s))
        await _wait_spool(data_dir / "spool", len(cameras), 300)  # the outage's backlog
        agent.stop()  # cuts the open segments into the spool
    finally:
        agent.stop()
        sampler.cancel()
        await proxy.close()
    return FailoverBenchResult(  # segments are counted by the caller, against the database
        cameras=len(cameras), seconds=seconds, lease_s=lease_s, killed_node=owner.name,
        recovery_s=round(recovery_s, 1), segments_recorded=0, segments_stored=0,
        segments_spooled=0, segments_lost=0, cameras_owned_twice=len(watch.twice))
