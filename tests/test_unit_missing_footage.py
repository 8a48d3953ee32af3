"""Footage the index records but the store does not have: clips, thumbnails and evidence
(which all read through :meth:`Archive.read`) refuse with a storage error (503) naming the
segment, not a 500."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import cast

import pytest
from fastapi import status
from minio.error import S3Error
from sqlalchemy import create_engine
from sqlalchemy.orm import Session
from urllib3 import HTTPResponse

from proctor.api.errors import STATUS_BY_ERROR
from proctor.db.models import Segment
from proctor.recording.archive import Archive
from proctor.recording.store import ObjectStore, StorageError

T0 = 1_795_000_000_000


class EmptyStore:
    """A store that has lost every object."""

    def read(self, key: str, version_id: str) -> bytes:
        raise S3Error(HTTPResponse(status=404), "NoSuchVersion", "gone", key, "r", "h")


@pytest.fixture
def recorded(tmp_path: Path) -> tuple[Session, Archive]:
    engine = create_engine("sqlite://")
    Segment.__table__.create(engine)
    db = Session(engine)
    db.add(Segment(camera_id=3, start_ms=T0, end_ms=T0 + 10_000, agent_start_ms=T0,
                   clock_offset_ms=0.0, size=1, sha256="0" * 64, object_key="cameras/3/x.ts",
                   version_id="v1", retain_until=datetime(2032, 1, 1, tzinfo=UTC),
                   prev_hash="0" * 64, chain_hash="1" * 64))
    db.commit()
    return db, Archive(cast(ObjectStore, EmptyStore()), tmp_path / "clips", 1 << 20)


def test_a_clip_of_missing_footage_names_the_segment(recorded: tuple[Session, Archive]) -> None:
    db, archive = recorded
    with pytest.raises(StorageError) as refused:
        archive.clip(db, 3, T0, T0 + 5_000)
    assert "segment 1 of camera 3" in str(refused.value)
    assert "recorded but cannot be read from the store (NoSuchVersion)" in str(refused.value)
    assert not list((archive.cache_dir).glob("*.mp4"))


def test_a_thumbnail_of_missing_footage_names_the_segment(
        recorded: tuple[Session, Archive]) -> None:
    db, archive = recorded
    with pytest.raises(StorageError, match="segment 1 of camera 3"):
        archive.thumbnail(db, 3, T0 + 1_000)


def test_the_refusal_is_a_503() -> None:
    code = next(c for kind, c in STATUS_BY_ERROR if issubclass(StorageError, kind))
    assert code == status.HTTP_503_SERVICE_UNAVAILABLE
