"""``proctor bench fleet``: a province exam day, time-compressed, against the real control
plane of two nodes.

Two real ``proctor serve`` nodes share one PostgreSQL, one nats-server (JetStream) and one
embedded SeaweedFS, all on loopback (the services start side by side, then both nodes).
Stub agents (:mod:`proctor_dev.bench.fleet_stubs`, no media) live the day in
``stub_processes`` processes, each owning a slice of the cameras and readers:

- sessions open at 08:30 and 13:30 ± 10 min and close at 11:30 and 16:00; the day from
  08:20 to 16:10 is compressed into ``minutes`` of wall time, so the opening waves come
  ``470 / minutes`` times faster than a real province's;
- per camera, everything else runs at its real rate (1:1): a WHIP offer (candidates
  stripped, so the server's peer waits and sends nothing) to either node, 307 followed,
  503 ``Retry-After`` honoured; one small segment PUT per ``segment_seconds`` to the owner
  (the server writes the store object and the hash-chain row; a failed PUT is kept and
  sent again, so segments sent and rows stored compare 1:1); an edge observation per
  ``observe_seconds`` (a covered lens once per session opens a ``covered`` event and puts
  messages on the alerts stream); a health poll of each node every 0.5 s; at closing, a
  DELETE that releases the lease;
- ``readers`` site-scoped supervisors poll the console APIs (camera list, coverage).

At ``kill_at`` (a day minute; by default 08:30, inside the morning's opening wave) the node
holding more cameras is SIGKILLed: its stubs notice (a refused health poll, standing in for
the ICE disconnect a real agent sees) and publish again; the lease TTL frees their cameras.

Figures (:class:`FleetBenchResult`): p95 latencies of the console reads (``api_p95_ms``),
segment PUTs, WHIP POSTs and observation POSTs; status counts; PostgreSQL rows written per
second; JetStream delivery lag of the lease bucket and of the alerts stream;
``reconnect_recovery_s`` from the kill until every open camera is owned on the live node;
``cameras_owned_twice`` and ``segments_lost``; the nodes' CPU per owned camera-second and
the node count it implies for 6,000 cameras (control plane only, no media); the stub
processes' CPU (``bench_cpu_share``, 1.0 = one core) and their event loops' lag.
"""

from __future__ import annotations

import asyncio
import math
import os
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sqlalchemy import text

from proctor import directory
from proctor.db.migrate import upgrade_database
from proctor.db.models import Role
from proctor.db.session import create_db_engine, create_session_factory, session_scope
from proctor_dev.bench.cpu import process_cpu_seconds
from proctor_dev.bench.fleet_bodies import StubBodies
from proctor_dev.bench.fleet_pool import StubPool
from proctor_dev.bench.fleet_probe import (
    ALERTS_SUBJECTS,
    LEASES_STREAM_SUBJECTS,
    LagProbe,
    TwiceWatch,
)
from proctor_dev.bench.fleet_stubs import (
    DAY_END_MIN,
    SITE_CAMERAS,
    STATUS_S,
    WAVES,
    Clock,
    Stats,
    StubSlice,
    StubStatus,
    p95,
)
from proctor_dev.bench.nodes import BenchNode, cluster_nodes, login
from proctor_dev.nats import nats_server
from proctor_dev.postgres import postgres_cluster
from proctor_dev.provision import ProvisionedSite, provision_site
from proctor_dev.seaweed import EmbeddedSeaweedFS

PASSWORD = "fleet bench password"
KILL_AT_MIN = 8 * 60 + 30  # the middle of the morning's opening wave
CPU_HEADROOM = 0.7  # plan nodes at 70 % of their cores
NODE_CORES = 2
PROVINCE_CAMERAS = 6000
_T = TypeVar("_T")


