"""Prove that a store enforces Object Lock the way the archive depends on it.

Writes a small probe object under COMPLIANCE retention for one day, then asks the store to
do what must be impossible (delete the version, shorten its retention) and checks legal
hold. The probe cannot be removed by anyone until its day is over; that is the point.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from minio.commonconfig import COMPLIANCE
from minio.error import S3Error
from minio.retention import Retention

from proctor.recording.store import ObjectStore

PROBE_PREFIX = "_lock-checks/"


@dataclass(frozen=True)
class CheckResult:
    """One property of the store, and whether it held."""

    name: str
    passed: bool
    detail: str


def _refused(action: Callable[[], object]) -> tuple[bool, str]:
    try:
        action()
    except S3Error as error:
        return True, f"refused ({error.code})"
    return False, "ALLOWED: the store does not enforce COMPLIANCE retention"


def check_object_lock(store: ObjectStore) -> list[CheckResult]:
    """Run every check against ``store`` and return the results."""
    now = datetime.now(UTC).replace(microsecond=0)
    probe = store.put_locked(f"{PROBE_PREFIX}{now:%Y%m%dT%H%M%SZ}", b"proctor lock probe",
                             now + timedelta(days=1))
    client, bucket, key, version = store.client, store.bucket, probe.key, probe.version_id
    results = []
    mode, until = store.retention(key, version)
    results.append(CheckResult("retention is COMPLIANCE", mode == COMPLIANCE,
                               f"mode {mode}, retain until {until:%Y-%m-%d %H:%M}"))
    ok, detail = _refused(lambda: client.remove_object(bucket, key, version_id=version))
    results.append(CheckResult("deleting a locked version is refused", ok, detail))
    ok, detail = _refused(lambda: client.set_object_retention(
        bucket, key, Retention(COMPLIANCE, now + timedelta(hours=1)), version_id=version))
    results.append(CheckResult("shortening retention is refused", ok, detail))
    store.put_locked(key, b"overwritten", now + timedelta(days=1))
    intact = store.read(key, version) == b"proctor lock probe"
    results.append(CheckResult("overwriting keeps the locked version intact", intact,
                               "original bytes unchanged" if intact else "ORIGINAL BYTES CHANGED"))
    store.set_legal_hold(key, version, True)
    held = store.legal_hold(key, version)
    store.set_legal_hold(key, version, False)
    results.append(CheckResult("legal hold can be placed and lifted", held and not
                               store.legal_hold(key, version), "placed and lifted"))
    return results
