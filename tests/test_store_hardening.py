"""The embedded SeaweedFS: only S3 answers, and the server's key cannot delete or reconfigure.

Against the real ``weed mini`` of the session: every other port it listens on (master,
volume, filer, admin; HTTP and gRPC) refuses plain HTTP reads, writes and deletes, including
the master's ``/col/delete`` that once wiped a bucket under COMPLIANCE retention; S3 with the
right keys still works and Object Lock still holds.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from minio import Minio
from minio.commonconfig import COMPLIANCE, ENABLED, GOVERNANCE, Filter
from minio.error import S3Error
from minio.lifecycleconfig import Expiration, LifecycleConfig, Rule
from minio.objectlockconfig import DAYS, ObjectLockConfig

from proctor.recording.store import ObjectStore, StoredObject
from proctor_dev.seaweed import RUNTIME_IDENTITY, EmbeddedSeaweedFS

METHODS = ("GET", "PUT", "POST", "DELETE")


def _client(seaweed: EmbeddedSeaweedFS, access_key: str, secret_key: str) -> Minio:
    return Minio(seaweed.endpoint, access_key, secret_key, secure=False, region="us-east-1")


@pytest.fixture(scope="module")
def stores(seaweed: EmbeddedSeaweedFS) -> tuple[ObjectStore, ObjectStore]:
    """(admin, runtime) stores of one fresh bucket, prepared as `proctor storage init` does."""
    bucket = f"hardening-{secrets.token_hex(4)}"
    admin = ObjectStore(_client(seaweed, seaweed.access_key, seaweed.secret_key), bucket)
    admin.ensure_bucket(runtime_identity=RUNTIME_IDENTITY)
    runtime = ObjectStore(
        _client(seaweed, seaweed.runtime_access_key, seaweed.runtime_secret_key), bucket)
    return admin, runtime


@pytest.fixture(scope="module")
def locked(stores: tuple[ObjectStore, ObjectStore]) -> StoredObject:
    """A footage-like object under COMPLIANCE retention, stored with the runtime key."""
    _, runtime = stores
    return runtime.put_locked("cameras/1/segment.ts", b"locked footage",
                              datetime.now(UTC) + timedelta(days=1))


def _listening_ports(pid: int) -> set[int]:
    """TCP ports the process listens on (its socket inodes matched in /proc/net/tcp*)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        target = os.readlink(fd)
        if target.startswith("socket:["):
            inodes.add(target[len("socket:["):-1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def _answers(url: str, method: str) -> int | None:
    """The status of a plain request, or ``None`` when the port does not speak it."""
    try:
        return httpx.request(method, url, content=b"x" if method in ("PUT", "POST") else None,
                             timeout=5).status_code
    except httpx.HTTPError:
        return None


@pytest.fixture
def other_ports(seaweed: EmbeddedSeaweedFS) -> Iterator[list[int]]:
    assert seaweed.process is not None
    ports = sorted(_listening_ports(seaweed.process.pid) - {seaweed.port})
    # master, volume, filer, admin: each an HTTP and a gRPC port
    assert len(ports) >= 8, f"expected at least 8 internal ports, found {ports}"
    yield ports


def test_no_port_but_s3_obeys_a_plain_request(seaweed: EmbeddedSeaweedFS,
                                              stores: tuple[ObjectStore, ObjectStore],
                                              locked: StoredObject,
                                              other_ports: list[int]) -> None:
    admin, runtime = stores
    bucket, key = admin.bucket, locked.key
    paths = ["/", f"/buckets/{bucket}/{key}", f"/buckets/{bucket}/{key}?versionId="
             f"{locked.version_id}", f"/buckets/{bucket}/new.txt", "/dir/assign",
             f"/col/delete?collection={bucket}", "/vol/status", "/dir/status", "/1,01"]
    obeyed = []
    for port in other_ports:
        for path in paths:
            for method in METHODS:
                status = _answers(f"http://127.0.0.1:{port}{path}", method)
                if status is not None and status < 400:
                    obeyed.append(f"{method} {port}{path} -> {status}")
                try:  # TLS without the store's client certificate must not get through either
                    status = httpx.request(method, f"https://127.0.0.1:{port}{path}",
                                           verify=False, timeout=5).status_code
                except httpx.HTTPError:
                    continue
                obeyed.append(f"{method} https {port}{path} -> {status}")
    assert obeyed == []
    for socket_path in (seaweed.data_dir / "filer.sock", seaweed.data_dir / "s3.sock"):
        transport = httpx.HTTPTransport(uds=str(socket_path))
        with httpx.Client(transport=transport) as local:
            answer = local.delete(f"http://local/buckets/{bucket}/{key}", timeout=5)
        assert answer.status_code >= 400, f"{socket_path.name}: {answer.status_code}"
    assert oct(seaweed.data_dir.stat().st_mode & 0o777) == oct(0o700)
    # S3 with the right keys still works, and the locked version is intact
    assert runtime.read(key, locked.version_id) == b"locked footage"
    assert runtime.retention(key, locked.version_id)[0] == COMPLIANCE


def test_runtime_key_cannot_delete_or_reconfigure(stores: tuple[ObjectStore, ObjectStore],
                                                  locked: StoredObject) -> None:
    admin, runtime = stores
    client, bucket, key = runtime.client, runtime.bucket, locked.key
    lifecycle = LifecycleConfig([Rule(ENABLED, rule_filter=Filter(prefix="cameras/"),
                                      rule_id="expire-fast", expiration=Expiration(days=1))])
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject"],
        "Resource": [f"arn:aws:s3:::{bucket}/*"]}]})
    attempts = {
        "short lifecycle": lambda: client.set_bucket_lifecycle(bucket, lifecycle),
        "default lock mode": lambda: client.set_object_lock_config(
            bucket, ObjectLockConfig(GOVERNANCE, 1, DAYS)),
        "bucket policy": lambda: client.set_bucket_policy(bucket, policy),
        "delete policy": lambda: client.delete_bucket_policy(bucket),
        "delete marker": lambda: client.remove_object(bucket, key),
        "delete version": lambda: client.remove_object(bucket, key,
                                                       version_id=locked.version_id),
        "new bucket": lambda: client.make_bucket(f"{bucket}-other"),
    }
    allowed = []
    for name, attempt in attempts.items():
        try:
            attempt()
        except S3Error:
            continue
        allowed.append(name)
    assert allowed == []
    versions = list(admin.client.list_objects(bucket, prefix="cameras/", recursive=True,
                                                include_version=True))
    assert [(v.version_id, v.is_delete_marker) for v in versions] == [(locked.version_id, False)]
    assert admin.lifecycle_expiry_days() != 1
    # what the server needs still works with the runtime key
    runtime.set_legal_hold(key, locked.version_id, True)
    assert runtime.legal_hold(key, locked.version_id) is True
    runtime.set_legal_hold(key, locked.version_id, False)
    runtime.check_bucket()
    assert runtime.read(key, locked.version_id) == b"locked footage"
    # and the admin key still configures the bucket (re-running init)
    assert admin.ensure_bucket(runtime_identity=RUNTIME_IDENTITY) is False
    assert RUNTIME_IDENTITY in admin.bucket_policy()

