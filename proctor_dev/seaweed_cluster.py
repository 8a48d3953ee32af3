"""A SeaweedFS cluster on 127.0.0.1, as a province runs it, for fault tests and benches.

From the same ``weed`` binary as :mod:`proctor_dev.seaweed`:

- 3 masters in one Raft group (``-peers``): any one may die, the other two elect a leader;
- one volume server on each of 3 racks, with replication ``010`` (two copies on different
  racks of one data centre): a rack may die and every object still has a copy, and new
  volumes grow on the two racks left;
- 2 filers on one shared PostgreSQL store (``postgres2``, the production
  ``deploy/seaweedfs/filer-postgres.toml``). Per-filer stores (leveldb) would
  only converge by asynchronous metadata replication between filers, so an object written
  through one gateway could be missing, or its lock unseen, through the other for a moment;
  a shared transactional store makes every filer see the same bucket, version and lock at
  once, and PostgreSQL is already what the server needs for more than one node;
- 2 S3 gateways, each given both filers (its own first).

Hardening is that of ``weed mini``: one ``security.toml`` (JWT and mutual TLS for every port
but S3) in the cluster's folder, which every process uses as its working directory, and the
same two S3 identities (admin and the server's runtime one).
"""

from __future__ import annotations

import secrets
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import httpx
from sqlalchemy.engine import make_url

from proctor.private_file import private_dir, write_private_file
from proctor_dev.processes import ManagedProcess
from proctor_dev.seaweed import (
    free_port_block,
    s3_server_env,
    weed_binary,
    write_identities,
)
from proctor_dev.seaweed_security import write_security_config

MASTERS, RACKS, FILERS, GATEWAYS = 3, 3, 2, 2
REPLICATION = "010"  # one more copy on another rack of the same data centre
VOLUMES_PER_SERVER = 200  # not preallocated: a cap, not a cost (see seaweed.MAX_VOLUMES)
VOLUME_SIZE_MB = 64
# A follower calls an election after hearing no leader heartbeat (every 0.3-0.375 s) for a
# random time in [T, 2T). SeaweedFS's default T of 10 s made a leader's loss stall uploads
# 10-20 s before a new leader, plus the new leader's fixed 15 s warm-up (3 pulses of 5 s,
# not configurable) in which it refuses assigns: 29-35 s measured. 2 s is still ~6 missed
# heartbeats, so a busy host does not call spurious elections.
ELECTION_TIMEOUT = "2s"
# The production filer store (docker-compose.cluster.yml) is the one used here.
FILER_STORE = Path(__file__).resolve().parents[1] / "deploy" / "seaweedfs" / "filer-postgres.toml"


def _key() -> str:
    return secrets.token_hex(16)


def filer_store_env(database_url: str) -> dict[str, str]:
    """Where :data:`FILER_STORE` finds PostgreSQL (``WEED_POSTGRES2_*`` win over the file):
    the database of ``database_url``, a SQLAlchemy URL as
    :func:`proctor_dev.postgres.postgres_cluster` yields."""
    url = make_url(database_url)
    return {"WEED_POSTGRES2_HOSTNAME": url.host or "127.0.0.1",
            "WEED_POSTGRES2_PORT": str(url.port or 5432),
            "WEED_POSTGRES2_USERNAME": url.username or "",
            "WEED_POSTGRES2_PASSWORD": url.password or "",
            "WEED_POSTGRES2_DATABASE": url.database or ""}


