"""Scene changes a user makes (settings, reference picture), each committed and audited, and
the stored reference read back (real SQLite)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from support.places import add_user, build_place

from proctor.db.models import AuditEntry, Role
from proctor.errors import InvalidInput, NotFound
from proctor.scenes import service as scene_service
from proctor.scenes.records import load_scene
from proctor.vision.scene import SceneSettings


def picture() -> bytes:
    pixels = np.random.default_rng(5).integers(0, 255, (240, 320, 3), dtype=np.uint8)
    return cv2.imencode(".jpg", pixels)[1].tobytes()


def audited(db: Session) -> list[tuple[str, str, str, dict[str, object]]]:
    return [(e.actor, e.action, e.target, e.detail) for e in db.scalars(
        select(AuditEntry).where(AuditEntry.action.startswith("scene.")).order_by(AuditEntry.seq))]


def test_settings_are_stored_audited_and_returned(db: Session) -> None:
    camera = build_place(db, "North").camera
    admin = add_user(db, "root", Role.ADMIN, [])
    stored = scene_service.update_settings(db, camera.id, SceneSettings(expected_headcount=31),
                                           admin)
    assert stored.settings.expected_headcount == 31
    assert load_scene(db, camera.id).settings.expected_headcount == 31
    [(actor, action, target, detail)] = audited(db)
    assert (actor, action, target) == (f"user:{admin.id}", "scene.update", f"camera:{camera.id}")
    assert detail["settings"] == SceneSettings(expected_headcount=31).model_dump(mode="json")


def test_a_reference_is_set_read_back_and_cleared(db: Session) -> None:
    camera = build_place(db, "North").camera
    admin = add_user(db, "root", Role.ADMIN, [])
    jpeg = picture()
    scene_service.replace_reference(db, camera.id, jpeg, admin)
    assert scene_service.reference_picture(db, camera.id) == jpeg
    assert load_scene(db, camera.id).reference_source == "operator"
    scene_service.replace_reference(db, camera.id, None, admin)
    with pytest.raises(NotFound, match=f"camera {camera.id} has no reference picture yet"):
        scene_service.reference_picture(db, camera.id)
    assert [(action, detail) for _, action, _, detail in audited(db)] == [
        ("scene.reference", {"bytes": len(jpeg)}), ("scene.reference_cleared", {})]


def test_an_unreadable_reference_is_refused_and_not_audited(db: Session) -> None:
    camera = build_place(db, "North").camera
    admin = add_user(db, "root", Role.ADMIN, [])
    with pytest.raises(InvalidInput, match="not a readable image"):
        scene_service.replace_reference(db, camera.id, b"not a picture", admin)
    assert audited(db) == []
    with pytest.raises(NotFound):
        scene_service.reference_picture(db, 99)
