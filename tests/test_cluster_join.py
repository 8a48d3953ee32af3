"""A node joins the cluster at start: a 3-server NATS cluster just started (replicated
buckets and stream), or a clear refusal when JetStream never answers."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import sessionmaker

from proctor.cluster import node as cluster_node
from proctor.cluster.node import join_cluster
from proctor.cluster.settings import ClusterSettings
from proctor.errors import ProctorError
from proctor_dev.nats import EmbeddedNats, nats_cluster

pytestmark = pytest.mark.slow  # starts nats-server


async def _nothing_lost(camera_id: int) -> None:
    raise AssertionError(f"camera {camera_id} lost")


async def test_a_node_joins_a_three_server_cluster_as_it_starts(tmp_path: Path) -> None:
    with nats_cluster(tmp_path / "nats") as servers:
        settings = ClusterSettings(nats_url=",".join(s.url for s in servers), node_id="a",
                                   node_url="http://a.test", nats_replicas=3)
        node = await join_cluster(settings, _nothing_lost, sessionmaker())
        assert node is not None
        try:
            await node.leases.place(1, "/whip/1")
            owner = await node.leases.owner(1)
            assert owner is not None and owner.node_id == "a"
        finally:
            await node.close()


async def test_one_node_joins_nothing() -> None:
    assert await join_cluster(ClusterSettings(), _nothing_lost, sessionmaker()) is None


async def test_a_server_without_jetstream_is_refused_with_the_fix(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cluster_node, "JETSTREAM_READY_S", 2.0)
    server = EmbeddedNats(tmp_path, jetstream=False).start()
    try:
        settings = ClusterSettings(nats_url=server.url, node_id="a", node_url="http://a.test")
        with pytest.raises(ProctorError, match="run nats-server with -js"):
            await join_cluster(settings, _nothing_lost, sessionmaker())
    finally:
        server.stop()
