"""Camera scenes in the database: the settings and the tamper reference picture."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from proctor.db.base import utcnow
from proctor.db.models import CameraScene
from proctor.errors import InvalidInput
from proctor.vision.scene import SceneSettings

REFERENCE_MAX_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class StoredScene:
    """A camera's scene settings and reference picture (luma), as stored."""

    settings: SceneSettings
    reference: np.ndarray | None
    reference_source: str | None
    reference_at: datetime | None
    updated_at: datetime | None = None


def encode_jpeg(picture: np.ndarray, quality: int = 85) -> bytes:
    """JPEG bytes of a BGR or grey picture."""
    import cv2  # the vision extra; imported here so `proctor admin` works without it

    ok, data = cv2.imencode(".jpg", picture, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return data.tobytes()


def decode_luma(jpeg: bytes) -> np.ndarray:
    """The grey picture of an image file; :class:`InvalidInput` if it is not one."""
    import cv2

    if len(jpeg) > REFERENCE_MAX_BYTES:
        raise InvalidInput(f"reference image is {len(jpeg)} bytes; the limit is "
                           f"{REFERENCE_MAX_BYTES}: send a JPEG or PNG of the camera's view")
    luma = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_GRAYSCALE)
    if luma is None or luma.shape[0] < 96 or luma.shape[1] < 128:
        raise InvalidInput("reference is not a readable image of at least 128x96 pixels: "
                           "send a JPEG or PNG of the camera's view")
    return luma


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
