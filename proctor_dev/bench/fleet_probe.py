"""What the fleet bench watches from outside the stubs: JetStream's delivery lag (lease
bucket and alerts stream), the lease bucket's owner of every camera, and cameras a stub
holds on one node while their lease names another (owned twice)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from proctor.cluster.leases import LEASES_BUCKET

LEASES_STREAM_SUBJECTS = f"$KV.{LEASES_BUCKET}.>"
ALERTS_SUBJECTS = "alerts.>"  # proctor.cluster.alerts
_CAMERA_KEY = f"$KV.{LEASES_BUCKET}.camera-"


class LagProbe:
    """JetStream delivery lag of the lease bucket's stream and of the alerts stream, seen
    by a consumer here (the time from JetStream storing a message to its delivery), and
    the lease bucket's owner (node URL) of each camera from the same messages."""

    def __init__(self) -> None:
        self.lags_ms: dict[str, list[float]] = {LEASES_STREAM_SUBJECTS: [], ALERTS_SUBJECTS: []}
        self.lease_owner: dict[int, str] = {}

    def _note_lease(self, subject: str, data: bytes, operation: str | None) -> None:
        if not subject.startswith(_CAMERA_KEY):
            return
        camera = int(subject.removeprefix(_CAMERA_KEY))
        if operation in ("DEL", "PURGE") or not data:
            self.lease_owner.pop(camera, None)
        else:
            self.lease_owner[camera] = str(json.loads(data)["url"]).rstrip("/")

    async def run(self, nats_url: str) -> None:
        """Consume both streams until cancelled."""
        import nats
        from nats.aio.msg import Msg
        from nats.js.api import DeliverPolicy

        connection = await nats.connect(nats_url)

        def noting(lags: list[float], leases: bool) -> Callable[[Msg], Awaitable[None]]:
            async def delivered(message: Msg) -> None:
                stored = message.metadata.timestamp
                lags.append((datetime.now(UTC) - stored).total_seconds() * 1000)
                if leases:
                    self._note_lease(message.subject, message.data,
                                     (message.headers or {}).get("KV-Operation"))
            return delivered

        try:
            for subjects, lags in self.lags_ms.items():
                await connection.jetstream().subscribe(
                    subjects, cb=noting(lags, subjects == LEASES_STREAM_SUBJECTS),
                    ordered_consumer=True, deliver_policy=DeliverPolicy.NEW)
            await asyncio.Event().wait()
        finally:
            await connection.close()


class TwiceWatch:
    """Cameras owned twice: a stub holds the camera's session on a live node while the lease
    bucket names another node, for longer than a lease (a shorter mismatch is the lease
    message still on its way, or an expired lease being claimed)."""

    def __init__(self, lease_s: float) -> None:
        self.lease_s = lease_s
        self._since: dict[int, float] = {}
        self.twice: set[int] = set()

    def check(self, owners: dict[int, str], leases: dict[int, str], now: float) -> None:
        """Compare the stubs' ``owners`` (camera: node URL) with the ``leases`` at ``now``."""
        for camera, url in owners.items():
            lease = leases.get(camera)
            if lease is not None and lease != url.rstrip("/"):
                if now - self._since.setdefault(camera, now) > self.lease_s:
                    self.twice.add(camera)
            else:
                self._since.pop(camera, None)
