"""The console's camera list loads rooms and sites with the cameras: its number of SQL
statements does not grow with the number of cameras (at 1,000 cameras and 150 readers,
two lazy loads per camera held pooled connections long enough to exhaust the pool)."""

from __future__ import annotations

from sqlalchemy.orm import Session
from support.places import ADMIN, add_user, build_place
from support.statements import counted_statements

from proctor import directory
from proctor.auth.scope import cameras_within, load_scope
from proctor.db.models import Role


def _list_with_places(db: Session) -> tuple[int, int]:
    """List the cameras of a supervisor granted every site, in a fresh identity map, and read
    each camera's room and site names as the route does: (cameras, statements)."""
    sites = [place.site for place in (build_place(db, f"S{index}") for index in range(3))]
    for site in sites:
        room = directory.create_room(db, ADMIN, site.id, f"{site.name} room 2")
        device, _token = directory.create_device(db, ADMIN, site.id, f"{site.name} box 2")
        for index in range(4):
            directory.create_camera(db, ADMIN, room.id, f"{site.name} cam {index}", device.id)
    user = add_user(db, "supervisor", Role.SUPERVISOR, sites)
    db.commit()
    scope = load_scope(db, user)
    db.expunge_all()
    with counted_statements(db) as statements:
        cameras = cameras_within(db, scope)
        names = [(camera.room.name, camera.room.site.name) for camera in cameras]
    assert all(room and site for room, site in names)
    return len(cameras), len(statements)


def test_the_camera_list_is_one_statement_whatever_the_camera_count(db: Session) -> None:
    cameras, statements = _list_with_places(db)
    assert cameras == 15
    assert statements == 1
