"""``proctor bench fleet``: a province exam day, time-compressed, against the real control
plane of two nodes.

Two real ``proctor serve`` nodes share one PostgreSQL, one nats-server (JetStream) and one
embedded SeaweedFS, all on loopback. Stub agents (one asyncio task per camera, no media) live
the day:

- sessions open at 08:30 and 13:30 ± 10 min and close at 11:30 and 16:00; the day from
  08:20 to 16:10 is compressed into ``minutes`` of wall time;
- on opening, a stub POSTs a real aiortc WHIP offer (its ICE candidates stripped, so the
  server's peer waits and sends nothing) to either node, follows 307 to the owner and
  honours 503 ``Retry-After``; at closing it DELETEs its session, releasing the lease;
- while open, it PUTs one small segment per ``segment_seconds`` (the real per-camera rate,
  not compressed) to the owner; the server writes the store object and the hash-chain row;
  a failed PUT is kept and sent again, so segments sent and rows stored compare 1:1;
- ``readers`` site-scoped supervisors poll the console APIs (camera list, coverage).

At 14:30 the node holding more cameras is SIGKILLed: its stubs notice (a health poll every
0.5 s, standing in for the ICE disconnect a real agent sees) and publish again; the lease
TTL frees their cameras.

Alerts take the real path: analysis is on in both nodes (their detector process idles: no
video reaches them) and each open camera's stub sends an edge observation
(``POST /api/cameras/{id}/observations``, device token) every ``observe_seconds`` to the node
that owns it, as an agent with ``[detection]`` does (at most 1 s apart there): a normal
picture with 2 people, its thumbnail changing a little each time (an identical one is
``frozen``). Once per session, at a random moment, the lens is covered for
:data:`COVERED_SAMPLES` samples: the server's rules open a ``covered`` event and close it,
writing event rows and putting event and camera messages on the alerts stream.

Figures: p95 latencies of the console reads (``api_p95_ms``), segment PUTs, WHIP POSTs and
observation POSTs; status counts; PostgreSQL rows written per second (``pg_stat_database``);
JetStream delivery lag of the lease bucket's stream (``jetstream_lag_p95_ms``) and of the
alerts stream (``alerts_lag_p95_ms``), each seen by a consumer here; events opened;
``reconnect_recovery_s`` from the kill until every open camera is owned again; the nodes'
CPU per camera-second and the node count it implies for 6,000 cameras (control plane only,
no media: analysis and live viewing cost far more and are sized by the other benches); the
bench's own CPU share (``bench_cpu_share``, 1.0 = one core: near 1 the stubs, not the
server, set the pace) and its event loop's lag (``bench_loop_lag_p95_ms``: seconds mean the
stubs were starved and sent late), and the start-up time.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import io
import json
import math
import os
import random
import re
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin

import httpx
import numpy as np
from sqlalchemy import text

from proctor import directory
from proctor.db.migrate import upgrade_database
from proctor.db.models import Role
from proctor.db.session import create_db_engine, create_session_factory, session_scope
from proctor.vision.detector import Detection
from proctor.vision.observation import Observation
from proctor.vision.tamper import THUMB_H, THUMB_W, FrameStats
from proctor_dev.bench.cpu import process_cpu_seconds
from proctor_dev.bench.nodes import BenchNode, cluster_nodes, login
from proctor_dev.nats import nats_server
from proctor_dev.postgres import postgres_cluster
from proctor_dev.provision import ProvisionedSite, provision_site
from proctor_dev.seaweed import EmbeddedSeaweedFS

PASSWORD = "fleet bench password"
SITE_CAMERAS = 40  # cameras per site (one edge device each)
LEASES_STREAM_SUBJECTS = "$KV.proctor-camera-leases.>"
ALERTS_SUBJECTS = "alerts.>"  # proctor.cluster.alerts
COVERED_SAMPLES = 4  # a covered lens opens its event after 3 of 3 samples (default rules)
PICTURES = 8  # normal pictures the stubs cycle through (consecutive ones differ)
DAY_START_MIN = 8 * 60 + 20  # the compressed day: 08:20 ...
DAY_END_MIN = 16 * 60 + 10  # ... to 16:10
WAVES = ((8 * 60 + 30, 11 * 60 + 30), (13 * 60 + 30, 16 * 60))  # sessions open, close
OPEN_SPREAD_MIN = 10
KILL_AT_MIN = 14 * 60 + 30
HEALTH_POLL_S = 0.5
READ_INTERVAL_S = 2.0
CPU_HEADROOM = 0.7  # plan nodes at 70 % of their cores
NODE_CORES = 2
PROVINCE_CAMERAS = 6000
_CANDIDATE = re.compile(r"^a=(candidate|end-of-candidates).*\r?\n", re.MULTILINE)


@dataclass
class FleetBenchResult:
    """The figures ``proctor bench fleet`` prints, the last line as one JSON object."""

    cameras: int
    minutes: float
    readers: int
    api_p95_ms: float
    put_p95_ms: float
    whip_p95_ms: float
    jetstream_lag_p95_ms: float | None
    pg_rows_per_s: float
    reconnect_recovery_s: float | None
    killed_node: str
    whip_status: dict[str, int]
    put_status: dict[str, int]
    read_status: dict[str, int]
    server_errors: int
    segments_recorded: int  # made by the stubs
    segments_stored: int  # rows in the index (each one a link of its camera's hash chain)
    segments_rejected: int  # refused for good
    segments_unsent: int  # still waiting at the stubs at the end
    puts_per_s: float
    node_cpu_ms_per_camera_s: float
    nodes_for_6000_control_plane: int
    observe_p95_ms: float
    observe_status: dict[str, int]
    events_opened: int  # covered events the observations opened (rows in the event log)
    alerts_lag_p95_ms: float | None  # the alerts stream, store to delivery
    alerts_delivered: int  # messages of the alerts stream the probe received
    bench_cpu_share: float  # the bench process's CPU over the day, 1.0 = one core
    bench_loop_lag_p95_ms: float | None  # how late the bench's own loop woke (starved: high)
    startup_s: float  # from the start to the day's first minute


@dataclass
class _Stub:
    """One simulated camera's agent."""

    camera_id: int
    token: str
    owner: str | None = None  # base URL of the node that answered 201
    session_url: str | None = None
    pending: list[tuple[int, bytes]] = field(default_factory=list)  # start_ms, body
    sent: int = 0
    next_start_ms: int = 0  # start of the segment being recorded


