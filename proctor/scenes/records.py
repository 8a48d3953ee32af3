"""Camera scenes in the database: the settings and the tamper reference picture."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from proctor.db.base import utcnow
from proctor.db.models import CameraScene
from proctor.vision.pictures import decode_luma
from proctor.vision.scene import SceneSettings
from proctor.vision.scene_store import StoredScene


def load_scene(db: Session, camera_id: int) -> StoredScene:
    """The camera's scene; defaults (no rules, no reference) when none was set."""
    row = db.get(CameraScene, camera_id)
    if row is None:
        return StoredScene(SceneSettings(), None, None, None)
    reference = decode_luma(row.reference_jpeg) if row.reference_jpeg else None
    return StoredScene(SceneSettings.model_validate(row.settings), reference,
                       row.reference_source, row.reference_at, row.updated_at)


def scene_versions(db: Session) -> dict[int, datetime]:
    """When each camera's scene last changed (to notice changes made elsewhere)."""
    return {camera_id: updated_at for camera_id, updated_at in
            db.execute(select(CameraScene.camera_id, CameraScene.updated_at))}


def scene_version(db: Session, camera_id: int) -> datetime | None:
    """When the camera's scene last changed (``None``: never set)."""
    return db.scalar(select(CameraScene.updated_at).where(CameraScene.camera_id == camera_id))


def _row(db: Session, camera_id: int) -> CameraScene:
    row = db.get(CameraScene, camera_id)
    if row is None:
        row = CameraScene(camera_id=camera_id, settings={})
        db.add(row)
    return row


def save_settings(db: Session, camera_id: int, settings: SceneSettings, actor: str) -> None:
    """Replace the camera's scene settings."""
    row = _row(db, camera_id)
    row.settings = settings.model_dump(mode="json")
    row.updated_by, row.updated_at = actor, utcnow()


def save_reference(db: Session, camera_id: int, jpeg: bytes | None, source: str,
                   actor: str) -> None:
    """Set (or with ``None`` clear) the camera's reference picture; ``source`` is
    ``operator`` or ``auto``."""
    if jpeg is not None:
        decode_luma(jpeg)  # refuse what later could not be read
    row = _row(db, camera_id)
    row.reference_jpeg = jpeg
    row.reference_source = source if jpeg is not None else None
    row.reference_at = utcnow() if jpeg is not None else None
    row.updated_by, row.updated_at = actor, utcnow()


def reference_jpeg(db: Session, camera_id: int) -> bytes | None:
    """The stored reference picture (grey JPEG), ``None`` when there is none."""
    row = db.get(CameraScene, camera_id)
    return None if row is None else row.reference_jpeg
