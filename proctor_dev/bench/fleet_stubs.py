"""The fleet bench's stub agents, run in several processes: each owns a slice of the cameras
and readers, lives the compressed day against the nodes, reports its ownership every
:data:`STATUS_S` and its latencies and counts at the end (:func:`run_stub_process`).

One camera is one asyncio task (no media): it publishes with WHIP (307 followed, 503
``Retry-After`` honoured), PUTs a segment per segment length to its owner (a failed one is
kept and sent again), sends edge observations, and DELETEs its session at the close. A node
counts as dead when its health check is refused (its process is gone), not when it is slow.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import random
import statistics
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from urllib.parse import urljoin

import httpx

from proctor_dev.bench.cpu import process_cpu_seconds
from proctor_dev.bench.fleet_bodies import StubBodies, segment_body

COVERED_SAMPLES = 4  # a covered lens opens its event after 3 of 3 samples (default rules)
DAY_START_MIN = 8 * 60 + 20  # the compressed day: 08:20 ...
DAY_END_MIN = 16 * 60 + 10  # ... to 16:10
WAVES = ((8 * 60 + 30, 11 * 60 + 30), (13 * 60 + 30, 16 * 60))  # sessions open, close
OPEN_SPREAD_MIN = 10
HEALTH_POLL_S = 0.5
READ_INTERVAL_S = 2.0
SITE_CAMERAS = 40  # cameras per site (one edge device each)
STATUS_S = 0.25  # how often a stub process tells the parent what it owns
DRAIN_S = 60.0  # after 16:10, how long the stubs may still upload and end their sessions


def p95(values: list[float]) -> float | None:
    """The 95th percentile, rounded to 0.1 (``None`` without values)."""
    if len(values) < 2:
        return round(values[0], 1) if values else None
    return round(statistics.quantiles(values, n=20)[18], 1)


class Clock:
    """Simulated minutes of the day against wall time; ``t0`` is ``time.monotonic()`` at
    08:20, the same in every process (CLOCK_MONOTONIC is system-wide)."""

    def __init__(self, minutes: float, t0: float) -> None:
        self.t0 = t0
        self.scale = minutes * 60 / ((DAY_END_MIN - DAY_START_MIN) * 60)  # wall s per sim s

    def wall(self, day_minute: float) -> float:
        """The monotonic time of ``day_minute``."""
        return self.t0 + (day_minute - DAY_START_MIN) * 60 * self.scale

    async def until(self, day_minute: float) -> None:
        """Sleep until ``day_minute``."""
        await asyncio.sleep(max(0.0, self.wall(day_minute) - time.monotonic()))


class Stats:
    """Latencies (ms) and status codes per kind of request; a request without an answer
    counts under httpx's error (ConnectError: node down, ReadTimeout: no answer in 60 s,
    PoolTimeout: the stub process's own 200 connections all busy)."""

    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.status: dict[str, Counter[str]] = defaultdict(Counter)

    def note(self, kind: str, started: float, status: int | str) -> None:
        """One request of ``kind``, sent at ``started``, answered ``status``."""
        if isinstance(status, int):
            self.latency[kind].append((time.monotonic() - started) * 1000)
        self.status[kind][str(status)] += 1

    def merge(self, other: Stats) -> None:
        """Add ``other``'s requests to these."""
        for kind, values in other.latency.items():
            self.latency[kind].extend(values)
        for kind, counts in other.status.items():
            self.status[kind].update(counts)

    def p95(self, kind: str) -> float:
        """The p95 latency of ``kind`` (0 without answers)."""
        return p95(self.latency[kind]) or 0.0

    def server_errors(self) -> int:
        """5xx answers, besides WHIP's 503 (a full cluster, by design)."""
        return sum(count for kind, counts in self.status.items() for code, count in
                   counts.items() if code.startswith("5") and (kind, code) != ("whip", "503"))


@dataclass
class StubSlice:
    """One stub process's share of the day: its cameras, its readers, what they send."""

    node_urls: list[str]
    cameras: list[tuple[int, str]]  # camera id, its device token
    readers: list[tuple[str, list[int]]]  # bearer token, the cameras its site has
    bodies: StubBodies
    minutes: float
    segment_s: float
    observe_s: float


@dataclass(frozen=True)
class StubStatus:
    """A stub process's view now: open cameras, those owned on a node it sees up, those
    still held on a node it has seen die, the nodes it has seen die, owned camera-seconds
    so far and the owner of each open camera owned on a node it sees up."""

    open: int
    owned: int
    stale: int
    down: frozenset[str]
    owned_seconds: float
    owners: dict[int, str]