class _Stats:
    """Latencies (ms) and status codes per kind of request; a request without an answer
    counts under httpx's error (ConnectError: node down, ReadTimeout: no answer in 60 s,
    PoolTimeout: the stubs' own 200 connections all busy)."""

    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.status: dict[str, Counter[str]] = defaultdict(Counter)

    def note(self, kind: str, started: float, status: int | str) -> None:
        if isinstance(status, int):
            self.latency[kind].append((time.monotonic() - started) * 1000)
        self.status[kind][str(status)] += 1

    def p95(self, kind: str) -> float:
        return _p95(self.latency[kind]) or 0.0

    def server_errors(self) -> int:
        """5xx answers, besides WHIP's 503 (a full cluster, by design)."""
        return sum(count for kind, counts in self.status.items() for code, count in
                   counts.items() if code.startswith("5") and (kind, code) != ("whip", "503"))


def _p95(values: list[float]) -> float | None:
    if len(values) < 2:
        return round(values[0], 1) if values else None
    return round(statistics.quantiles(values, n=20)[18], 1)


class _Clock:
    """Simulated minutes of the day against wall time."""

    def __init__(self, minutes: float) -> None:
        self.t0 = time.monotonic()
        self.scale = minutes * 60 / ((DAY_END_MIN - DAY_START_MIN) * 60)  # wall s per sim s

    def wall(self, day_minute: float) -> float:
        return self.t0 + (day_minute - DAY_START_MIN) * 60 * self.scale

    async def until(self, day_minute: float) -> None:
        await asyncio.sleep(max(0.0, self.wall(day_minute) - time.monotonic()))


