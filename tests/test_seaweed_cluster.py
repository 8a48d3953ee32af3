"""A real SeaweedFS cluster on loopback (3 masters, 3 racks, 2 filers on PostgreSQL, 2 S3
gateways): the Object Lock self-check passes on every gateway, a lock set through one gateway
holds through the other, and uploads through the product's store survive SIGKILL of the
master leader and then of a volume server with nothing lost and everything still locked."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psycopg
import pytest
from minio import Minio
from minio.commonconfig import COMPLIANCE
from minio.error import S3Error
from support.wait import wait_until_sync
from typer.testing import CliRunner

from proctor.cli.main import app
from proctor.recording.store import ObjectStore, StorageError, StoredObject
from proctor_dev.postgres import postgres_cluster
from proctor_dev.seaweed_cluster import GATEWAYS, RACKS, SeaweedCluster

BUCKET = "province-footage"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedCluster]:
    with postgres_cluster() as database_url:
        started = time.monotonic()
        cluster = SeaweedCluster(tmp_path_factory.mktemp("seaweed-cluster"), database_url)
        cluster.start()
        print(f"cluster started in {time.monotonic() - started:.1f} s")
        try:
            yield cluster
        finally:
            cluster.stop()


def store(cluster: SeaweedCluster, gateway: int, admin: bool = False) -> ObjectStore:
    """The bucket through one gateway, with the server's runtime key (or the admin's)."""
    keys = ((cluster.access_key, cluster.secret_key) if admin
            else (cluster.runtime_access_key, cluster.runtime_secret_key))
    return ObjectStore(Minio(cluster.endpoints[gateway], *keys, secure=False,
                             region="us-east-1"), BUCKET)


@pytest.fixture(scope="module")
def bucket(cluster: SeaweedCluster, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The footage bucket, made as production makes it: ``proctor storage init`` (admin key)
    through the first gateway."""
    env = {**cluster.server_env(0), "PROCTOR_S3_BUCKET": BUCKET,
           "PROCTOR_DATA_DIR": str(tmp_path_factory.mktemp("data"))}
    result = CliRunner().invoke(app, ["storage", "init"], env=env)
    assert result.exit_code == 0 and "created, Object Lock on" in result.output, result.output
    return BUCKET


def test_storage_check_passes_on_every_gateway(cluster: SeaweedCluster, bucket: str,
                                               tmp_path: Path) -> None:
    for gateway in range(GATEWAYS):
        env = {**cluster.server_env(gateway), "PROCTOR_S3_BUCKET": bucket,
               "PROCTOR_DATA_DIR": str(tmp_path)}
        checked = CliRunner().invoke(app, ["storage", "check"], env=env)
        assert checked.exit_code == 0, f"gateway {gateway}: {checked.output}"
        assert checked.output.count("PASS") == 5 and "FAIL" not in checked.output


def test_a_lock_set_through_one_gateway_holds_through_the_other(cluster: SeaweedCluster,
                                                                 bucket: str) -> None:
    until = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    written = store(cluster, 0).put_locked("cameras/1/cross-gateway.ts", b"segment", until)
    other = store(cluster, 1)
    assert other.read(written.key, written.version_id) == b"segment"
    assert other.retention(written.key, written.version_id) == (COMPLIANCE, until)
    for remover in (other, store(cluster, 1, admin=True)):  # the lock, not only the policy
        with pytest.raises(S3Error) as refused:
            remover.client.remove_object(bucket, written.key, version_id=written.version_id)
        assert refused.value.code == "AccessDenied"
    assert other.read(written.key, written.version_id) == b"segment"