@dataclass
class SeaweedCluster:
    """3 masters, 3 racks of volume servers, 2 filers on PostgreSQL and 2 S3 gateways, with
    their state under ``root``. Keys as in :class:`proctor_dev.seaweed.EmbeddedSeaweedFS`."""

    root: Path
    database_url: str
    base_port: int = field(default_factory=lambda: free_port_block(
        MASTERS + RACKS + FILERS + GATEWAYS))
    access_key: str = field(default_factory=lambda: "admin" + secrets.token_hex(4))
    secret_key: str = field(default_factory=_key)
    runtime_access_key: str = field(default_factory=lambda: "proctor" + secrets.token_hex(4))
    runtime_secret_key: str = field(default_factory=_key)
    masters: list[ManagedProcess] = field(default_factory=list)
    volumes: list[ManagedProcess] = field(default_factory=list)
    filers: list[ManagedProcess] = field(default_factory=list)
    gateways: list[ManagedProcess] = field(default_factory=list)

    def _port(self, offset: int) -> int:
        return self.base_port + offset

    @property
    def master_addresses(self) -> list[str]:
        """``host:port`` of every master (HTTPS with a client certificate)."""
        return [f"127.0.0.1:{self._port(i)}" for i in range(MASTERS)]

    @property
    def volume_addresses(self) -> list[str]:
        """``host:port`` of every volume server (HTTPS with a client certificate)."""
        return [f"127.0.0.1:{self._port(MASTERS + rack)}" for rack in range(RACKS)]

    @property
    def filer_addresses(self) -> list[str]:
        """``host:port`` of every filer."""
        return [f"127.0.0.1:{self._port(MASTERS + RACKS + i)}" for i in range(FILERS)]

    @property
    def endpoints(self) -> list[str]:
        """``host:port`` of every S3 gateway."""
        return [f"127.0.0.1:{self._port(MASTERS + RACKS + FILERS + i)}" for i in range(GATEWAYS)]

    def server_env(self, gateway: int = 0) -> dict[str, str]:
        """The server's ``PROCTOR_S3_*`` settings for one gateway (runtime and admin keys)."""
        return s3_server_env(self.endpoints[gateway], self)

    def _process(self, name: str, *args: str,
                 env: dict[str, str] | None = None) -> ManagedProcess:
        return ManagedProcess(name, [weed_binary(), *args, "-ip=127.0.0.1", "-ip.bind=127.0.0.1"],
                              env=env, log_path=self.root / f"{name}.log", cwd=self.root).start()

    def _master(self, index: int) -> ManagedProcess:
        folder = private_dir(self.root / f"master{index}")
        return self._process(
            f"master{index}", "master", f"-port={self._port(index)}", f"-mdir={folder}",
            f"-peers={','.join(self.master_addresses)}", f"-defaultReplication={REPLICATION}",
            f"-volumeSizeLimitMB={VOLUME_SIZE_MB}", "-volumePreallocate=false",
            f"-electionTimeout={ELECTION_TIMEOUT}", "-telemetry=false")

    def _volume(self, rack: int) -> ManagedProcess:
        folder = private_dir(self.root / f"volume{rack}")
        return self._process(
            f"volume{rack}", "volume", f"-port={self.volume_addresses[rack].split(':')[1]}",
            f"-dir={folder}",
            f"-max={VOLUMES_PER_SERVER}", f"-mserver={','.join(self.master_addresses)}",
            "-dataCenter=dc1", f"-rack=rack{rack}")

    def _filer(self, index: int) -> ManagedProcess:
        return self._process(
            f"filer{index}", "filer", f"-port={self._port(MASTERS + RACKS + index)}",
            f"-master={','.join(self.master_addresses)}", "-exposeDirectoryData=false",
            f"-defaultStoreDir={private_dir(self.root / f'filer{index}')}",
            env=filer_store_env(self.database_url))

    def _gateway(self, index: int, identities: Path) -> ManagedProcess:
        filers = self.filer_addresses[index:] + self.filer_addresses[:index]  # its own first
        return self._process(
            f"s3-{index}", "s3", f"-port={self._port(MASTERS + RACKS + FILERS + index)}",
            f"-filer={','.join(filers)}", f"-config={identities}", "-iam=false",
            "-allowDeleteBucketNotEmpty=false", "-autoCreateBucket=false",
            "-port.iceberg=0", "-port.lance=0")

    def internal_client(self, timeout_s: float = 3.0) -> httpx.Client:
        """An HTTPS client with the cluster's node certificate, for master and filer ports."""
        tls = self.root / "tls"
        context = ssl.create_default_context(cafile=tls / "ca.crt")
        context.load_cert_chain(tls / "node.crt", tls / "node.key")
        return httpx.Client(verify=context, timeout=timeout_s)

    def _all(self) -> list[ManagedProcess]:
        return [*self.masters, *self.volumes, *self.filers, *self.gateways]

    def start(self, timeout_s: float = 180.0) -> SeaweedCluster:
        """Start every process in order and wait until the cluster takes writes: a Raft leader,
        every volume server registered with it, and every gateway healthy."""
        private_dir(self.root)
        write_security_config(self.root)
        write_private_file(self.root / "filer.toml", FILER_STORE.read_bytes())
        identities = write_identities(self.root / "s3.json", self)
        deadline = time.monotonic() + timeout_s
        try:
            self.masters = [self._master(i) for i in range(MASTERS)]
            self._wait(lambda: self.leader() is not None, deadline, "Raft leader")
            self.volumes = [self._volume(rack) for rack in range(RACKS)]
            self._wait(lambda: self.data_nodes() == RACKS, deadline, "volume server on each rack")
            for index, address in enumerate(self.filer_addresses):  # in turn: each creates
                self.filers.append(self._filer(index))  # its tables, two at once collide
                self._wait(partial(self._internal_healthy, address), deadline, f"filer {index}")
            self.gateways = [self._gateway(i, identities) for i in range(GATEWAYS)]
            self._wait(self._gateways_healthy, deadline, "healthy S3 gateways")
        except BaseException:
            self.stop()
            raise
        return self

    def _wait(self, ready: Callable[[], bool], deadline: float, what: str) -> None:
        while time.monotonic() < deadline:
            dead = [p for p in self._all() if not p.running()]
            if dead:
                raise RuntimeError(f"{dead[0].name} exited; see {dead[0].log_path}")
            if ready():
                return
            time.sleep(0.3)
        raise TimeoutError(f"SeaweedFS cluster: no {what} in time; see the logs in {self.root}")

    def leader(self) -> int | None:
        """Index of the master that leads the Raft group, as the live masters report it."""
        with self.internal_client() as client:
            for index, master in enumerate(self.masters):
                if not master.running():
                    continue
                try:
                    status = client.get(f"https://{self.master_addresses[index]}/cluster/status")
                    host, _, ports = str(status.json().get("Leader", "")).rpartition(":")
                except (httpx.HTTPError, ValueError):
                    continue
                leader = f"{host}:{ports.split('.')[0]}"  # reported as host:port.grpcPort
                if leader in self.master_addresses:
                    return self.master_addresses.index(leader)
        return None

    def data_nodes(self) -> int:
        """How many volume servers the leading master counts as alive (0 without a leader)."""
        leader = self.leader()
        if leader is None:
            return 0
        with self.internal_client() as client:
            try:
                topology = client.get(f"https://{self.master_addresses[leader]}/dir/status").json()
            except (httpx.HTTPError, ValueError):
                return 0
        return sum(len(rack.get("DataNodes") or [])
                   for centre in topology.get("Topology", {}).get("DataCenters") or []
                   for rack in centre.get("Racks") or [])

    def _internal_healthy(self, address: str) -> bool:
        with self.internal_client() as client:
            try:
                return client.get(f"https://{address}/healthz").status_code == 200
            except httpx.HTTPError:
                return False

    def _gateways_healthy(self) -> bool:
        for endpoint in self.endpoints:
            try:
                if httpx.get(f"http://{endpoint}/healthz", timeout=1).status_code != 200:
                    return False
            except httpx.HTTPError:
                return False
        return True

    def stop(self) -> None:
        """Stop every process (SIGTERM, then SIGKILL), gateways first; the data stays."""
        for process in reversed(self._all()):
            process.stop(timeout_s=5)