async def _stub_offer() -> str:
    """A real aiortc publisher offer, without its candidates: the server's peer then waits
    for none and sends nothing, and the stub needs no media."""
    from aiortc import RTCConfiguration, RTCPeerConnection

    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    pc.addTransceiver("video", direction="sendonly")
    await pc.setLocalDescription(await pc.createOffer())
    sdp = pc.localDescription.sdp
    await pc.close()
    return _CANDIDATE.sub("", sdp)


class _Fleet:
    """The stubs, the readers and the watchers of one run."""

    def __init__(self, nodes: list[BenchNode], stubs: list[_Stub], offer: str,
                 segment_s: float, observe_s: float, clock: _Clock) -> None:
        self.nodes = nodes
        self.stubs = stubs
        self.offer = offer.encode()
        self.segment_s = segment_s
        self.observe_s = observe_s
        self.pictures = _Pictures()
        self.segment = tiny_segment()
        self.rejected = 0  # segments refused for good (X-Proctor-Reject: permanent)
        self.clock = clock
        self.stats = _Stats()
        self.down: dict[str, asyncio.Event] = {n.url: asyncio.Event() for n in nodes}
        self.open: set[int] = set()  # cameras whose session is open now
        self.owned_seconds = 0.0  # cameras owned × seconds, integrated by the health watch
        self.loop_lags_ms: list[float] = []
        # idle connections are dropped before the server's keep-alive (uvicorn: 5 s) ends
        # them: a request sent on one the server is closing fails with RemoteProtocolError
        self.http = httpx.AsyncClient(timeout=60, limits=httpx.Limits(
            max_connections=200, keepalive_expiry=2))
        self.health = httpx.AsyncClient(timeout=2)  # its own: never queued behind the stubs

    def _entry(self) -> str:
        """A node the load balancer would send to: one that answers its health check."""
        up = [n.url for n in self.nodes if not self.down[n.url].is_set()]
        return random.choice(up or [n.url for n in self.nodes])

    async def watch_loop(self) -> None:
        """How late this process's event loop wakes from a 0.5 s sleep: seconds late mean
        the stubs themselves were starved (a CPU-bound bench, or a machine loaded by
        others) and sent their requests late."""
        while True:
            asleep = time.monotonic()
            await asyncio.sleep(HEALTH_POLL_S)
            self.loop_lags_ms.append((time.monotonic() - asleep - HEALTH_POLL_S) * 1000)

    def owned(self) -> int:
        """Open cameras whose stub holds a session on a node that is up."""
        return sum(1 for s in self.stubs if s.camera_id in self.open and s.owner is not None
                   and not self.down[s.owner].is_set())

    async def _request(self, kind: str, method: str, url: str,
                       **kwargs: object) -> httpx.Response | None:
        started = time.monotonic()
        try:
            response = await self.http.request(method, url, **kwargs)  # type: ignore[arg-type]
        except httpx.TransportError as error:
            self.stats.note(kind, started, type(error).__name__)
            return None
        self.stats.note(kind, started, response.status_code)
        return response

    async def _publish(self, stub: _Stub, closes: float) -> None:
        """WHIP until a node takes the camera: 307 followed, 503 Retry-After honoured."""
        headers = {"Authorization": f"Bearer {stub.token}", "Content-Type": "application/sdp"}
        while time.monotonic() < closes:
            url = f"{self._entry()}/whip/{stub.camera_id}"
            for _ in range(3):
                response = await self._request("whip", "POST", url, content=self.offer,
                                               headers=headers)
                if response is None or response.status_code != 307:
                    break
                url = response.headers["location"]
            if response is not None and response.status_code == 201:
                stub.owner = url.split("/whip/")[0]
                stub.session_url = urljoin(url, response.headers["location"])
                return
            wait = 1.0
            if response is not None and response.status_code == 503:
                wait = float(response.headers.get("retry-after", "1"))
            await asyncio.sleep(wait * random.uniform(0.8, 1.2))

    async def _put_pending(self, stub: _Stub) -> None:
        segment_ms = round(self.segment_s * 1000)
        while stub.pending and stub.owner is not None:
            start_ms, body = stub.pending[0]
            digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
            response = await self._request(
                "put", "PUT", f"{stub.owner}/api/cameras/{stub.camera_id}/segments/{start_ms}",
                content=body, headers={
                    "Authorization": f"Bearer {stub.token}", "Content-Type": "video/mp2t",
                    "Repr-Digest": f"sha-256=:{digest}:",
                    "X-Segment-End-Ms": str(start_ms + segment_ms)})
            if response is not None and response.headers.get("x-proctor-reject") == "permanent":
                self.rejected += 1
            elif response is None or response.status_code not in (200, 201):
                return  # kept: sent again next time
            if stub.pending and stub.pending[0][0] == start_ms:  # the next wave's task may
                stub.pending.pop(0)  # have sent it meanwhile (a late close, 60 s timeouts)

    async def observe(self, stub: _Stub, closes: float) -> None:
        """The camera's edge observations while its session is open, one per
        ``observe_s`` to the node that owns it (none while it has no owner); once, at a
        random moment, the lens covered for :data:`COVERED_SAMPLES` samples."""
        samples = int((closes - time.monotonic()) / self.observe_s)
        covered_from = random.randrange(max(1, samples - COVERED_SAMPLES))
        headers = {"Authorization": f"Bearer {stub.token}", "Content-Type": "application/json"}
        await asyncio.sleep(random.uniform(0, self.observe_s))
        index = 0
        while time.monotonic() < closes:
            owner = stub.owner
            if owner is not None and not self.down[owner].is_set():
                covered = covered_from <= index < covered_from + COVERED_SAMPLES
                await self._request(
                    "observe", "POST", f"{owner}/api/cameras/{stub.camera_id}/observations",
                    content=self.pictures.body(index, covered, time.time()), headers=headers)
                index += 1
            await asyncio.sleep(self.observe_s)

    async def camera(self, stub: _Stub, opens_min: float, closes_min: float) -> None:
        """One camera's session: publish, a segment per segment length, observations,
        end."""
        await self.clock.until(opens_min)
        closes = self.clock.wall(closes_min)
        self.open.add(stub.camera_id)
        observer = asyncio.create_task(self.observe(stub, closes))
        segment_ms = round(self.segment_s * 1000)
        stub.next_start_ms = int(time.time() * 1000)
        while time.monotonic() < closes:
            if stub.owner is None or self.down[stub.owner].is_set():
                stub.owner = stub.session_url = None
                await self._publish(stub, closes)
                continue
            ends_in = (stub.next_start_ms + segment_ms) / 1000 - time.time()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.down[stub.owner].wait(),
                                       max(0.0, min(ends_in, closes - time.monotonic())))
            if time.time() * 1000 >= stub.next_start_ms + segment_ms:
                start_ms = stub.next_start_ms
                stub.pending.append((start_ms, _segment_body(self.segment, stub.camera_id,
                                                             start_ms)))
                stub.sent += 1
                stub.next_start_ms += segment_ms
                await self._put_pending(stub)
        self.open.discard(stub.camera_id)
        await observer
        await self._put_pending(stub)
        if stub.session_url is not None:
            await self._request("delete", "DELETE", stub.session_url,
                                headers={"Authorization": f"Bearer {stub.token}"})
        stub.owner = stub.session_url = None

    async def reader(self, token: str, camera_ids: list[int], until: float) -> None:
        """A scoped supervisor with the console open: camera list and one coverage."""
        headers = {"Authorization": f"Bearer {token}"}
        await asyncio.sleep(random.uniform(0, READ_INTERVAL_S))
        while time.monotonic() < until:
            node = self._entry()
            await self._request("read", "GET", f"{node}/api/cameras", headers=headers)
            now_ms = int(time.time() * 1000)
            await self._request("read", "GET",
                                f"{node}/api/cameras/{random.choice(camera_ids)}/coverage",
                                params={"from": now_ms - 600_000, "to": now_ms},
                                headers=headers)
            await asyncio.sleep(READ_INTERVAL_S)

    async def watch_health(self) -> None:
        """Mark a node down when its health check is refused (its process is gone: what
        a real agent notices as its peer connection failing); a slow answer is a busy node,
        not a dead one (a 2 s limit marked both nodes down for good at 200 cameras on this
        loaded machine, and every stub published again and again). Counts owned
        camera-seconds."""
        sampled = time.monotonic()
        while True:
            now = time.monotonic()
            self.owned_seconds += self.owned() * (now - sampled)
            sampled = now
            for node in self.nodes:
                if self.down[node.url].is_set():
                    continue
                try:
                    await self.health.get(f"{node.url}/healthz")
                except httpx.ConnectError:
                    self.down[node.url].set()
                except httpx.TransportError:  # slow, or reset while dying: the next poll says
                    pass
            await asyncio.sleep(HEALTH_POLL_S)


