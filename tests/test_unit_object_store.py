"""The object-store adapter's own decisions, in a fast test: which key it connects with,
what it asks the store to set up, how each refusal becomes a :class:`StorageError` that
says what to do, and which refusals are only logged.

A FAKE client stands in for the ``minio`` SDK here, on purpose: the real SeaweedFS takes
seconds to start, so it belongs to the slow tests (``test_object_store.py`` and
``test_store_hardening.py`` run these same paths against it: Object Lock, retention, legal
holds, the runtime key's denials). The fake only records calls and returns or raises what a
test tells it; it decides nothing."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

import pytest
import urllib3
from minio import Minio
from minio.commonconfig import COMPLIANCE
from minio.error import S3Error
from minio.helpers import ObjectWriteResult
from minio.lifecycleconfig import Expiration, LifecycleConfig, NoncurrentVersionExpiration, Rule
from minio.retention import Retention
from pydantic import SecretStr
from urllib3 import HTTPHeaderDict

from proctor.recording import store as store_module
from proctor.recording.retention import MIN_RETENTION_YEARS, expiry_days
from proctor.recording.settings import RecordingSettings
from proctor.recording.store import (
    DENIED_TO_RUNTIME,
    FOOTAGE_PREFIX,
    ObjectStore,
    StorageError,
    StoreNotConfigured,
    prepare_bucket,
    require_store,
    sha256_checksum_header,
)

BUCKET = "footage"
UNTIL = datetime(2032, 1, 1, tzinfo=UTC)


def s3_error(code: str, message: str = "refused") -> S3Error:
    return S3Error(cast(Any, None), code, message, BUCKET, "request", "host")


@dataclass
class FakeClient:
    """Records every call as ``(method, args, kwargs)``; answers from ``answers`` (a value,
    or an exception to raise, by method name), else ``None``."""

    answers: dict[str, object] = field(default_factory=dict)
    calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = field(default_factory=list)

    def __getattr__(self, method: str) -> Callable[..., object]:
        def call(*args: Any, **kwargs: Any) -> object:
            self.calls.append((method, args, kwargs))
            answer = self.answers.get(method)
            if isinstance(answer, BaseException):
                raise answer
            return answer
        return call

    def called(self, method: str) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
        return [(args, kwargs) for name, args, kwargs in self.calls if name == method]


def store_with(**answers: object) -> tuple[ObjectStore, FakeClient]:
    client = FakeClient(dict(answers))
    return ObjectStore(cast(Minio, client), BUCKET), client


def written(version_id: str | None = "v1", etag: str | None = "e1") -> ObjectWriteResult:
    return ObjectWriteResult(BUCKET, "k", version_id, etag, HTTPHeaderDict())


def test_the_checksum_header_is_the_base64_sha256_of_the_body() -> None:
    header = sha256_checksum_header(b"segment")
    assert base64.b64decode(header["x-amz-checksum-sha256"]) == hashlib.sha256(
        b"segment").digest()
    assert header["x-amz-sdk-checksum-algorithm"] == "SHA256"


def test_a_service_without_a_store_says_which_setting_to_set() -> None:
    with pytest.raises(StoreNotConfigured, match=r"^clips need the object store, .*"
                                                 r"PROCTOR_S3_ENDPOINT"):
        require_store(None, "clips")
    store, _ = store_with()
    assert require_store(store, "clips") is store


@pytest.mark.parametrize(("admin", "admin_key", "expected"), [
    (False, "", "runtime"), (True, "", "runtime"),  # no admin key: the single identity
    (False, "root", "runtime"), (True, "root", "root"),
])
def test_the_key_used_is_the_runtime_one_unless_the_admin_one_is_asked_for_and_set(
        monkeypatch: pytest.MonkeyPatch, admin: bool, admin_key: str, expected: str) -> None:
    made: list[dict[str, Any]] = []

    def minio(endpoint: str, **kwargs: Any) -> FakeClient:
        made.append({"endpoint": endpoint, **kwargs})
        return FakeClient()

    monkeypatch.setattr(store_module, "Minio", minio)
    settings = RecordingSettings(s3_endpoint="127.0.0.1:8333", s3_access_key="runtime",
                                 s3_secret_key=SecretStr("runtime-secret"),
                                 s3_admin_access_key=admin_key,
                                 s3_admin_secret_key=SecretStr("root-secret"), s3_bucket="b1")
    store = ObjectStore.from_settings(settings, admin=admin)
    assert store.bucket == "b1"
    assert made == [{"endpoint": "127.0.0.1:8333", "access_key": expected,
                     "secret_key": f"{expected}-secret", "secure": False,
                     "region": "us-east-1"}]


def test_no_endpoint_is_refused_with_the_setting_to_set() -> None:
    with pytest.raises(StorageError, match="PROCTOR_S3_ENDPOINT"):
        ObjectStore.from_settings(RecordingSettings(s3_endpoint=""))


def test_a_new_bucket_is_made_with_object_lock_versioning_and_expiry_after_retention() -> None:
    store, client = store_with(bucket_exists=False)
    assert store.ensure_bucket(7) is True
    assert client.called("make_bucket") == [((BUCKET,), {"object_lock": True})]
    [(args, _)] = client.called("set_bucket_versioning")
    assert args[1].status == "Enabled"
    [((_, config), _)] = client.called("set_bucket_lifecycle")
    [rule] = config.rules
    assert rule.rule_filter.prefix == FOOTAGE_PREFIX
    assert rule.expiration.days == expiry_days(7)
    assert rule.noncurrent_version_expiration.noncurrent_days == expiry_days(7)
    assert client.called("set_bucket_policy") == []  # no runtime identity named


def test_an_existing_bucket_is_checked_not_made() -> None:
    store, client = store_with(bucket_exists=True)
    assert store.ensure_bucket() is False
    assert client.called("make_bucket") == [] and client.called("get_object_lock_config")
    assert client.called("set_bucket_lifecycle")  # the expiry is (re)set every time


def test_the_runtime_identity_is_denied_deletes_and_bucket_changes() -> None:
    store, client = store_with(bucket_exists=True)
    store.ensure_bucket(runtime_identity="proctor-runtime")
    [((bucket, text), _)] = client.called("set_bucket_policy")
    [statement] = json.loads(text)["Statement"]
    assert bucket == BUCKET and statement["Effect"] == "Deny"
    assert statement["Principal"] == {"AWS": ["arn:aws:iam::*:user/proctor-runtime"]}
    assert set(statement["Action"]) == set(DENIED_TO_RUNTIME) >= {"s3:DeleteObjectVersion",
                                                                  "s3:PutBucketPolicy"}
    assert statement["Resource"] == [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"]


@pytest.mark.parametrize(("method", "logged"), [
    ("set_bucket_policy", "restrict that key in the store's own IAM"),
    ("set_bucket_lifecycle", "must be removed by the operator"),
])
def test_a_store_without_policies_or_lifecycles_is_used_with_a_warning(
        caplog: pytest.LogCaptureFixture, method: str, logged: str) -> None:
    store, _ = store_with(bucket_exists=True, **{method: s3_error("NotImplemented")})
    with caplog.at_level(logging.WARNING, "proctor.recording.store"):
        store.ensure_bucket(runtime_identity="proctor-runtime")
    assert logged in caplog.text and "NotImplemented" in caplog.text


@pytest.mark.parametrize("check", [lambda s: s.ensure_bucket(), lambda s: s.check_bucket()])
def test_a_bucket_without_object_lock_needs_a_new_name(
        check: Callable[[ObjectStore], object]) -> None:
    store, client = store_with(bucket_exists=True, get_object_lock_config=s3_error(
        "ObjectLockConfigurationNotFoundError"))
    with pytest.raises(StorageError, match=r"exists without Object Lock.*PROCTOR_S3_BUCKET"):
        check(store)
    assert client.called("set_bucket_lifecycle") == []


def test_other_refusals_name_the_stores_code() -> None:
    store, _ = store_with(bucket_exists=False, make_bucket=s3_error("AccessDenied", "no"))
    with pytest.raises(StorageError, match="object store refused: AccessDenied: no"):
        store.ensure_bucket()
    store, _ = store_with(get_object_lock_config=s3_error("NoSuchBucket"))
    with pytest.raises(StorageError, match=r"not usable \(NoSuchBucket\).*proctor storage init"):
        store.check_bucket()


def test_the_bucket_policy_reads_empty_when_none_is_set() -> None:
    store, _ = store_with(get_bucket_policy=s3_error("NoSuchBucketPolicy"))
    assert store.bucket_policy() == ""
    store, _ = store_with(get_bucket_policy='{"Statement": []}')
    assert store.bucket_policy() == '{"Statement": []}'
    store, _ = store_with(get_bucket_policy=s3_error("AccessDenied"))
    with pytest.raises(S3Error):
        store.bucket_policy()  # any other refusal is not "no policy"


def lifecycle(rule_id: str, days: int | None) -> LifecycleConfig:
    """One rule; without ``days`` it expires only old versions."""
    if days is None:
        return LifecycleConfig([Rule("Enabled", rule_id=rule_id, rule_filter=None,
                                     noncurrent_version_expiration=NoncurrentVersionExpiration(
                                         noncurrent_days=30))])
    return LifecycleConfig([Rule("Enabled", rule_id=rule_id, rule_filter=None,
                                 expiration=Expiration(days=days))])


@pytest.mark.parametrize(("answer", "days"), [
    (lifecycle("expire-after-retention", 1900), 1900),
    (lifecycle("someone-elses-rule", 30), None),
    (lifecycle("expire-after-retention", None), None),
    (None, None),
    (s3_error("NoSuchLifecycleConfiguration"), None),
])
def test_the_lifecycle_expiry_is_read_from_our_rule_only(answer: object,
                                                         days: int | None) -> None:
    store, _ = store_with(get_bucket_lifecycle=answer)
    assert store.lifecycle_expiry_days() == days


def test_a_locked_put_sends_the_checksum_and_compliance_retention() -> None:
    store, client = store_with(put_object=written())
    stored = store.put_locked("cameras/1/0.ts", b"data", UNTIL, "video/mp2t")
    assert (stored.key, stored.version_id, stored.etag) == ("cameras/1/0.ts", "v1", "e1")
    [((bucket, key, body, size), kwargs)] = client.called("put_object")
    assert (bucket, key, body.read(), size) == (BUCKET, "cameras/1/0.ts", b"data", 4)
    assert kwargs["metadata"] == sha256_checksum_header(b"data")
    assert kwargs["content_type"] == "video/mp2t"
    retention: Retention = kwargs["retention"]
    assert (retention.mode, retention.retain_until_date) == (COMPLIANCE, UNTIL)


@pytest.mark.parametrize(("answer", "message"), [
    (s3_error("InvalidRequest", "bad checksum"), "storing k failed: InvalidRequest: bad checksum"),
    (urllib3.exceptions.MaxRetryError(cast(Any, None), "/k"), "object store unreachable while "
                                                               "storing k"),
    (ConnectionRefusedError(111, "refused"), "object store unreachable while storing k"),
    (written(version_id=None), "no version id for k: is versioning on?"),
    (written(etag=None), "no ETag for k"),
])
def test_a_put_that_is_not_locked_and_versioned_is_an_error(answer: object,
                                                            message: str) -> None:
    store, _ = store_with(put_object=answer)
    with pytest.raises(StorageError, match=message.replace("?", r"\?")):
        store.put_locked("k", b"data", UNTIL)


class Response:
    """What ``get_object`` returns: bytes to read, a connection to give back."""

    def __init__(self) -> None:
        self.closed = self.released = False

    def read(self) -> bytes:
        return b"segment bytes"

    def close(self) -> None:
        self.closed = True

    def release_conn(self) -> None:
        self.released = True


def test_a_read_gives_the_versions_bytes_and_always_releases_the_connection() -> None:
    response = Response()
    store, client = store_with(get_object=response)
    assert store.read("k", "v2") == b"segment bytes"
    assert client.called("get_object") == [((BUCKET, "k"), {"version_id": "v2"})]
    assert response.closed and response.released
    failing = Response()
    failing.read = lambda: (_ for _ in ()).throw(OSError("reset"))  # type: ignore[method-assign]
    store, _ = store_with(get_object=failing)
    with pytest.raises(OSError, match="reset"):
        store.read("k", "v2")
    assert failing.closed and failing.released


def test_retention_is_read_as_the_store_reports_it() -> None:
    store, _ = store_with(get_object_retention=Retention(COMPLIANCE, UNTIL))
    assert store.retention("k", "v1") == (COMPLIANCE, UNTIL)
    store, _ = store_with(get_object_retention=None)
    with pytest.raises(StorageError, match="no retention on k \\(version v1\\)"):
        store.retention("k", "v1")


@pytest.mark.parametrize(("on", "method"), [(True, "enable_object_legal_hold"),
                                            (False, "disable_object_legal_hold")])
def test_a_legal_hold_is_placed_and_lifted_on_one_version(on: bool, method: str) -> None:
    store, client = store_with()
    store.set_legal_hold("k", "v3", on)
    assert [name for name, _, _ in client.calls] == [method]
    assert client.called(method) == [((BUCKET, "k"), {"version_id": "v3"})]


@pytest.mark.parametrize(("answer", "held"), [(True, True), (False, False),
                                              (s3_error("NoSuchObjectLegalHold"), False)])
def test_a_version_never_held_is_not_held(answer: object, held: bool) -> None:
    store, _ = store_with(is_object_legal_hold_enabled=answer)
    assert store.legal_hold("k", "v1") is held


def test_other_legal_hold_refusals_are_not_read_as_no_hold() -> None:
    store, _ = store_with(is_object_legal_hold_enabled=s3_error("AccessDenied"))
    with pytest.raises(S3Error):
        store.legal_hold("k", "v1")


@pytest.mark.parametrize(("admin_key", "exists", "expected"), [
    ("root", True, ["admin: ensure_bucket"]),  # the admin key sets it up, always
    ("", True, ["runtime: check_bucket"]),  # the runtime key may only check
    ("", False, ["runtime: ensure_bucket"]),  # a single all-powerful identity creates it
])
def test_prepare_bucket_lets_only_the_key_allowed_to_configure_the_bucket_do_it(
        monkeypatch: pytest.MonkeyPatch, admin_key: str, exists: bool,
        expected: list[str]) -> None:
    done: list[str] = []
    made: list[ObjectStore] = []

    def connect(_settings: RecordingSettings, admin: bool = False) -> ObjectStore:
        store, _ = store_with(bucket_exists=exists)
        made.append(store)
        who = "admin" if admin else "runtime"

        def ensure_bucket(retention_years: int = 0, runtime_identity: str = "") -> bool:
            done.append(f"{who}: ensure_bucket")
            return False

        def check_bucket() -> None:
            done.append(f"{who}: check_bucket")

        store.ensure_bucket = ensure_bucket  # type: ignore[method-assign]
        store.check_bucket = check_bucket  # type: ignore[method-assign]
        return store

    monkeypatch.setattr(ObjectStore, "from_settings", staticmethod(connect))
    settings = RecordingSettings(s3_endpoint="127.0.0.1:8333", s3_admin_access_key=admin_key)
    assert prepare_bucket(settings) is made[0]  # the server works with the runtime key
    assert done == expected


def test_retention_shorter_than_the_legal_minimum_sets_no_expiry() -> None:
    store, client = store_with(bucket_exists=True)
    with pytest.raises(ValueError, match=f"at least {MIN_RETENTION_YEARS} years"):
        store.ensure_bucket(MIN_RETENTION_YEARS - 1)
    assert client.called("set_bucket_lifecycle") == []