@dataclass
class FleetBenchResult:
    """The figures ``proctor bench fleet`` prints, the last line as one JSON object."""

    cameras: int
    minutes: float
    readers: int
    stub_processes: int
    api_p95_ms: float
    put_p95_ms: float
    whip_p95_ms: float
    jetstream_lag_p95_ms: float | None
    pg_rows_per_s: float
    kill_at: str  # the day's HH:MM when a node was SIGKILLed
    reconnect_recovery_s: float | None
    killed_node: str
    owned_at_kill: int  # open cameras owned on a live node just before the kill
    open_at_kill: int
    cameras_owned_twice: int  # held on one node while the lease named another, > a lease
    whip_status: dict[str, int]
    put_status: dict[str, int]
    read_status: dict[str, int]
    server_errors: int
    segments_recorded: int  # made by the stubs
    segments_stored: int  # rows in the index (each one a link of its camera's hash chain)
    segments_rejected: int  # refused for good
    segments_unsent: int  # still waiting at the stubs at the end
    segments_lost: int  # recorded, yet neither stored, rejected nor waiting
    puts_per_s: float
    node_cpu_ms_per_camera_s: float
    nodes_for_6000_control_plane: int
    observe_p95_ms: float
    observe_status: dict[str, int]
    events_opened: int  # covered events the observations opened (rows in the event log)
    alerts_lag_p95_ms: float | None  # the alerts stream, store to delivery
    alerts_delivered: int  # messages of the alerts stream the probe received
    bench_cpu_share: float  # the bench's processes' CPU over the day, 1.0 = one core
    bench_loop_lag_p95_ms: float | None  # how late the stubs' loops woke (starved: high)
    startup_s: float  # from the start to the day's first minute


def day_minute(clock_time: str) -> int:
    """``"HH:MM"`` as a minute of the day; ``ValueError`` outside the simulated day."""
    hours, _, minutes = clock_time.partition(":")
    minute = int(hours) * 60 + int(minutes)
    if not WAVES[0][0] - 10 <= minute < DAY_END_MIN or not 0 <= int(minutes) < 60:
        raise ValueError(f"{clock_time!r} is not a time between 08:20 and 16:10")
    return minute


def _provision(database_url: str, cameras: int, readers: int) -> tuple[
        list[ProvisionedSite], list[tuple[str, list[int]]]]:
    """Sites of :data:`SITE_CAMERAS` cameras; one supervisor per reader, granted one site."""
    upgrade_database(database_url)
    engine = create_db_engine(database_url)
    sites = []
    users = []
    with session_scope(create_session_factory(engine)) as db:
        for index in range(math.ceil(cameras / SITE_CAMERAS)):
            count = min(SITE_CAMERAS, cameras - index * SITE_CAMERAS)
            sites.append(provision_site(db, "bench", f"Site {index}", "Room",
                                        [f"cam{index}-{i}" for i in range(count)]))
        for index in range(readers):
            site = sites[index % len(sites)]
            name = f"supervisor{index}"
            directory.create_user(db, "bench", name, PASSWORD, Role.SUPERVISOR,
                                  site_ids=[site.site_id])
            users.append((name, site.camera_ids))
    engine.dispose()
    return sites, users


_ROWS_WRITTEN = ("SELECT tup_inserted + tup_updated + tup_deleted FROM pg_stat_database "
                 "WHERE datname = current_database()")


_EVENTS = "SELECT count(*) FROM events"


def _count(database_url: str, query: str) -> int:
    """One integer from the database: rows written so far, segments, events."""
    engine = create_db_engine(database_url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text(query)).scalar_one())
    finally:
        engine.dispose()


def _log_in(nodes: list[BenchNode], users: list[tuple[str, list[int]]]) -> list[str]:
    """The readers' tokens, logged in a few at a time on both nodes (each login is a
    deliberately slow password check)."""
    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(lambda pair: login(nodes[pair[0] % len(nodes)].url, pair[1][0],
                                                PASSWORD), enumerate(users)))


@contextmanager
def _services(data_dir: Path) -> Iterator[tuple[str, str, EmbeddedSeaweedFS]]:
    """PostgreSQL, nats-server and SeaweedFS, started side by side: the database URL, the
    NATS URL and the store."""
    with ExitStack() as stack, ThreadPoolExecutor(3) as pool:
        store = EmbeddedSeaweedFS(data_dir / "seaweedfs")
        database = pool.submit(lambda: _entered(stack, postgres_cluster()))
        nats = pool.submit(lambda: _entered(stack, nats_server(data_dir / "nats")))
        started = pool.submit(store.start)
        stack.callback(store.stop)
        database_url, nats_url = database.result(), nats.result().url
        started.result()
        yield database_url, nats_url, store


def _entered(stack: ExitStack, manager: AbstractContextManager[_T]) -> _T:
    return stack.enter_context(manager)


def _slices(nodes: list[BenchNode], sites: list[ProvisionedSite], readers: list[tuple[
        str, list[int]]], processes: int, bodies: StubBodies, minutes: float,
        segment_s: float, observe_s: float) -> list[StubSlice]:
    """The cameras and readers dealt round-robin to ``processes`` stub processes (fewer
    when there are fewer cameras)."""
    cameras = [(camera, site.device_token) for site in sites for camera in site.camera_ids]
    count = max(1, min(processes, len(cameras)))
    return [StubSlice([node.url for node in nodes], cameras[index::count],
                      readers[index::count], bodies, minutes, segment_s, observe_s)
            for index in range(count)]


