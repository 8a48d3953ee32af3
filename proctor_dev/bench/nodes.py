"""Two real ``proctor serve`` nodes of one cluster, for the benches that need several nodes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from proctor_dev.processes import ManagedProcess, free_port, server_process, wait_http_ready


@dataclass
class BenchNode:
    """One running server node."""

    name: str
    port: int
    process: ManagedProcess

    @property
    def url(self) -> str:
        """Its base URL (also its ``PROCTOR_NODE_URL``)."""
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def cluster_nodes(data_dir: Path, env: dict[str, str],
                  names: tuple[str, ...] = ("a", "b")) -> Iterator[list[BenchNode]]:
    """Nodes ``names``, started one after the other (the first prepares the bucket), each
    with its state and log in ``data_dir``; ``env`` names the shared database, NATS and
    store. Stopped at the end of the block."""
    nodes = []
    try:
        for name in names:
            port = free_port()
            (data_dir / name).mkdir()
            process = server_process(data_dir / name, port, log_path=data_dir / f"{name}.log",
                                     extra_env={**env, "PROCTOR_NODE_ID": name,
                                                "PROCTOR_NODE_URL": f"http://127.0.0.1:{port}"})
            nodes.append(BenchNode(name, port, process.start()))
            wait_http_ready(f"http://127.0.0.1:{port}/healthz", process)
        yield nodes
    finally:
        for node in nodes:
            node.process.stop()


def login(url: str, username: str, password: str) -> str:
    """A bearer token for the user on the server at ``url``."""
    response = httpx.post(f"{url}/api/auth/login", timeout=60,
                          json={"username": username, "password": password})
    response.raise_for_status()
    return str(response.json()["token"])
