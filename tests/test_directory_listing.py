"""Directory look-ups the admin API lists from, the admin password reset, and which cameras
a device may publish (real SQLite)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from support.places import ADMIN, PASSWORD, add_user, build_place

from proctor import directory
from proctor.auth.device_access import camera_of_device
from proctor.auth.secrets import verify_password
from proctor.auth.sessions import login
from proctor.db.models import AuditEntry, Role, UserSession
from proctor.errors import InvalidInput, NotFound


def test_listings_hold_every_row_by_id(db: Session) -> None:
    first, second = build_place(db, "North"), build_place(db, "South")
    add_user(db, "sam", Role.SUPERVISOR, [second.site])
    assert [site.name for site in directory.list_sites(db)] == ["North", "South"]
    assert [room.name for room in directory.list_rooms(db)] == ["North room 1", "South room 1"]
    assert [d.id for d in directory.list_devices(db)] == [first.device.id, second.device.id]
    assert [(c.id, c.device_id) for c in directory.list_cameras(db)] == [
        (first.camera.id, first.device.id), (second.camera.id, second.device.id)]
    assert [user.username for user in directory.list_users(db)] == ["sam"]


def test_get_device_names_a_missing_one(db: Session) -> None:
    place = build_place(db, "North")
    assert directory.get_device(db, place.device.id) is place.device
    with pytest.raises(NotFound, match="device 99 does not exist"):
        directory.get_device(db, 99)


def test_reset_password_ends_every_session_and_is_audited(db: Session) -> None:
    user = add_user(db, "sam", Role.SUPERVISOR, [])
    assert login(db, "sam", PASSWORD, 1.0, b"k" * 32, "10.0.0.1") is not None
    directory.reset_password(db, ADMIN, user.id, "a brand new secret")
    assert verify_password("a brand new secret", user.password_hash)
    assert db.scalars(select(UserSession).where(UserSession.user_id == user.id)).all() == []
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "user.password_set")).one()
    assert (entry.target, entry.detail) == (f"user:{user.id}", {"sessions_ended": 1})


def test_reset_password_refuses_a_short_one_and_a_missing_user(db: Session) -> None:
    user = add_user(db, "sam", Role.SUPERVISOR, [])
    with pytest.raises(InvalidInput, match="at least"):
        directory.reset_password(db, ADMIN, user.id, "short")
    with pytest.raises(NotFound, match="user 42 does not exist"):
        directory.reset_password(db, ADMIN, 42, "long enough password")


def test_a_device_publishes_only_its_own_cameras(db: Session) -> None:
    north, south = build_place(db, "North"), build_place(db, "South")
    assert camera_of_device(db, north.device.id, north.camera.id) is north.camera
    for camera_id in (south.camera.id, 99):  # another device's camera is as unknown
        with pytest.raises(NotFound, match=f"camera {camera_id} does not exist or is not "
                                           f"assigned to device {north.device.id}"):
            camera_of_device(db, north.device.id, camera_id)