def tiny_segment() -> bytes:
    """A real MPEG-TS of one 64x64 H.264 key frame (about 1.5 kB): the server probes it."""
    import av
    import numpy as np

    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mpegts") as container:
        stream = container.add_stream("libx264", rate=15)
        stream.width = stream.height = 64
        stream.pix_fmt = "yuv420p"
        frame = av.VideoFrame.from_ndarray(np.zeros((64, 64, 3), np.uint8), format="rgb24")
        for packet in [*stream.encode(frame), *stream.encode()]:
            container.mux(packet)
    return buffer.getvalue()


def _segment_body(segment: bytes, camera_id: int, start_ms: int) -> bytes:
    """``segment`` with one TS null packet (PID 0x1FFF, ignored by readers) naming the camera
    and start, so every segment's bytes and hash differ."""
    label = f"fleet camera {camera_id} segment {start_ms}".encode()
    return segment + bytes([0x47, 0x1F, 0xFF, 0x10]) + label.ljust(184, b"\xff")


_AT = "__AT__"


class _Pictures:
    """Observation bodies made once, the sample time left to fill in: :data:`PICTURES`
    normal pictures of one scene (sensor noise differs) with 2 people, and a covered lens."""

    def __init__(self) -> None:
        rng = np.random.default_rng(15)
        scene = rng.uniform(40, 200, (THUMB_H, THUMB_W)).astype(np.float32)
        people = [Detection("person", 0.9, (0.1, 0.2, 0.3, 0.8)),
                  Detection("person", 0.85, (0.6, 0.2, 0.8, 0.8))]
        self.normal = [self._body(FrameStats(120.0, 45.0, 0.5, scene + rng.normal(
            0, 2, scene.shape).astype(np.float32)), people) for _ in range(PICTURES)]
        dark = np.full((THUMB_H, THUMB_W), 8.0, np.float32)
        self.covered = self._body(FrameStats(8.0, 1.0, 0.01, dark), [])

    @staticmethod
    def _body(stats: FrameStats, detections: list[Detection]) -> str:
        observation = Observation.of(1.0, stats, detections, model="fleet-stub")
        body = json.dumps({"observations": [observation.model_dump(mode="json")]})
        return body.replace('"at": 1.0', f'"at": {_AT}', 1)

    def body(self, index: int, covered: bool, at: float) -> bytes:
        """The ``index``-th sample's body, taken at ``at`` (epoch seconds)."""
        template = self.covered if covered else self.normal[index % PICTURES]
        return template.replace(_AT, repr(at), 1).encode()


