"""Two real ``proctor serve`` nodes on one PostgreSQL and one nats-server (loopback only)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from proctor_dev.nats import EmbeddedNats, nats_server
from support.batch_flow import DatabaseStack
from support.postgres import postgres_cluster


@dataclass
class TwoNodes:
    """Nodes ``a`` and ``b`` sharing the directory of :meth:`Stack.provision` (site A: device
    A, cameras 1-2; site B: device B, camera 3)."""

    a: DatabaseStack
    b: DatabaseStack
    nats: EmbeddedNats

    def node(self, name: str) -> DatabaseStack:
        """The node called ``name`` ("a" or "b")."""
        return {"a": self.a, "b": self.b}[name]


@contextmanager
def two_nodes(data_dir: Path, env: dict[str, str] | None = None,
              start: bool = True) -> Iterator[TwoNodes]:
    """Both nodes with ``env`` added to their settings, started unless ``start`` is false;
    everything is stopped after."""
    with nats_server(data_dir / "nats") as nats, postgres_cluster() as url:
        a, b = (DatabaseStack(data_dir / name, db_url=url) for name in ("a", "b"))
        for name, stack in (("a", a), ("b", b)):
            stack.data_dir.mkdir(parents=True, exist_ok=True)
            stack.server_env = {"PROCTOR_DATABASE_URL": url, "PROCTOR_NATS_URL": nats.url,
                                "PROCTOR_NODE_ID": name, "PROCTOR_NODE_URL": stack.url,
                                **(env or {})}
        a.provision()
        b.site_a, b.site_b = a.site_a, a.site_b
        try:
            if start:
                a.start_server()
                b.start_server()
            yield TwoNodes(a, b, nats)
        finally:
            a.close()
            b.close()
