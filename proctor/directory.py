"""Creating and finding sites, rooms, cameras, devices and users.

Shared by the admin CLI and the admin API so both enforce the same rules.
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from proctor import audit
from proctor.auth.secrets import DeviceToken, hash_password, hash_token
from proctor.db.base import utcnow
from proctor.db.models import Camera, Device, Role, Room, Site, SiteGrant, User
from proctor.errors import Conflict, InvalidInput, NotFound

MIN_PASSWORD_LENGTH = 10
T = TypeVar("T")


def get_or_404(session: Session, model: type[T], ident: int) -> T:
    """Load a row by primary key or raise :class:`NotFound` naming it."""
    row = session.get(model, ident)
    if row is None:
        raise NotFound(f"{model.__name__.lower()} {ident} does not exist")
    return row


def _flush_or_conflict(session: Session, what: str) -> None:
    try:
        session.flush()
    except IntegrityError as error:
        session.rollback()
        raise Conflict(f"{what} already exists") from error


def create_site(
    session: Session, actor: str, name: str, organisation: str = "", address: str = ""
) -> Site:
    """Register an assessment site."""
    site = Site(name=name, organisation=organisation, address=address)
    session.add(site)
    _flush_or_conflict(session, f"site {name!r}")
    audit.record(session, actor, "site.create", f"site:{site.id}", name=name)
    return site


def create_room(session: Session, actor: str, site_id: int, name: str) -> Room:
    """Add an exam room to a site."""
    get_or_404(session, Site, site_id)
    room = Room(site_id=site_id, name=name)
    session.add(room)
    _flush_or_conflict(session, f"room {name!r} in site {site_id}")
    audit.record(session, actor, "room.create", f"room:{room.id}", name=name, site_id=site_id)
    return room


def create_device(session: Session, actor: str, site_id: int, name: str) -> tuple[Device, str]:
    """Enroll an edge device; returns it and its token, which is shown only this once."""
    get_or_404(session, Site, site_id)
    device = Device(site_id=site_id, name=name, token_hash="")
    session.add(device)
    session.flush()
    token = DeviceToken.generate(device.id)
    device.token_hash = hash_token(token.secret)
    audit.record(session, actor, "device.enroll", f"device:{device.id}", name=name, site_id=site_id)
    return device, str(token)


def rotate_device_token(session: Session, actor: str, device_id: int) -> str:
    """Issue a new token for a device; the old one stops working at once."""
    device = get_or_404(session, Device, device_id)
    token = DeviceToken.generate(device.id)
    device.token_hash = hash_token(token.secret)
    device.token_issued_at = utcnow()
    audit.record(session, actor, "device.rotate_token", f"device:{device.id}")
    return str(token)


def create_camera(
    session: Session, actor: str, room_id: int, name: str, device_id: int | None = None
) -> Camera:
    """Add a camera to a room, optionally assigned to the device that publishes it."""
    room = get_or_404(session, Room, room_id)
    if device_id is not None:
        device = get_or_404(session, Device, device_id)
        if device.site_id != room.site_id:
            raise InvalidInput(
                f"device {device_id} belongs to site {device.site_id}, "
                f"but room {room_id} is in site {room.site_id}"
            )
    camera = Camera(room_id=room_id, name=name, device_id=device_id)
    session.add(camera)
    _flush_or_conflict(session, f"camera {name!r} in room {room_id}")
    audit.record(session, actor, "camera.create", f"camera:{camera.id}", room_id=room_id)
    return camera


def create_user(
    session: Session,
    actor: str,
    username: str,
    password: str,
    role: Role,
    display_name: str = "",
    site_ids: list[int] | None = None,
) -> User:
    """Create a user; non-admins see only the sites in ``site_ids``."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=hash_password(password),
        role=role,
    )
    session.add(user)
    _flush_or_conflict(session, f"user {username!r}")
    for site_id in site_ids or []:
        grant_site(session, actor, user.id, site_id)
    audit.record(session, actor, "user.create", f"user:{user.id}", username=username, role=role.value)
    return user


def grant_site(session: Session, actor: str, user_id: int, site_id: int) -> None:
    """Let a user see a site's rooms and cameras."""
    get_or_404(session, User, user_id)
    get_or_404(session, Site, site_id)
    if session.get(SiteGrant, (user_id, site_id)) is None:
        session.add(SiteGrant(user_id=user_id, site_id=site_id))
        session.flush()
        audit.record(session, actor, "user.grant_site", f"user:{user_id}", site_id=site_id)


def find_user(session: Session, username: str) -> User | None:
    """Look a user up by name."""
    return session.scalar(select(User).where(User.username == username))
