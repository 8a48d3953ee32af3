"""Directory rows for service tests, built through :mod:`proctor.directory`: a site with
a room, a device and the device's camera; users with a role and granted sites."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from proctor import directory
from proctor.actor import Actor
from proctor.db.models import Camera, Device, Role, Site, User

ADMIN = Actor.cli("admin")
PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class Place:
    """A site with one room, one device and the device's camera."""

    site: Site
    device: Device
    camera: Camera


def build_place(db: Session, name: str) -> Place:
    """Site ``name`` with room, device and camera, flushed (not committed)."""
    site = directory.create_site(db, ADMIN, name)
    room = directory.create_room(db, ADMIN, site.id, f"{name} room 1")
    device, _token = directory.create_device(db, ADMIN, site.id, f"{name} box")
    camera = directory.create_camera(db, ADMIN, room.id, f"{name} cam", device.id)
    return Place(site, device, camera)


def add_user(db: Session, username: str, role: Role, sites: list[Site]) -> User:
    """A user with ``role`` granted ``sites``."""
    return directory.create_user(db, ADMIN, username, PASSWORD, role,
                                 site_ids=[site.id for site in sites])

