"""This server as one node of several: its NATS connection, camera leases and alert stream."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from proctor.cluster.settings import ClusterSettings
from proctor.errors import ProctorError

if TYPE_CHECKING:
    from nats.aio.client import Client

    from proctor.cluster.alerts import ClusterAlertHub
    from proctor.cluster.leases import CameraLeases, LostCallback

logger = logging.getLogger(__name__)
T = TypeVar("T")
JETSTREAM_READY_S = 60.0  # a NATS cluster starting with the nodes elects its leaders first


@dataclass
class ClusterNode:
    """What a clustered server holds for the cluster's sake."""

    connection: Client
    leases: CameraLeases
    alerts: ClusterAlertHub

    async def close(self) -> None:
        """Send queued alerts, hand this node's cameras over (releases its leases) and
        disconnect."""
        from nats.errors import Error as NatsError  # the optional 'cluster' extra

        await self.alerts.close()
        await self.leases.close()
        try:
            await self.connection.drain()
        except (NatsError, OSError) as error:  # NATS away: nothing left to flush to it
            logger.warning("NATS connection not drained (%s)", error)
            await self.connection.close()


async def join_cluster(settings: ClusterSettings, on_lost: LostCallback,
                       sessions: sessionmaker[Session]) -> ClusterNode | None:
    """Connect to NATS, start renewing leases and feeding alerts from the stream; ``None``
    on a single node (no ``PROCTOR_NATS_URL``). ``on_lost`` ends a camera's publisher when
    its lease moved to another node while this one could not renew it."""
    if not settings.clustered:
        return None
    from proctor.cluster.alerts import ClusterAlertHub
    from proctor.cluster.connection import connect_nats
    from proctor.cluster.leases import CameraLeases
    from proctor.cluster.region_path import region_paths

    connection = await connect_nats(settings.nats_url, settings.node_id)
    try:
        leases = await _when_ready(lambda: CameraLeases.open(
            connection, node_id=settings.node_id, node_url=settings.node_url,
            capacity=settings.max_cameras, lease_s=settings.camera_lease_s, on_lost=on_lost,
            replicas=settings.nats_replicas))
        alerts = ClusterAlertHub(connection.jetstream(), settings.node_id,
                                 region_paths(sessions))
        await _when_ready(lambda: alerts.start(settings.nats_replicas))
    except BaseException:
        await connection.close()
        raise
    leases.start()
    logger.info("joined the cluster as node %s (%s), up to %d cameras", settings.node_id,
                settings.node_url, settings.max_cameras)
    return ClusterNode(connection, leases, alerts)


async def _when_ready(attempt: Callable[[], Awaitable[T]]) -> T:
    """``attempt()`` (idempotent), repeated while JetStream is not ready, for up to
    :data:`JETSTREAM_READY_S`; then a :class:`ProctorError` saying what to check."""
    from nats.errors import Error as NatsError

    loop = asyncio.get_running_loop()
    deadline = loop.time() + JETSTREAM_READY_S
    while True:
        try:
            return await attempt()
        except NatsError as error:
            if loop.time() > deadline:
                raise ProctorError(
                    f"JetStream did not answer within {JETSTREAM_READY_S:.0f} s ({error}): "
                    "run nats-server with -js (JetStream), and with PROCTOR_NATS_REPLICAS "
                    "above 1 at least that many servers in one cluster") from error
            logger.warning("JetStream not ready (%s); retrying", error)
            await asyncio.sleep(1.0)
