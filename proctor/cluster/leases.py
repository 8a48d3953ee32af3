"""Camera ownership leases in a JetStream key-value bucket.

One key per camera names the node that publishes it. A node claims a camera with
compare-and-set (create only if absent), renews its leases while their publishers are
connected (update only at the revision it holds), and deletes them when they disconnect. The
bucket's TTL is the lease: a crashed node's keys age out after ``lease_s`` and the camera's
agent, reconnecting, is taken by another node. Each node also announces its load (cameras
held, capacity) in a second bucket with the same TTL, so an unowned camera goes to the
least-loaded live node.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nats.errors import Error as NatsError
from nats.js.api import KeyValueConfig
from nats.js.errors import BadRequestError, KeyNotFoundError, KeyWrongLastSequenceError, NoKeysError

from proctor.cluster.errors import ClusterBusy, OwnedElsewhere

if TYPE_CHECKING:
    from nats.aio.client import Client
    from nats.js.kv import KeyValue

logger = logging.getLogger(__name__)

LEASES_BUCKET = "proctor-camera-leases"
NODES_BUCKET = "proctor-nodes"
# An unowned camera moves to a less-loaded node only when that one has at least this many
# cameras fewer: loads read from the bucket may be a renewal old, and a margin of 1 could
# send two nodes' agents back and forth.
REBALANCE_MARGIN = 2
LostCallback = Callable[[int], Awaitable[None]]


@dataclass(frozen=True)
class NodeLoad:
    """A live node as it last announced itself."""

    node_id: str
    url: str
    cameras: int
    capacity: int

    @property
    def room(self) -> int:
        """How many more cameras it takes."""
        return self.capacity - self.cameras


@dataclass(frozen=True)
class Owner:
    """The node holding a camera's lease."""

    node_id: str
    url: str
    revision: int


def _key(camera_id: int) -> str:
    return f"camera-{camera_id}"


def _redirect(camera_id: int, node_id: str, url: str, path: str) -> OwnedElsewhere:
    return OwnedElsewhere(camera_id, node_id, url.rstrip("/") + path)