class _LagProbe:
    """JetStream delivery lag of the lease bucket's stream and of the alerts stream, seen
    by a consumer here: the time from JetStream storing a message to its delivery."""

    def __init__(self) -> None:
        self.lags_ms: dict[str, list[float]] = {LEASES_STREAM_SUBJECTS: [], ALERTS_SUBJECTS: []}

    async def run(self, nats_url: str) -> None:
        import nats
        from nats.aio.msg import Msg
        from nats.js.api import DeliverPolicy

        connection = await nats.connect(nats_url)

        def noting(lags: list[float]) -> Callable[[Msg], Awaitable[None]]:
            async def delivered(message: Msg) -> None:
                stored = message.metadata.timestamp
                lags.append((datetime.now(UTC) - stored).total_seconds() * 1000)
            return delivered

        try:
            for subjects, lags in self.lags_ms.items():
                await connection.jetstream().subscribe(subjects, cb=noting(lags),
                                                       ordered_consumer=True,
                                                       deliver_policy=DeliverPolicy.NEW)
            await asyncio.Event().wait()
        finally:
            await connection.close()


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


def _rows_written(database_url: str) -> int:
    """Rows PostgreSQL has inserted, updated and deleted in the database so far."""
    engine = create_db_engine(database_url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text(
                "SELECT tup_inserted + tup_updated + tup_deleted FROM pg_stat_database "
                "WHERE datname = current_database()")).scalar_one())
    finally:
        engine.dispose()


