"""``proctor storage check``'s probe must catch a store that does not enforce Object Lock.

The real SeaweedFS enforces it, so against it every check passes (``test_object_store.py``,
slow); what the probe is for, a store that silently allows what must be impossible, can
only be shown with a FAKE store. The fake here keeps versions in a dict and is told which
of the impossible things it allows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

import pytest
from minio.commonconfig import COMPLIANCE, GOVERNANCE
from minio.error import S3Error
from minio.retention import Retention

from proctor.recording.selfcheck import PROBE_PREFIX, check_object_lock
from proctor.recording.store import ObjectStore, StoredObject


@dataclass
class FakeLockStore:
    """Versions in a dict; ``allows`` names the impossible things this store lets happen."""

    allows: set[str] = field(default_factory=set)
    mode: str = COMPLIANCE
    overwrite_in_place: bool = False
    hold_sticks: bool = True
    versions: dict[str, bytes] = field(default_factory=dict)
    held: set[str] = field(default_factory=set)
    keys: list[str] = field(default_factory=list)

    @property
    def client(self) -> FakeLockStore:
        return self

    bucket = "footage"

    def put_locked(self, key: str, data: bytes, retain_until: datetime) -> StoredObject:
        self.keys.append(key)
        version = "v1" if self.overwrite_in_place else f"v{len(self.versions) + 1}"
        self.versions[version] = data
        return StoredObject(key, version, "etag")

    def retention(self, key: str, version_id: str) -> tuple[str, datetime]:
        return self.mode, datetime(2030, 1, 1)

    def read(self, key: str, version_id: str) -> bytes:
        return self.versions[version_id]

    def _refuse_unless(self, what: str) -> None:
        if what not in self.allows:
            raise S3Error(cast(Any, None), "AccessDenied", "locked", "r", "q", "h")

    def remove_object(self, bucket: str, key: str, version_id: str) -> None:
        self._refuse_unless("delete")

    def set_object_retention(self, bucket: str, key: str, retention: Retention,
                             version_id: str) -> None:
        self._refuse_unless("shorten")

    def set_legal_hold(self, key: str, version_id: str, on: bool) -> None:
        if on and self.hold_sticks:
            self.held.add(version_id)
        else:
            self.held.discard(version_id)

    def legal_hold(self, key: str, version_id: str) -> bool:
        return version_id in self.held


def run(store: FakeLockStore) -> dict[str, tuple[bool, str]]:
    results = check_object_lock(cast(ObjectStore, store))
    return {result.name: (result.passed, result.detail) for result in results}


def test_a_store_that_enforces_object_lock_passes_every_check() -> None:
    store = FakeLockStore()
    results = run(store)
    assert all(passed for passed, _ in results.values()), results
    assert results["deleting a locked version is refused"] == (True, "refused (AccessDenied)")
    assert len(results) == 5
    assert store.keys[0].startswith(PROBE_PREFIX) and set(store.keys) == {store.keys[0]}
    assert store.held == set()  # the hold was lifted again


@pytest.mark.parametrize(("store", "failed"), [
    (FakeLockStore(allows={"delete"}), "deleting a locked version is refused"),
    (FakeLockStore(allows={"shorten"}), "shortening retention is refused"),
    (FakeLockStore(mode=GOVERNANCE), "retention is COMPLIANCE"),
    (FakeLockStore(overwrite_in_place=True), "overwriting keeps the locked version intact"),
    (FakeLockStore(hold_sticks=False), "legal hold can be placed and lifted"),
])
def test_each_way_a_store_breaks_object_lock_fails_its_own_check(store: FakeLockStore,
                                                                 failed: str) -> None:
    results = run(store)
    assert [name for name, (passed, _) in results.items() if not passed] == [failed]
    if failed.startswith(("deleting", "shortening")):
        assert results[failed][1].startswith("ALLOWED: ")
