"""The scenes live analysis reads: :class:`~proctor.vision.scene_store.SceneStore` over the
database, one short session per call."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from proctor.db.session import session_scope
from proctor.scenes.records import load_scene, save_reference, scene_version, scene_versions
from proctor.vision.scene_store import StoredScene

ANALYZER = "analyzer"  # who a captured reference is recorded as set by


class DbSceneStore:
    """Camera scenes in the server's database, for the analyzer."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self.session_factory = session_factory

    def load(self, camera_id: int) -> StoredScene:
        """The camera's scene; defaults (no rules, no reference) when none was set."""
        with session_scope(self.session_factory) as db:
            return load_scene(db, camera_id)

    def versions(self) -> dict[int, datetime]:
        """When each stored scene last changed."""
        with session_scope(self.session_factory) as db:
            return scene_versions(db)

    def keep_captured_reference(self, camera_id: int, jpeg: bytes,
                                seen: datetime | None) -> datetime | None:
        """Store ``jpeg`` as the reference the analyzer captured, unless the scene changed
        since version ``seen`` (e.g. through the CLI: that change wins, ``None``); returns
        the new version."""
        with session_scope(self.session_factory) as db:
            if scene_version(db, camera_id) != seen:
                return None
            save_reference(db, camera_id, jpeg, "auto", ANALYZER)
            db.flush()
            return scene_version(db, camera_id)
