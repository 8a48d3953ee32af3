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


def pin_to_core(process: ManagedProcess, core: int) -> ManagedProcess:
    """``process`` run under ``taskset -c core`` (not yet started): it and every thread it
    starts run on that CPU only. ``taskset`` execs the command, so the pid is the process's."""
    process.args = ["taskset", "-c", str(core), *process.args]
    return process


@contextmanager
def cluster_nodes(data_dir: Path, env: dict[str, str], names: tuple[str, ...] = ("a", "b"),
                  cores: tuple[int, ...] | None = None) -> Iterator[list[BenchNode]]:
    """Nodes ``names``, started side by side (the buckets are created idempotently, the
    migrations under a PostgreSQL advisory lock), each with its state and log in
    ``data_dir``; ``env`` names the shared database, NATS and store. With ``cores``, node
    ``i`` runs on CPU ``cores[i]`` only. Stopped at the end of the block."""
    nodes = []
    try:
        for index, name in enumerate(names):
            port = free_port()
            (data_dir / name).mkdir()
            process = server_process(data_dir / name, port, log_path=data_dir / f"{name}.log",
                                     extra_env={**env, "PROCTOR_NODE_ID": name,
                                                "PROCTOR_NODE_URL": f"http://127.0.0.1:{port}"})
            if cores is not None:
                pin_to_core(process, cores[index])
            nodes.append(BenchNode(name, port, process.start()))
        for node in nodes:
            wait_http_ready(f"{node.url}/healthz", node.process)
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
