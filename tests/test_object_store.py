"""The object store enforces retention itself (real SeaweedFS ``weed mini`` on loopback).

Refusals are proven with plain S3 calls through the minio client, not through our code.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from minio import Minio
from minio.commonconfig import COMPLIANCE
from minio.error import S3Error
from minio.retention import Retention
from pydantic import ValidationError
from typer.testing import CliRunner

from proctor.cli.main import app
from proctor.config import load_settings
from proctor.recording.retention import expiry_days, retain_until
from proctor.recording.store import ObjectStore, StorageError
from proctor_dev.seaweed import EmbeddedSeaweedFS


@pytest.fixture(scope="module")
def store(seaweed: EmbeddedSeaweedFS) -> ObjectStore:
    client = Minio(seaweed.endpoint, seaweed.access_key, seaweed.secret_key, secure=False,
                   region="us-east-1")
    store = ObjectStore(client, "footage")
    assert store.ensure_bucket() is True
    assert store.ensure_bucket() is False  # idempotent
    return store


def locked(store: ObjectStore, key: str, data: bytes = b"segment bytes"):  # type: ignore[no-untyped-def]
    return store.put_locked(key, data, datetime.now(UTC) + timedelta(days=2))


def test_deleting_a_locked_version_is_refused(store: ObjectStore) -> None:
    obj = locked(store, "cam1/seg-delete.ts")
    with pytest.raises(S3Error) as refused:
        store.client.remove_object(store.bucket, obj.key, version_id=obj.version_id)
    assert refused.value.code == "AccessDenied"
    assert store.read(obj.key, obj.version_id) == b"segment bytes"


def test_overwriting_leaves_the_locked_version_intact(store: ObjectStore) -> None:
    obj = locked(store, "cam1/seg-overwrite.ts")
    store.client.put_object(store.bucket, obj.key, io.BytesIO(b"forged"), 6)
    store.client.remove_object(store.bucket, obj.key)  # only adds a delete marker
    assert store.read(obj.key, obj.version_id) == b"segment bytes"


def test_shortening_retention_is_refused_extending_is_allowed(store: ObjectStore) -> None:
    obj = locked(store, "cam1/seg-retention.ts")
    _, until = store.retention(obj.key, obj.version_id)
    with pytest.raises(S3Error) as refused:
        store.client.set_object_retention(store.bucket, obj.key,
                                          Retention(COMPLIANCE, until - timedelta(days=1)),
                                          version_id=obj.version_id)
    assert refused.value.code == "AccessDenied"
    assert store.retention(obj.key, obj.version_id)[1] == until
    later = (until + timedelta(days=30)).replace(microsecond=0)
    store.client.set_object_retention(store.bucket, obj.key, Retention(COMPLIANCE, later),
                                      version_id=obj.version_id)
    assert store.retention(obj.key, obj.version_id)[1] == later


def test_legal_hold_blocks_deletion(store: ObjectStore) -> None:
    result = store.client.put_object(store.bucket, "cam1/unretained.ts", io.BytesIO(b"x"), 1)
    store.set_legal_hold(result.object_name, result.version_id, True)
    with pytest.raises(S3Error):
        store.client.remove_object(store.bucket, result.object_name, version_id=result.version_id)
    store.set_legal_hold(result.object_name, result.version_id, False)
    store.client.remove_object(store.bucket, result.object_name, version_id=result.version_id)


def test_store_verifies_the_sha256_we_send(store: ObjectStore) -> None:
    headers = {"x-amz-checksum-sha256": "A" * 43 + "=", "x-amz-sdk-checksum-algorithm": "SHA256"}
    with pytest.raises(S3Error) as refused:
        store.client.put_object(store.bucket, "cam1/corrupt.ts", io.BytesIO(b"abc"), 3,
                                metadata=headers)
    assert refused.value.code == "BadDigest"


def test_bucket_without_object_lock_is_refused(store: ObjectStore) -> None:
    store.client.make_bucket("plain")
    with pytest.raises(StorageError, match="exists without Object Lock"):
        ObjectStore(store.client, "plain").ensure_bucket()


def test_lifecycle_expires_only_after_retention(store: ObjectStore) -> None:
    assert expiry_days(5) == 5 * 366 + 30
    assert expiry_days(7) > 7 * 366
    with pytest.raises(ValueError):
        expiry_days(3)
    # what the store itself now holds for the bucket
    assert store.lifecycle_expiry_days() == expiry_days(5)
    store.ensure_bucket(retention_years=6)
    assert store.lifecycle_expiry_days() == expiry_days(6)


def test_retention_policy() -> None:
    recorded = datetime(2028, 2, 29, 9, 0, tzinfo=UTC)
    assert retain_until(recorded) == datetime(2033, 3, 1, 9, 0, tzinfo=UTC)
    assert retain_until(recorded, 7).year == 2035
    fractional = datetime(2026, 1, 1, 0, 0, 0, 250_000, tzinfo=UTC)
    assert retain_until(fractional) == datetime(2031, 1, 1, 0, 0, 1, tzinfo=UTC)  # rounded up
    with pytest.raises(ValueError, match="at least 5 years"):
        retain_until(recorded, 4)
    with pytest.raises(ValidationError):
        load_settings(retention_years=4)


def test_storage_cli_init_and_check(seaweed: EmbeddedSeaweedFS, monkeypatch: pytest.MonkeyPatch,
                                    tmp_path: Path) -> None:
    monkeypatch.setenv("PROCTOR_DATA_DIR", str(tmp_path))
    env = {"PROCTOR_S3_ENDPOINT": seaweed.endpoint, "PROCTOR_S3_ACCESS_KEY": seaweed.access_key,
           "PROCTOR_S3_SECRET_KEY": seaweed.secret_key, "PROCTOR_S3_BUCKET": "cli-footage"}
    runner = CliRunner()
    assert "created, Object Lock on" in runner.invoke(app, ["storage", "init"], env=env).output
    checked = runner.invoke(app, ["storage", "check"], env=env)
    assert checked.exit_code == 0, checked.output
    assert checked.output.count("PASS") == 5
    unconfigured = runner.invoke(app, ["storage", "init"], env={"PROCTOR_S3_ENDPOINT": ""})
    assert unconfigured.exit_code == 2 and "PROCTOR_S3_ENDPOINT" in unconfigured.output


def test_an_embedded_store_takes_many_buckets(tmp_path: Path) -> None:
    """The suite gives every server its own bucket: more than the ~46 volumes ``weed mini``
    allows by default on a 47 GB disk, after which writes failed with 500 (CI, stop 18)."""
    seaweed = EmbeddedSeaweedFS(tmp_path).start()
    try:
        client = Minio(seaweed.endpoint, seaweed.access_key, seaweed.secret_key, secure=False,
                       region="us-east-1")
        for number in range(60):
            store = ObjectStore(client, f"many-{number}")
            store.ensure_bucket()
            locked(store, "cameras/1/segment.ts")
        assert client.get_object("many-59", "cameras/1/segment.ts").read() == b"segment bytes"
    finally:
        seaweed.stop()
