"""The scene API's database work: a user changes a camera's scene settings or its tamper
reference picture, each change audit-logged and committed at once (so live analysis, told
to reload, reads it); the reference picture is read back as stored."""

from __future__ import annotations

from sqlalchemy.orm import Session

from proctor import audit
from proctor.db.models import User
from proctor.errors import NotFound
from proctor.scenes.records import load_scene, reference_jpeg, save_reference, save_settings
from proctor.vision.scene import SceneSettings
from proctor.vision.scene_store import StoredScene


def update_settings(db: Session, camera_id: int, settings: SceneSettings,
                    user: User) -> StoredScene:
    """Replace the camera's scene settings for ``user``; returns the scene as stored."""
    save_settings(db, camera_id, settings, user.username)
    audit.record(db, f"user:{user.id}", "scene.update", f"camera:{camera_id}",
                 settings=settings.model_dump(mode="json"))
    db.commit()
    return load_scene(db, camera_id)


def replace_reference(db: Session, camera_id: int, jpeg: bytes | None, user: User) -> None:
    """Make ``jpeg`` (a JPEG or PNG; :class:`~proctor.errors.InvalidInput` otherwise) the
    camera's tamper reference, set by ``user``; ``None`` forgets the reference, and the
    analyzer captures a new one from the next good picture."""
    save_reference(db, camera_id, jpeg, "operator", user.username)
    if jpeg is None:
        audit.record(db, f"user:{user.id}", "scene.reference_cleared", f"camera:{camera_id}")
    else:
        audit.record(db, f"user:{user.id}", "scene.reference", f"camera:{camera_id}",
                     bytes=len(jpeg))
    db.commit()


def reference_picture(db: Session, camera_id: int) -> bytes:
    """The stored reference picture (grey JPEG); :class:`NotFound` when there is none."""
    jpeg = reference_jpeg(db, camera_id)
    if jpeg is None:
        raise NotFound(f"camera {camera_id} has no reference picture yet")
    return jpeg