async def run_fleet_bench(cameras: int = 200, minutes: float = 2.0, readers: int = 10,
                          lease_s: float = 5.0, segment_seconds: float = 10.0,
                          observe_seconds: float = 5.0, stub_processes: int | None = None,
                          kill_at: int = KILL_AT_MIN, logs: Path | None = None,
                          log: Callable[[str], object] = print) -> FleetBenchResult:
    """Run the simulated day and return its figures; ``stub_processes``: by default one
    per core; ``kill_at``: the day minute a node is SIGKILLed; ``logs``: a folder the
    nodes' logs are copied to at the end."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="proctor-bench-fleet-") as tmp, \
            _services(Path(tmp)) as (database_url, nats_url, store):
        data_dir = Path(tmp)
        sites, users = _provision(database_url, cameras, readers)
        env = {**store.server_env(), "PROCTOR_DATABASE_URL": database_url,
               "PROCTOR_NATS_URL": nats_url, "PROCTOR_CAMERA_LEASE_S": str(lease_s),
               "PROCTOR_MAX_CAMERAS": str(cameras),  # one node can take the fleet alone
               "PROCTOR_WEBRTC_SETUP_TIMEOUT_S": "86400",  # stub peers never connect
               "PROCTOR_ANALYSIS_ENABLED": "true",  # for the observations; no video comes
               "PROCTOR_ICE_HOST_ADDRESSES": "127.0.0.1"}
        try:
            with cluster_nodes(data_dir, env) as nodes:
                log(f"2 nodes up; {cameras} cameras on {len(sites)} sites, {readers} readers")
                tokens = _log_in(nodes, users)
                slices = _slices(nodes, sites, list(zip(tokens, (c for _, c in users),
                                                        strict=True)),
                                 stub_processes or os.cpu_count() or 1,
                                 await StubBodies.make(), minutes, segment_seconds,
                                 observe_seconds)
                return await _day(nodes, slices, nats_url, database_url, lease_s, kill_at,
                                  started, log)
        finally:
            if logs is not None:
                logs.mkdir(parents=True, exist_ok=True)
                for path in data_dir.glob("*.log"):
                    (logs / path.name).write_bytes(path.read_bytes())


async def _day(nodes: list[BenchNode], slices: list[StubSlice], nats_url: str,
               database_url: str, lease_s: float, kill_at: int, started: float,
               log: Callable[[str], object]) -> FleetBenchResult:
    pool = StubPool(slices)
    probe = LagProbe()
    twice = TwiceWatch(lease_s)
    tasks: list[asyncio.Task[None]] = []
    try:
        clock = Clock(slices[0].minutes, await pool.start_day())
        log(f"{len(slices)} stub processes; start-up {clock.t0 - started:.1f} s")
        tasks = [asyncio.create_task(probe.run(nats_url)),
                 asyncio.create_task(_compare_owners(pool, probe, twice))]
        listening = asyncio.create_task(pool.listen())
        rows0, events0 = _count(database_url, _ROWS_WRITTEN), _count(database_url, _EVENTS)
        cpu0 = {node.name: process_cpu_seconds(node.process.pid) for node in nodes}
        bench_cpu0 = process_cpu_seconds(os.getpid())
        await clock.until(kill_at)
        victim, at_kill = _victim(nodes, pool), pool.merged()
        log(f"{_hh_mm(kill_at)}: {at_kill.owned} of {at_kill.open} open cameras owned "
            f"({dict(Counter(at_kill.owners.values()))}); SIGKILL node {victim.name}")
        cpu_s = process_cpu_seconds(victim.process.pid) - cpu0[victim.name]
        victim.process.kill()
        killed = time.monotonic()
        recovery_s = await _recovery(pool, victim, killed, clock.wall(_wave_end(kill_at)))
        log(f"recovered in {recovery_s} s" if recovery_s is not None else "not recovered")
        await listening
    finally:
        for task in tasks:
            task.cancel()
        pool.stop()
    elapsed = time.monotonic() - clock.t0
    cpu_s += sum(process_cpu_seconds(n.process.pid) - cpu0[n.name] for n in nodes
                 if n is not victim)
    return _result(nodes, slices, pool, probe, twice, victim, kill_at, at_kill, recovery_s,
                   cpu_s, elapsed, _count(database_url, _ROWS_WRITTEN) - rows0,
                   _count(database_url, _EVENTS) - events0,
                   process_cpu_seconds(os.getpid()) - bench_cpu0,
                   _count(database_url, "SELECT count(*) FROM segments"), clock.t0 - started)


def _hh_mm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _wave_end(minute: int) -> int:
    """The close of the wave ``minute`` falls in (the day's end after the last close)."""
    return next((closes for _, closes in WAVES if minute < closes), DAY_END_MIN)


def _victim(nodes: list[BenchNode], pool: StubPool) -> BenchNode:
    """The node holding more cameras now."""
    load = Counter(pool.merged().owners.values())
    return max(nodes, key=lambda node: load[node.url])


async def _compare_owners(pool: StubPool, probe: LagProbe, twice: TwiceWatch) -> None:
    """Check the stubs' owners against the lease bucket as statuses come in."""
    while True:
        twice.check(pool.merged().owners, probe.lease_owner, time.monotonic())
        await asyncio.sleep(STATUS_S)


async def _recovery(pool: StubPool, victim: BenchNode, killed: float,
                    deadline: float) -> float | None:
    """Seconds from the kill until every stub process has seen the node die and every
    open camera is owned again on a live node; ``None`` when that did not happen by
    ``deadline`` (the close of the wave)."""
    while time.monotonic() < deadline:
        status = pool.merged()
        if victim.url in status.down and status.stale == 0 and status.owned == status.open:
            return round(time.monotonic() - killed, 1)
        await asyncio.sleep(0.1)
    return None


def _result(nodes: list[BenchNode], slices: list[StubSlice], pool: StubPool,
            probe: LagProbe, twice: TwiceWatch, victim: BenchNode, kill_at: int,
            at_kill: StubStatus, recovery_s: float | None, cpu_s: float, elapsed: float,
            rows: int, events: int, parent_cpu_s: float, stored: int,
            startup_s: float) -> FleetBenchResult:
    reports = [report for report in pool.reports if report is not None]
    stats = Stats()
    for report in reports:
        stats.merge(report.stats)
    recorded = sum(r.recorded for r in reports)
    rejected, unsent = sum(r.rejected for r in reports), sum(r.unsent for r in reports)
    camera_seconds = pool.merged().owned_seconds
    cpu_ms_per_camera_s = 1000 * cpu_s / camera_seconds if camera_seconds else 0.0
    alert_lags = probe.lags_ms[ALERTS_SUBJECTS]
    return FleetBenchResult(
        cameras=sum(len(work.cameras) for work in slices), minutes=slices[0].minutes,
        readers=sum(len(work.readers) for work in slices), stub_processes=len(slices),
        api_p95_ms=stats.p95("read"), put_p95_ms=stats.p95("put"),
        whip_p95_ms=stats.p95("whip"),
        jetstream_lag_p95_ms=p95(probe.lags_ms[LEASES_STREAM_SUBJECTS]),
        pg_rows_per_s=round(rows / elapsed, 1), kill_at=_hh_mm(kill_at),
        reconnect_recovery_s=recovery_s, killed_node=victim.name,
        owned_at_kill=at_kill.owned, open_at_kill=at_kill.open,
        cameras_owned_twice=len(twice.twice), whip_status=dict(stats.status["whip"]),
        put_status=dict(stats.status["put"]), read_status=dict(stats.status["read"]),
        server_errors=stats.server_errors(), segments_recorded=recorded,
        segments_stored=stored, segments_rejected=rejected, segments_unsent=unsent,
        segments_lost=max(0, recorded - stored - rejected - unsent),
        puts_per_s=round(len(stats.latency["put"]) / elapsed, 1),
        node_cpu_ms_per_camera_s=round(cpu_ms_per_camera_s, 3),
        nodes_for_6000_control_plane=math.ceil(
            PROVINCE_CAMERAS * cpu_ms_per_camera_s / 1000 / (NODE_CORES * CPU_HEADROOM)),
        observe_p95_ms=stats.p95("observe"), observe_status=dict(stats.status["observe"]),
        events_opened=events, alerts_lag_p95_ms=p95(alert_lags),
        alerts_delivered=len(alert_lags),
        bench_cpu_share=round((parent_cpu_s + sum(r.cpu_s for r in reports)) / elapsed, 2),
        bench_loop_lag_p95_ms=p95([lag for r in reports for lag in r.loop_lags_ms]),
        startup_s=round(startup_s, 1))