class CameraLeases:
    """This node's side of camera ownership. Create with :meth:`open`, then :meth:`start`
    the renewals; :meth:`close` releases everything (a clean stop hands cameras over at once,
    without waiting for the TTL)."""

    def __init__(self, owners: KeyValue, nodes: KeyValue, *, node_id: str, node_url: str,
                 capacity: int, lease_s: float, on_lost: LostCallback) -> None:
        self._owners = owners
        self._nodes = nodes
        self.node_id = node_id
        self.node_url = node_url
        self.capacity = capacity
        self.lease_s = lease_s
        self._on_lost = on_lost
        self._held: dict[int, int] = {}  # camera -> revision of our lease
        # one change of the held leases at a time: a claim checks capacity then uses it, and
        # a renewal racing a release would bring the released lease back
        self._changing = asyncio.Lock()
        self._renewer: asyncio.Task[None] | None = None

    @classmethod
    async def open(cls, nc: Client, *, node_id: str, node_url: str, capacity: int,
                   lease_s: float, on_lost: LostCallback, replicas: int = 1) -> CameraLeases:
        """The buckets (created when missing, with TTL ``lease_s``) and this node's leases."""
        js = nc.jetstream()
        buckets = []
        for name in (LEASES_BUCKET, NODES_BUCKET):
            config = KeyValueConfig(bucket=name, ttl=lease_s, history=1, replicas=replicas)
            try:
                buckets.append(await js.create_key_value(config))
            except BadRequestError:  # made by a node with other settings: use it as it is
                logger.warning("bucket %s exists with another TTL or replica count than "
                               "PROCTOR_CAMERA_LEASE_S / PROCTOR_NATS_REPLICAS here; using it",
                               name)
                buckets.append(await js.key_value(name))
        leases = cls(*buckets, node_id=node_id, node_url=node_url, capacity=capacity,
                     lease_s=lease_s, on_lost=on_lost)
        await leases._announce()
        return leases

    @property
    def cameras(self) -> int:
        """How many cameras this node holds."""
        return len(self._held)

    def holds(self, camera_id: int) -> bool:
        """Whether this node holds the camera's lease."""
        return camera_id in self._held

    @property
    def retry_after_s(self) -> int:
        """How long a refused client should wait: about one lease, when leases of dead
        nodes have expired and loads are fresh."""
        return max(1, math.ceil(self.lease_s))

    def _busy(self, message: str) -> ClusterBusy:
        return ClusterBusy(message, self.retry_after_s)

    async def owner(self, camera_id: int) -> Owner | None:
        """The camera's current owner, ``None`` when no live node holds it."""
        try:
            return await self._read(camera_id)
        except NatsError as error:
            raise self._busy(f"camera ownership cannot be read (NATS: {error}); "
                             "retry shortly") from error

    async def _read(self, camera_id: int) -> Owner | None:
        try:
            entry = await self._owners.get(_key(camera_id))
        except KeyNotFoundError:
            return None
        record = json.loads(entry.value or b"{}")
        return Owner(str(record["node"]), str(record["url"]), int(entry.revision or 0))

    async def redirect_viewer(self, camera_id: int, path: str) -> None:
        """Raise :class:`OwnedElsewhere` when another node publishes the camera (its viewers
        go there); return when this node does or nobody does."""
        owner = await self.owner(camera_id)
        if owner is not None and owner.node_id != self.node_id:
            raise _redirect(camera_id, owner.node_id, owner.url, path)

    async def place(self, camera_id: int, path: str) -> None:
        """Make this node the camera's publisher or say where it goes. Returns holding the
        camera's lease; raises :class:`OwnedElsewhere` (another live node holds it, or is
        less loaded and takes it) or :class:`ClusterBusy` (every node is full). Only the
        claim itself holds the lock: the reads before it are NATS round trips (listing the
        nodes' loads is several), and a storm of offers queued behind each other's."""
        owner = await self.owner(camera_id)
        if owner is not None:
            if owner.node_id != self.node_id:
                raise _redirect(camera_id, owner.node_id, owner.url, path)
            async with self._changing:  # ours already, or from before a restart of this node
                self._held.setdefault(camera_id, owner.revision)
            return
        target = await self._least_loaded()
        if target.node_id != self.node_id:
            raise _redirect(camera_id, target.node_id, target.url, path)
        async with self._changing:
            if self.cameras >= self.capacity:  # filled up while the loads were read
                raise self._busy(f"this node is full (PROCTOR_MAX_CAMERAS {self.capacity}): "
                                 "retry later or add a node")
            await self._claim(camera_id, path)

    async def _claim(self, camera_id: int, path: str) -> None:
        value = json.dumps({"node": self.node_id, "url": self.node_url}).encode()
        try:
            self._held[camera_id] = await self._owners.create(_key(camera_id), value)
        except KeyWrongLastSequenceError:  # another node claimed it a moment ago
            owner = await self.owner(camera_id)
            if owner is None:
                raise self._busy(f"camera {camera_id} is changing nodes; retry") from None
            raise _redirect(camera_id, owner.node_id, owner.url, path) from None
        except NatsError as error:
            raise self._busy(f"camera {camera_id} cannot be claimed (NATS: {error}); "
                             "retry shortly") from error
        logger.info("camera lease claimed", extra={"camera": camera_id, "node": self.node_id})
        await self._announce()

    async def _least_loaded(self) -> NodeLoad:
        """The node with room and the fewest cameras, this one unless another has at least
        :data:`REBALANCE_MARGIN` fewer; :class:`ClusterBusy` when all are full."""
        me = NodeLoad(self.node_id, self.node_url, self.cameras, self.capacity)
        others = [node for node in await self.nodes() if node.node_id != self.node_id]
        candidates = [node for node in [me, *others] if node.room > 0]
        if not candidates:
            raise self._busy(f"every node is full ({len(others) + 1} nodes, "
                             "PROCTOR_MAX_CAMERAS each): retry later or add a node")
        best = min(candidates, key=lambda node: node.cameras)
        if me.room > 0 and best.cameras > me.cameras - REBALANCE_MARGIN:
            return me
        return best

    async def nodes(self) -> list[NodeLoad]:
        """Every live node's last announced load."""
        loads = []
        try:
            for key in await self._nodes.keys():
                with contextlib.suppress(KeyNotFoundError):
                    entry = await self._nodes.get(key)
                    record = json.loads(entry.value or b"{}")
                    loads.append(NodeLoad(key, str(record["url"]), int(record["cameras"]),
                                          int(record["capacity"])))
        except NoKeysError:
            return []
        except NatsError as error:  # a timeout reading one load, too (it answered 500)
            raise self._busy(f"node loads cannot be read (NATS: {error}); retry") from error
        return loads

    async def _announce(self) -> None:
        """Publish this node's load; a failure waits for the next renewal (a third of a
        lease away) rather than failing the claim or release that changed the load."""
        record = {"url": self.node_url, "cameras": self.cameras, "capacity": self.capacity}
        try:
            await self._nodes.put(self.node_id, json.dumps(record).encode())
        except NatsError as error:
            logger.warning("node load not announced (NATS: %s)", error)

    async def release(self, camera_id: int) -> None:
        """Give the camera up (its publisher left): another node may take it at once."""
        async with self._changing:
            revision = self._held.pop(camera_id, None)
            if revision is None:
                return
            with contextlib.suppress(NatsError):  # not ours any more, or NATS away: expires
                await self._owners.delete(_key(camera_id), last=revision)
                await self._announce()
        logger.info("camera lease released", extra={"camera": camera_id, "node": self.node_id})

    async def renew(self) -> None:
        """Renew every held lease and this node's load once. The leases are renewed at the
        same time: one after the other, a thousand round trips of a few ms each would outlast
        a third of a lease, holding up every claim meanwhile. A lease found changed (it expired
        while NATS was unreachable and another node took the camera) is lost: the
        ``on_lost`` callback ends the camera's publisher here, so it is never owned twice. A
        NATS error is raised once the others are done (those leases wait for the next
        round)."""
        async with self._changing:
            held = list(self._held.items())
            outcomes = await asyncio.gather(*(self._renew_one(camera_id, revision)
                                              for camera_id, revision in held),
                                            return_exceptions=True)
            lost = [camera_id for (camera_id, _), kept in zip(held, outcomes, strict=True)
                    if kept is False]
            for camera_id in lost:
                del self._held[camera_id]
            await self._announce()
        for camera_id in lost:  # outside the lock: ending the publisher releases (a no-op)
            logger.warning("camera lease lost to another node; ending its publisher here",
                           extra={"camera": camera_id})
            await self._on_lost(camera_id)
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome

    async def _renew_one(self, camera_id: int, revision: int) -> bool:
        """Renew one lease; ``False`` when another node holds it now. A renewal whose
        acknowledgement was lost (NATS failing over) has moved the revision on: the lease
        still names this node, so it is kept at its new revision; an expired one nobody
        took is claimed again."""
        value = json.dumps({"node": self.node_id, "url": self.node_url}).encode()
        key = _key(camera_id)
        try:
            self._held[camera_id] = await self._owners.update(key, value, last=revision)
            return True
        except KeyWrongLastSequenceError:
            current = await self._read(camera_id)
        if current is not None:
            self._held[camera_id] = current.revision
            return current.node_id == self.node_id
        try:
            self._held[camera_id] = await self._owners.create(key, value)
        except KeyWrongLastSequenceError:  # another node claimed it meanwhile
            return False
        return True

    async def _renew_forever(self) -> None:
        while True:
            await asyncio.sleep(self.lease_s / 3)
            try:
                await self.renew()
            except NatsError as error:
                logger.warning("camera leases not renewed (NATS: %s); retrying", error)

    def start(self) -> None:
        """Renew leases every third of their TTL until :meth:`close`."""
        self._renewer = asyncio.create_task(self._renew_forever(), name="camera-leases")

    async def close(self) -> None:
        """Stop renewing, release every lease and leave the node list."""
        if self._renewer is not None:
            self._renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._renewer
        for camera_id in list(self._held):
            await self.release(camera_id)
        with contextlib.suppress(NatsError):
            await self._nodes.delete(self.node_id)
