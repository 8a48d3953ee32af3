"""Two real ``proctor serve`` nodes on one PostgreSQL and one nats-server, or a 3-server NATS
cluster with replicas 3 (loopback only)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np

from proctor.vision.detector import Detection
from proctor.vision.observation import Observation
from proctor.vision.tamper import frame_stats
from proctor_dev.nats import EmbeddedNats, nats_cluster, nats_server
from support.batch_flow import DatabaseStack
from support.postgres import postgres_cluster

PICTURE = np.random.default_rng(15).integers(0, 255, (240, 320), dtype=np.uint8)  # a scene


@dataclass
class TwoNodes:
    """Nodes ``a`` and ``b`` sharing the directory of :meth:`Stack.provision` (site A: device
    A, cameras 1-2; site B: device B, camera 3)."""

    a: DatabaseStack
    b: DatabaseStack
    nats_servers: list[EmbeddedNats]

    @property
    def nats(self) -> EmbeddedNats:
        """The first NATS server (the only one unless a cluster was asked for)."""
        return self.nats_servers[0]

    def node(self, name: str) -> DatabaseStack:
        """The node called ``name`` ("a" or "b")."""
        return {"a": self.a, "b": self.b}[name]


@contextmanager
def two_nodes(data_dir: Path, env: dict[str, str] | None = None,
              start: bool = True, nats_cluster_size: int = 1) -> Iterator[TwoNodes]:
    """Both nodes with ``env`` added to their settings, started unless ``start`` is false;
    with ``nats_cluster_size`` above 1, on a NATS cluster of that many servers and as many
    JetStream replicas. Everything is stopped after."""
    with _nats(data_dir, nats_cluster_size) as servers, postgres_cluster() as url:
        nats_url = ",".join(server.url for server in servers)
        replicas = {"PROCTOR_NATS_REPLICAS": str(len(servers))} if len(servers) > 1 else {}
        a, b = (DatabaseStack(data_dir / name, db_url=url) for name in ("a", "b"))
        for name, stack in (("a", a), ("b", b)):
            stack.data_dir.mkdir(parents=True, exist_ok=True)
            stack.server_env = {"PROCTOR_DATABASE_URL": url, "PROCTOR_NATS_URL": nats_url,
                                "PROCTOR_NODE_ID": name, "PROCTOR_NODE_URL": stack.url,
                                **replicas, **(env or {})}
        a.provision()
        b.site_a, b.site_b = a.site_a, a.site_b
        try:
            if start:
                a.start_server()
                b.start_server()
            yield TwoNodes(a, b, servers)
        finally:
            a.close()
            b.close()


def _nats(data_dir: Path, size: int) -> AbstractContextManager[list[EmbeddedNats]]:
    """One server (in a list) or a cluster of ``size``."""
    if size > 1:
        return nats_cluster(data_dir / "nats", size)
    return _one(nats_server(data_dir / "nats"))


@contextmanager
def _one(server: AbstractContextManager[EmbeddedNats]) -> Iterator[list[EmbeddedNats]]:
    with server as running:
        yield [running]


def observe_people(node: DatabaseStack, camera_id: int, people: int) -> None:
    """The camera's agent (device A) reports ``people`` persons in a normal picture to
    ``node``, which analyses it (as an edge agent that detects does)."""
    assert node.site_a is not None
    boxes = [Detection("person", 0.9, (i / 10, 0.2, i / 10 + 0.08, 0.7)) for i in range(people)]
    observation = Observation.of(time.time(), frame_stats(PICTURE), boxes)
    answer = httpx.post(f"{node.url}/api/cameras/{camera_id}/observations", timeout=60,
                        headers={"Authorization": f"Bearer {node.site_a.device_token}"},
                        json={"observations": [observation.model_dump(mode="json")]})
    assert answer.status_code == 200 and answer.json()["taken"] == 1, answer.text
