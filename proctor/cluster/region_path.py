"""A camera's place in the region tree, as NATS subject tokens:
province / city / district (GB/T 2260 codes) / site / room / camera (ids)."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from proctor.db.models import Camera, Room, Site
from proctor.db.organisations import Organisation
from proctor.db.session import session_scope

UNKNOWN = "none"  # a site without an organisation has no region
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def subject_token(value: object) -> str:
    """``value`` as one subject token: only letters, digits, ``-`` and ``_`` (a ``.``, ``*``,
    ``>`` or space would change the subject's meaning)."""
    return _UNSAFE.sub("_", str(value)) or "_"


def region_tokens(district_code: str | None) -> tuple[str, str, str]:
    """Province, city and district codes of a district (``350203`` → ``350000``, ``350200``,
    ``350203``); :data:`UNKNOWN` thrice without one."""
    if not district_code:
        return (UNKNOWN, UNKNOWN, UNKNOWN)
    code = subject_token(district_code)
    return (code[:2] + "0000", code[:4] + "00", code)


def camera_region_path(db: Session, camera_id: int) -> tuple[str, ...]:
    """The six tokens of ``camera_id``'s path; unknown levels are :data:`UNKNOWN`."""
    row = db.execute(
        select(Organisation.region_code, Site.id, Room.id)
        .select_from(Camera).join(Room, Camera.room_id == Room.id)
        .join(Site, Room.site_id == Site.id)
        .outerjoin(Organisation, Site.organisation_id == Organisation.id)
        .where(Camera.id == camera_id)).one_or_none()
    if row is None:
        return (*region_tokens(None), UNKNOWN, UNKNOWN, subject_token(camera_id))
    region_code, site_id, room_id = row
    return (*region_tokens(region_code), subject_token(site_id), subject_token(room_id),
            subject_token(camera_id))


def region_paths(sessions: sessionmaker[Session]) -> Callable[[int], tuple[str, ...]]:
    """:func:`camera_region_path` with a session of its own per call (blocking)."""

    def path_of(camera_id: int) -> tuple[str, ...]:
        with session_scope(sessions) as db:
            return camera_region_path(db, camera_id)

    return path_of