@dataclass(frozen=True)
class StubReport:
    """A stub process's figures at the end of the day."""

    stats: Stats
    recorded: int
    rejected: int
    unsent: int
    loop_lags_ms: list[float]
    cpu_s: float


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


def _client(connections: int) -> httpx.AsyncClient:
    """An HTTP client of ``connections`` connections; idle ones are dropped before the
    server's keep-alive (uvicorn: 5 s) ends them: a request sent on one the server is
    closing fails with RemoteProtocolError."""
    return httpx.AsyncClient(timeout=60, limits=httpx.Limits(
        max_connections=connections, keepalive_expiry=2))


class _Fleet:
    """The stubs, the readers and the watchers of one stub process."""

    def __init__(self, work: StubSlice, clock: Clock) -> None:
        self.nodes = work.node_urls
        self.stubs = [_Stub(camera, token) for camera, token in work.cameras]
        self.bodies = work.bodies
        self.segment_s = work.segment_s
        self.observe_s = work.observe_s
        self.rejected = 0  # segments refused for good (X-Proctor-Reject: permanent)
        self.clock = clock
        self.stats = Stats()
        self.down: dict[str, asyncio.Event] = {url: asyncio.Event() for url in self.nodes}
        self.open: set[int] = set()  # cameras whose session is open now
        self.owned_seconds = 0.0  # cameras owned × seconds, integrated by the health watch
        self.loop_lags_ms: list[float] = []
        # one client per edge device (a site's cameras) and one for the readers, each with
        # a connection per camera or reader, as the agents have: one client for all queued
        # thousands of requests in its pool, whose every change rescans the queue (httpcore:
        # the stub processes spent their CPU there at 1,000 cameras)
        tokens = {token for _, token in work.cameras}
        self.clients = {token: _client(SITE_CAMERAS) for token in tokens}
        self.readers_http = _client(max(1, len(work.readers)))
        self.health = httpx.AsyncClient(timeout=2)  # its own: never queued behind the stubs

    def status(self) -> StubStatus:
        """What this process sees now."""
        down = frozenset(url for url, event in self.down.items() if event.is_set())
        held = [s for s in self.stubs if s.camera_id in self.open and s.owner is not None]
        owners = {s.camera_id: s.owner for s in held
                  if s.owner is not None and s.owner not in down}
        return StubStatus(len(self.open), len(owners), len(held) - len(owners), down,
                          self.owned_seconds, owners)

    def owned(self) -> int:
        """Open cameras whose stub holds a session on a node that is up."""
        return sum(1 for s in self.stubs if s.camera_id in self.open and s.owner is not None
                   and not self.down[s.owner].is_set())

    def _entry(self) -> str:
        """A node the load balancer would send to: one that answers its health check."""
        up = [url for url in self.nodes if not self.down[url].is_set()]
        return random.choice(up or self.nodes)

    async def watch_loop(self) -> None:
        """How late this process's event loop wakes from a 0.5 s sleep: seconds late mean
        the stubs themselves were starved (a CPU-bound bench, or a machine loaded by
        others) and sent their requests late."""
        while True:
            asleep = time.monotonic()
            await asyncio.sleep(HEALTH_POLL_S)
            self.loop_lags_ms.append((time.monotonic() - asleep - HEALTH_POLL_S) * 1000)

    async def _request(self, kind: str, method: str, url: str, token: str, *,
                       content: bytes | None = None, headers: dict[str, str] | None = None,
                       params: dict[str, int] | None = None) -> httpx.Response | None:
        """One request with the bearer ``token``, on its device's (or the readers') client."""
        http = self.clients.get(token, self.readers_http)
        started = time.monotonic()
        try:
            response = await http.request(
                method, url, content=content, params=params,
                headers={"Authorization": f"Bearer {token}", **(headers or {})})
        except httpx.TransportError as error:
            self.stats.note(kind, started, type(error).__name__)
            return None
        self.stats.note(kind, started, response.status_code)
        return response

    async def _publish(self, stub: _Stub, closes: float) -> None:
        """WHIP until a node takes the camera: 307 followed, 503 Retry-After honoured."""
        headers = {"Content-Type": "application/sdp"}
        while time.monotonic() < closes:
            url = f"{self._entry()}/whip/{stub.camera_id}"
            for _ in range(3):
                response = await self._request("whip", "POST", url, stub.token,
                                               content=self.bodies.offer, headers=headers)
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
                stub.token, content=body, headers={"Content-Type": "video/mp2t",
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
        headers = {"Content-Type": "application/json"}
        await asyncio.sleep(random.uniform(0, self.observe_s))
        index = 0
        while time.monotonic() < closes:
            owner = stub.owner
            if owner is not None and not self.down[owner].is_set():
                covered = covered_from <= index < covered_from + COVERED_SAMPLES
                await self._request(
                    "observe", "POST", f"{owner}/api/cameras/{stub.camera_id}/observations",
                    stub.token, content=self.bodies.pictures.body(index, covered, time.time()),
                    headers=headers)
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
                stub.pending.append((start_ms, segment_body(self.bodies.segment,
                                                            stub.camera_id, start_ms)))
                stub.sent += 1
                stub.next_start_ms += segment_ms
                await self._put_pending(stub)
        self.open.discard(stub.camera_id)
        await observer
        await self._put_pending(stub)
        if stub.session_url is not None:
            await self._request("delete", "DELETE", stub.session_url, stub.token)
        stub.owner = stub.session_url = None

    async def reader(self, token: str, camera_ids: list[int], until: float) -> None:
        """A scoped supervisor with the console open: camera list and one coverage."""
        await asyncio.sleep(random.uniform(0, READ_INTERVAL_S))
        while time.monotonic() < until:
            node = self._entry()
            await self._request("read", "GET", f"{node}/api/cameras", token)
            now_ms = int(time.time() * 1000)
            await self._request("read", "GET",
                                f"{node}/api/cameras/{random.choice(camera_ids)}/coverage",
                                token, params={"from": now_ms - 600_000, "to": now_ms})
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
            for url in self.nodes:
                if self.down[url].is_set():
                    continue
                try:
                    await self.health.get(f"{url}/healthz")
                except httpx.ConnectError:
                    self.down[url].set()
                except httpx.TransportError:  # slow, or reset while dying: the next poll says
                    pass
            await asyncio.sleep(HEALTH_POLL_S)

    async def tell(self, parent: Connection) -> None:
        """Send :meth:`status` to the parent every :data:`STATUS_S`."""
        while True:
            parent.send(self.status())
            await asyncio.sleep(STATUS_S)

    def report(self) -> StubReport:
        """The figures at the end."""
        return StubReport(self.stats, sum(s.sent for s in self.stubs), self.rejected,
                          sum(len(s.pending) for s in self.stubs), self.loop_lags_ms,
                          process_cpu_seconds("self"))


def run_stub_process(work: StubSlice, parent: Connection) -> None:
    """A stub process's body: make its clients, say ready, receive the day's ``t0``
    (monotonic), live the day, send the :class:`StubReport`."""
    asyncio.run(_live(work, parent))


async def _live(work: StubSlice, parent: Connection) -> None:
    # the clients first (an SSL context each, seconds for 75 sites on a loaded host): made
    # after t0, they delayed every camera's opening, and a kill early in the wave found
    # none open
    fleet = _Fleet(work, Clock(work.minutes, time.monotonic()))
    parent.send("ready")
    t0 = await asyncio.get_running_loop().run_in_executor(None, parent.recv)
    fleet.clock = clock = Clock(work.minutes, t0)
    watchers = [asyncio.create_task(fleet.watch_health()),
                asyncio.create_task(fleet.watch_loop()),
                asyncio.create_task(fleet.tell(parent))]
    tasks = [asyncio.create_task(fleet.reader(token, cameras, clock.wall(DAY_END_MIN)))
             for token, cameras in work.readers]
    for opens, closes in WAVES:
        for stub in fleet.stubs:
            opened = opens + random.uniform(-OPEN_SPREAD_MIN, OPEN_SPREAD_MIN)
            tasks.append(asyncio.create_task(fleet.camera(stub, opened, closes)))
    try:
        # a stalled node would hold the last uploads and DELETEs for a request timeout each,
        # one after the other: what is not done by then is counted as unsent
        await asyncio.wait(tasks, timeout=clock.wall(DAY_END_MIN) + DRAIN_S - time.monotonic())
    finally:
        for task in [*tasks, *watchers]:
            task.cancel()
        for client in [*fleet.clients.values(), fleet.readers_http, fleet.health]:
            await client.aclose()
    parent.send(fleet.status())
    parent.send(fleet.report())