def test_every_filer_keeps_its_metadata_in_the_shared_postgresql(cluster: SeaweedCluster,
                                                                 bucket: str) -> None:
    with psycopg.connect(cluster.database_url.replace("+psycopg", "")) as connection:
        tables = {row[0] for row in connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert bucket in tables  # postgres2 keeps each bucket's entries in a table of its own
    for index in range(len(cluster.filers)):
        log = (cluster.root / f"filer{index}.log").read_text()
        assert "configured filer store to postgres2" in log


def test_internal_ports_answer_only_with_the_cluster_certificate(cluster: SeaweedCluster) -> None:
    internal = [*cluster.master_addresses, *cluster.volume_addresses, *cluster.filer_addresses]
    with cluster.internal_client() as trusted:
        for address in internal:
            assert trusted.get(f"https://{address}/healthz").status_code == 200, address
    for address in internal:  # plain HTTP (answered 400), or TLS without our certificate
        for url in (f"http://{address}/healthz", f"https://{address}/healthz"):
            assert refused(url), url


def refused(url: str) -> bool:
    """Whether ``url`` fails or answers other than 200 without the cluster's certificate."""
    try:
        return httpx.get(url, verify=False, timeout=5).status_code != 200
    except httpx.HTTPError:
        return True


class Uploader(threading.Thread):
    """Puts numbered locked objects through the product's store, round-robin over the
    gateways, retrying a refused or failed PUT (as the edge agent retries the server's 5xx)
    until it is stored; records every stored version and the longest stall."""

    def __init__(self, cluster: SeaweedCluster) -> None:
        super().__init__(daemon=True)
        self.stores = [store(cluster, g) for g in range(GATEWAYS)]
        self.stored: list[tuple[StoredObject, str]] = []
        self.retries = 0
        self.longest_stall_s = 0.0
        self.stop = threading.Event()
        self.until = datetime.now(UTC) + timedelta(days=2)

    def run(self) -> None:
        number = 0
        while not self.stop.is_set():
            data = f"segment {number} ".encode() * 2000
            started = time.monotonic()
            while not self.stop.is_set():
                try:
                    stored = self.stores[number % GATEWAYS].put_locked(
                        f"cameras/7/{number:06d}.ts", data, self.until)
                except StorageError:
                    self.retries += 1
                    time.sleep(0.5)
                    continue
                self.stored.append((stored, hashlib.sha256(data).hexdigest()))
                break
            self.longest_stall_s = max(self.longest_stall_s, time.monotonic() - started)
            number += 1

    def more_than(self, count: int) -> bool:
        """Whether more than ``count`` objects are stored."""
        return len(self.stored) > count


def test_uploads_survive_killing_the_master_leader_then_a_volume_server(
        cluster: SeaweedCluster, bucket: str) -> None:
    uploader = Uploader(cluster)
    uploader.start()
    try:
        assert wait_until_sync(lambda: uploader.more_than(20), timeout=120)
        leader = cluster.leader()
        assert leader is not None
        cluster.masters[leader].kill()
        killed_at, before = time.monotonic(), len(uploader.stored)
        assert wait_until_sync(lambda: cluster.leader() not in (None, leader), timeout=120)
        assert wait_until_sync(lambda: uploader.more_than(before + 20), timeout=180)
        print(f"master leader {leader} killed: new leader {cluster.leader()}, "
              f"{len(uploader.stored) - before} stored since, "
              f"{time.monotonic() - killed_at:.1f} s")
        held = list((cluster.root / "volume0").glob(f"{bucket}_*.dat"))
        assert held, "rack0 holds no volume of the bucket: killing it would prove nothing"
        cluster.volumes[0].kill()
        killed_at, before = time.monotonic(), len(uploader.stored)
        assert wait_until_sync(lambda: cluster.data_nodes() == RACKS - 1, timeout=120)
        assert wait_until_sync(lambda: uploader.more_than(before + 20), timeout=180)
        print(f"volume server on rack0 ({len(held)} volumes of the bucket) killed: "
              f"{len(uploader.stored) - before} stored since, "
              f"{time.monotonic() - killed_at:.1f} s")
    finally:
        uploader.stop.set()
        uploader.join(timeout=360)
    checker = store(cluster, 1)
    for stored, sha256 in uploader.stored:
        assert hashlib.sha256(checker.read(stored.key, stored.version_id)).hexdigest() == sha256
        assert checker.retention(stored.key, stored.version_id)[0] == COMPLIANCE
    print(f"{len(uploader.stored)} objects stored, 0 lost, all COMPLIANCE; "
          f"{uploader.retries} retried PUTs, longest stall {uploader.longest_stall_s:.1f} s")
