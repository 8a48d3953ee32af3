"""The object store: a thin adapter over the ``minio`` SDK for a bucket under Object Lock.

Retention is enforced by the store (COMPLIANCE mode), never by this code: nobody, our own
administrators included, can shorten it or delete a locked version before it expires.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import urllib3
from minio import Minio
from minio.commonconfig import COMPLIANCE, ENABLED, Filter
from minio.error import S3Error
from minio.lifecycleconfig import (
    Expiration,
    LifecycleConfig,
    NoncurrentVersionExpiration,
    Rule,
)
from minio.retention import Retention
from minio.versioningconfig import VersioningConfig

from proctor.errors import ProctorError
from proctor.recording.retention import MIN_RETENTION_YEARS, expiry_days
from proctor.recording.settings import RecordingSettings

if TYPE_CHECKING:
    from minio.helpers import DictType

logger = logging.getLogger(__name__)
FOOTAGE_PREFIX = "cameras/"
# What the runtime identity must never do, denied by bucket policy (SeaweedFS grants deletes
# and lifecycle with plain "Write", which the server needs for PutObject).
DENIED_TO_RUNTIME = (
    "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutLifecycleConfiguration",
    "s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutBucketVersioning",
    "s3:PutBucketObjectLockConfiguration", "s3:DeleteBucket", "s3:BypassGovernanceRetention",
)


class StorageError(ProctorError):
    """The object store refused or failed; the message says what to check."""


class StoreNotConfigured(StorageError):
    """This server runs without an object store (``PROCTOR_S3_ENDPOINT`` is empty)."""

    def __init__(self, purpose: str) -> None:
        super().__init__(f"{purpose} need the object store, which is not configured on this "
                         "server (PROCTOR_S3_ENDPOINT)")


def require_store(store: ObjectStore | None, purpose: str) -> ObjectStore:
    """``store``, or :class:`StoreNotConfigured` saying that ``purpose`` needs one.

    Services take the store as optional and call this once access is decided, so a caller
    without access hears 403/404 even on a server without a store, never 503."""
    if store is None:
        raise StoreNotConfigured(purpose)
    return store


@dataclass(frozen=True)
class StoredObject:
    """Where an upload landed."""

    key: str
    version_id: str
    etag: str


def sha256_checksum_header(data: bytes) -> dict[str, str]:
    """``x-amz-checksum-sha256``: the store verifies the body, and Object Lock PUTs need it."""
    digest = base64.b64encode(hashlib.sha256(data).digest()).decode()
    return {"x-amz-checksum-sha256": digest, "x-amz-sdk-checksum-algorithm": "SHA256"}


class ObjectStore:
    """One bucket on any S3 store with Object Lock."""

    def __init__(self, client: Minio, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    @classmethod
    def from_settings(cls, settings: RecordingSettings, admin: bool = False) -> ObjectStore:
        """Connect with the server's S3 settings: its runtime key, or with ``admin`` the
        admin key when one is configured (else the runtime key: a single identity)."""
        if not settings.s3_endpoint:
            raise StorageError("no object store configured: set PROCTOR_S3_ENDPOINT and keys")
        use_admin = admin and settings.s3_admin_configured
        access_key = settings.s3_admin_access_key if use_admin else settings.s3_access_key
        secret = settings.s3_admin_secret_key if use_admin else settings.s3_secret_key
        client = Minio(
            settings.s3_endpoint,
            access_key=access_key,
            secret_key=secret.get_secret_value(),
            secure=settings.s3_secure,
            region=settings.s3_region,
        )
        return cls(client, settings.s3_bucket)

    def ensure_bucket(self, retention_years: int = MIN_RETENTION_YEARS,
                      runtime_identity: str = "") -> bool:
        """Create the bucket with Object Lock (and so versioning); ``True`` if it was created.

        An existing bucket must already have Object Lock: it cannot be added afterwards.
        The lifecycle rule that lets the store expire footage is (re)set to after retention.
        With ``runtime_identity`` (its name in the store), a bucket policy denies that identity
        deletes and every bucket change (:data:`DENIED_TO_RUNTIME`).
        """
        try:
            created = not self.client.bucket_exists(self.bucket)
            if created:
                self.client.make_bucket(self.bucket, object_lock=True)
                self.client.set_bucket_versioning(self.bucket, VersioningConfig(ENABLED))
            else:
                self.client.get_object_lock_config(self.bucket)
        except S3Error as error:
            if error.code == "ObjectLockConfigurationNotFoundError":
                raise StorageError(
                    f"bucket {self.bucket!r} exists without Object Lock, which cannot be "
                    "enabled later: use a new bucket name (PROCTOR_S3_BUCKET)"
                ) from error
            raise StorageError(f"object store refused: {error.code}: {error.message}") from error
        self._expire_after(retention_years)
        if runtime_identity:
            self._deny_runtime(runtime_identity)
        return created

    def check_bucket(self) -> None:
        """Refuse (:class:`StorageError`, saying the fix) unless the bucket exists with Object
        Lock; reads only, so the least-privileged runtime key can run it."""
        try:
            self.client.get_object_lock_config(self.bucket)
        except S3Error as error:
            if error.code == "ObjectLockConfigurationNotFoundError":
                raise StorageError(
                    f"bucket {self.bucket!r} exists without Object Lock, which cannot be "
                    "enabled later: use a new bucket name (PROCTOR_S3_BUCKET)") from error
            raise StorageError(
                f"bucket {self.bucket!r} is not usable ({error.code}): create it with "
                "`proctor storage init` using the admin key (PROCTOR_S3_ADMIN_ACCESS_KEY)"
            ) from error

    def _deny_runtime(self, identity: str) -> None:
        arn = f"arn:aws:s3:::{self.bucket}"
        policy = {"Version": "2012-10-17", "Statement": [{
            "Sid": "runtime-cannot-delete-or-reconfigure", "Effect": "Deny",
            "Principal": {"AWS": [f"arn:aws:iam::*:user/{identity}"]},
            "Action": list(DENIED_TO_RUNTIME), "Resource": [arn, f"{arn}/*"]}]}
        try:
            self.client.set_bucket_policy(self.bucket, json.dumps(policy))
        except S3Error as error:
            logger.warning("store refused the bucket policy denying %s deletes and bucket "
                           "changes (%s): restrict that key in the store's own IAM",
                           identity, error.code)

    def _expire_after(self, retention_years: int) -> None:
        days = expiry_days(retention_years)
        rule = Rule(
            ENABLED, rule_filter=Filter(prefix=FOOTAGE_PREFIX), rule_id="expire-after-retention",
            expiration=Expiration(days=days),
            noncurrent_version_expiration=NoncurrentVersionExpiration(noncurrent_days=days),
        )
        try:
            self.client.set_bucket_lifecycle(self.bucket, LifecycleConfig([rule]))
        except S3Error as error:
            logger.warning("store does not accept lifecycle rules (%s): footage past its %d-year "
                           "retention must be removed by the operator", error.code, retention_years)

    def bucket_policy(self) -> str:
        """The bucket policy as the store reports it (empty when none is set)."""
        try:
            return self.client.get_bucket_policy(self.bucket)
        except S3Error as error:
            if error.code == "NoSuchBucketPolicy":
                return ""
            raise

    def lifecycle_expiry_days(self) -> int | None:
        """The expiry of the footage lifecycle rule as the store reports it, if any."""
        try:
            config = self.client.get_bucket_lifecycle(self.bucket)
        except S3Error:
            return None
        for rule in config.rules if config else []:
            if rule.rule_id == "expire-after-retention" and rule.expiration:
                return rule.expiration.days
        return None

    def put_locked(self, key: str, data: bytes, retain_until: datetime,
                   content_type: str = "application/octet-stream") -> StoredObject:
        """Store ``data`` under COMPLIANCE retention until ``retain_until``."""
        metadata: DictType = dict(sha256_checksum_header(data))
        try:
            result = self.client.put_object(
                self.bucket, key, io.BytesIO(data), len(data), content_type=content_type,
                metadata=metadata,
                retention=Retention(COMPLIANCE, retain_until),
            )
        except S3Error as error:
            raise StorageError(f"storing {key} failed: {error.code}: {error.message}") from error
        except (urllib3.exceptions.HTTPError, OSError) as error:
            raise StorageError(f"object store unreachable while storing {key}: {error}") from error
        if not result.version_id:
            raise StorageError(f"store returned no version id for {key}: is versioning on?")
        if result.etag is None:
            raise StorageError(f"store returned no ETag for {key}")
        return StoredObject(key=key, version_id=result.version_id, etag=result.etag)

    def read(self, key: str, version_id: str) -> bytes:
        """The bytes of one object version."""
        response = self.client.get_object(self.bucket, key, version_id=version_id)
        try:
            return response.read()
        finally:
            response.close()
            response.release_conn()

    def size(self, key: str, version_id: str) -> int:
        """The stored size of one object version, without reading it (:class:`S3Error` with
        the store's code when the version is not there)."""
        return self.client.stat_object(self.bucket, key, version_id=version_id).size or 0

    def retention(self, key: str, version_id: str) -> tuple[str, datetime]:
        """The version's retention mode and retain-until date, as the store reports them."""
        config = self.client.get_object_retention(self.bucket, key, version_id=version_id)
        if config is None:
            raise StorageError(f"store reports no retention on {key} (version {version_id}): "
                               "is Object Lock enabled on the bucket?")
        return config.mode, config.retain_until_date

    def set_legal_hold(self, key: str, version_id: str, on: bool) -> None:
        """Place or lift a legal hold on one version."""
        if on:
            self.client.enable_object_legal_hold(self.bucket, key, version_id=version_id)
        else:
            self.client.disable_object_legal_hold(self.bucket, key, version_id=version_id)

    def legal_hold(self, key: str, version_id: str) -> bool:
        """Whether the version is under legal hold (never having had one means no)."""
        try:
            return self.client.is_object_legal_hold_enabled(self.bucket, key, version_id=version_id)
        except S3Error as error:
            if error.code == "NoSuchObjectLegalHold":
                return False
            raise


def prepare_bucket(settings: RecordingSettings) -> ObjectStore:
    """The server's (runtime) store, with its bucket ready.

    With an admin key configured, that key creates and configures the bucket (as
    ``proctor storage init`` does). Without one, an existing bucket is only checked (the
    runtime key may not configure it), and a missing one is created with the server's key,
    which works only where that key is the store's single, all-powerful identity.
    """
    store = ObjectStore.from_settings(settings)
    if settings.s3_admin_configured:
        admin = ObjectStore.from_settings(settings, admin=True)
        admin.ensure_bucket(settings.retention_years, settings.s3_runtime_identity)
    elif store.client.bucket_exists(store.bucket):
        store.check_bucket()
    else:
        store.ensure_bucket(settings.retention_years)
    return store