def _segments_stored(database_url: str) -> int:
    engine = create_db_engine(database_url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT count(*) FROM segments")).scalar_one())
    finally:
        engine.dispose()


def _events_opened(database_url: str) -> int:
    engine = create_db_engine(database_url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT count(*) FROM events")).scalar_one())
    finally:
        engine.dispose()


def _log_in(nodes: list[BenchNode], users: list[tuple[str, list[int]]]) -> list[str]:
    """The readers' tokens, logged in a few at a time on both nodes (each login is a
    deliberately slow password check)."""
    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(lambda pair: login(nodes[pair[0] % len(nodes)].url, pair[1][0],
                                                PASSWORD), enumerate(users)))


async def run_fleet_bench(cameras: int = 200, minutes: float = 2.0, readers: int = 10,
                          lease_s: float = 5.0, segment_seconds: float = 10.0,
                          observe_seconds: float = 5.0, logs: Path | None = None,
                          log: Callable[[str], object] = print) -> FleetBenchResult:
    """Run the simulated day and return its figures; ``logs``: a folder the nodes' logs
    are copied to at the end."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="proctor-bench-fleet-") as tmp, \
            postgres_cluster() as database_url, nats_server(Path(tmp) / "nats") as nats:
        data_dir = Path(tmp)
        store = EmbeddedSeaweedFS(data_dir / "seaweedfs").start()
        sites, users = _provision(database_url, cameras, readers)
        env = {**store.server_env(), "PROCTOR_DATABASE_URL": database_url,
               "PROCTOR_NATS_URL": nats.url, "PROCTOR_CAMERA_LEASE_S": str(lease_s),
               "PROCTOR_MAX_CAMERAS": str(cameras),  # one node can take the fleet alone
               "PROCTOR_WEBRTC_SETUP_TIMEOUT_S": "86400",  # stub peers never connect
               "PROCTOR_ANALYSIS_ENABLED": "true",  # for the observations; no video comes
               "PROCTOR_ICE_HOST_ADDRESSES": "127.0.0.1"}
        try:
            with cluster_nodes(data_dir, env) as nodes:
                log(f"2 nodes up; {cameras} cameras on {len(sites)} sites, {readers} readers")
                tokens = _log_in(nodes, users)
                stubs = [_Stub(camera, site.device_token) for site in sites
                         for camera in site.camera_ids]
                log(f"start-up {time.monotonic() - started:.1f} s")
                return await _day(nodes, stubs, list(zip(tokens, (c for _, c in users),
                                                         strict=True)),
                                  nats.url, database_url, minutes, segment_seconds,
                                  observe_seconds, started, log)
        finally:
            store.stop()
            if logs is not None:
                logs.mkdir(parents=True, exist_ok=True)
                for path in data_dir.glob("*.log"):
                    (logs / path.name).write_bytes(path.read_bytes())


async def _day(nodes: list[BenchNode], stubs: list[_Stub],
               readers: list[tuple[str, list[int]]], nats_url: str, database_url: str,
               minutes: float, segment_s: float, observe_s: float, started: float,
               log: Callable[[str], object]) -> FleetBenchResult:
    fleet = _Fleet(nodes, stubs, await _stub_offer(), segment_s, observe_s, _Clock(minutes))
    clock = fleet.clock
    startup_s = clock.t0 - started
    probe = _LagProbe()
    watchers = [asyncio.create_task(probe.run(nats_url)),
                asyncio.create_task(fleet.watch_health()),
                asyncio.create_task(fleet.watch_loop())]
    rows0, cpu0 = _rows_written(database_url), _cpu(nodes)
    bench_cpu0, events0 = process_cpu_seconds(os.getpid()), _events_opened(database_url)
    tasks = [asyncio.create_task(fleet.reader(token, cameras, clock.wall(DAY_END_MIN)))
             for token, cameras in readers]
    for opens, closes in WAVES:
        for stub in stubs:
            opened = opens + random.uniform(-OPEN_SPREAD_MIN, OPEN_SPREAD_MIN)
            tasks.append(asyncio.create_task(fleet.camera(stub, opened, closes)))
    camera_seconds = 0.0
    try:
        await clock.until(KILL_AT_MIN)
        camera_seconds = fleet.owned_seconds
        cpu_s = _cpu(nodes) - cpu0
        load = Counter(stub.owner for stub in stubs)
        victim = max(nodes, key=lambda node: load[node.url])
        log(f"14:30: {fleet.owned()} of {len(fleet.open)} open cameras owned "
            f"({dict(load)}); SIGKILL node {victim.name}")
        victim.process.kill()
        killed = time.monotonic()
        recovery_s = await _recovery(fleet, victim, killed, clock.wall(WAVES[1][1]))
        log(f"recovered in {recovery_s} s" if recovery_s is not None else "not recovered")
        await asyncio.gather(*tasks)
    finally:
        for task in [*tasks, *watchers]:
            task.cancel()
        await fleet.http.aclose()
        await fleet.health.aclose()
    elapsed = time.monotonic() - clock.t0
    bench_cpu_share = (process_cpu_seconds(os.getpid()) - bench_cpu0) / elapsed
    rows = _rows_written(database_url) - rows0
    stats = fleet.stats
    sent, stored = sum(s.sent for s in stubs), _segments_stored(database_url)
    cpu_ms_per_camera_s = 1000 * cpu_s / camera_seconds if camera_seconds else 0.0
    alert_lags = probe.lags_ms[ALERTS_SUBJECTS]
    return FleetBenchResult(
        cameras=len(stubs), minutes=minutes, readers=len(readers),
        api_p95_ms=stats.p95("read"), put_p95_ms=stats.p95("put"),
        whip_p95_ms=stats.p95("whip"),
        jetstream_lag_p95_ms=_p95(probe.lags_ms[LEASES_STREAM_SUBJECTS]),
        pg_rows_per_s=round(rows / elapsed, 1), reconnect_recovery_s=recovery_s,
        killed_node=victim.name, whip_status=dict(stats.status["whip"]),
        put_status=dict(stats.status["put"]), read_status=dict(stats.status["read"]),
        server_errors=stats.server_errors(), segments_recorded=sent,
        segments_stored=stored, segments_rejected=fleet.rejected,
        segments_unsent=sum(len(stub.pending) for stub in stubs),
        puts_per_s=round(len(stats.latency["put"]) / elapsed, 1),
        node_cpu_ms_per_camera_s=round(cpu_ms_per_camera_s, 3),
        nodes_for_6000_control_plane=math.ceil(
            PROVINCE_CAMERAS * cpu_ms_per_camera_s / 1000 / (NODE_CORES * CPU_HEADROOM)),
        observe_p95_ms=stats.p95("observe"), observe_status=dict(stats.status["observe"]),
        events_opened=_events_opened(database_url) - events0,
        alerts_lag_p95_ms=_p95(alert_lags), alerts_delivered=len(alert_lags),
        bench_cpu_share=round(bench_cpu_share, 2),
        bench_loop_lag_p95_ms=_p95(fleet.loop_lags_ms), startup_s=round(startup_s, 1))


def _cpu(nodes: list[BenchNode]) -> float:
    return sum(process_cpu_seconds(node.process.pid) for node in nodes
               if node.process.running())


async def _recovery(fleet: _Fleet, victim: BenchNode, killed: float,
                    deadline: float) -> float | None:
    """Seconds from the kill until every open camera is owned again on a live node;
    ``None`` when that, or the stubs noticing the kill at all, did not happen by
    ``deadline``."""
    try:
        await asyncio.wait_for(fleet.down[victim.url].wait(),
                               max(0.0, deadline - time.monotonic()))
    except TimeoutError:
        return None
    while time.monotonic() < deadline:
        if fleet.owned() == len(fleet.open) and not any(
                s.owner is not None and fleet.down[s.owner].is_set() for s in fleet.stubs):
            return round(time.monotonic() - killed, 1)
        await asyncio.sleep(0.1)
    return None
