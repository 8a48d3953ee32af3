"""Creating and finding sites, rooms, cameras, devices and users.

Shared by the admin CLI and the admin API so both enforce the same rules.
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from proctor import audit
from proctor.actor import ActorRef
from proctor.auth.secrets import DeviceToken, hash_password, hash_token
from proctor.auth.sessions import find_user as find_user  # re-exported: login owns it
from proctor.db.base import utcnow
from proctor.db.models import Camera, Device, Role, Room, Site, SiteGrant, User, UserSession
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
    session: Session, actor: ActorRef, name: str, organisation: str = "", address: str = ""
) -> Site:
    """Register an assessment site."""
    site = Site(name=name, organisation=organisation, address=address)
    session.add(site)
    _flush_or_conflict(session, f"site {name!r}")
    audit.record(session, actor, "site.create", f"site:{site.id}", name=name)
    return site


def create_room(session: Session, actor: ActorRef, site_id: int, name: str) -> Room:
    """Add an exam room to a site."""
    get_or_404(session, Site, site_id)
    room = Room(site_id=site_id, name=name)
    session.add(room)
    _flush_or_conflict(session, f"room {name!r} in site {site_id}")
    audit.record(session, actor, "room.create", f"room:{room.id}", name=name, site_id=site_id)
    return room


def create_device(session: Session, actor: ActorRef, site_id: int, name: str) -> tuple[Device, str]:
    """Enroll an edge device; returns it and its token, which is shown only this once."""
    get_or_404(session, Site, site_id)
    device = Device(site_id=site_id, name=name, token_hash="")
    session.add(device)
    session.flush()
    token = DeviceToken.generate(device.id)
    device.token_hash = hash_token(token.secret)
    audit.record(session, actor, "device.enroll", f"device:{device.id}", name=name, site_id=site_id)
    return device, str(token)


def rotate_device_token(session: Session, actor: ActorRef, device_id: int) -> str:
    """Issue a new token for a device; the old one stops working at once."""
    device = get_or_404(session, Device, device_id)
    token = DeviceToken.generate(device.id)
    device.token_hash = hash_token(token.secret)
    device.token_issued_at = utcnow()
    audit.record(session, actor, "device.rotate_token", f"device:{device.id}")
    return str(token)


def create_camera(
    session: Session, actor: ActorRef, room_id: int, name: str, device_id: int | None = None
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
    actor: ActorRef,
    username: str,
    password: str,
    role: Role,
    display_name: str = "",
    site_ids: list[int] | None = None,
) -> User:
    """Create a user; non-admins see only the sites in ``site_ids``."""
    _check_password(password)
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
    audit.record(session, actor, "user.create", f"user:{user.id}", username=username,
                 role=role.value)
    return user


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"password must have at least {MIN_PASSWORD_LENGTH} characters")


def end_sessions(session: Session, user_id: int, keep_token_hash: str | None = None) -> int:
    """Log the user out everywhere (except the session ``keep_token_hash``); returns how
    many sessions ended. Live alert streams notice within their recheck interval."""
    query = delete(UserSession).where(UserSession.user_id == user_id)
    if keep_token_hash is not None:
        query = query.where(UserSession.token_hash != keep_token_hash)
    result = session.execute(query)
    assert isinstance(result, CursorResult)  # a DELETE without RETURNING; typed as any Result
    return result.rowcount


def set_password(session: Session, actor: ActorRef, user: User, password: str,
                 keep_token_hash: str | None = None) -> None:
    """Give ``user`` a new password and end their other sessions (a reset by an
    administrator ends all of them)."""
    _check_password(password)
    user.password_hash = hash_password(password)
    ended = end_sessions(session, user.id, keep_token_hash)
    audit.record(session, actor, "user.password_set", f"user:{user.id}", sessions_ended=ended)


def update_user(session: Session, actor: ActorRef, user_id: int, *, display_name: str | None = None,
                role: Role | None = None, is_active: bool | None = None,
                site_ids: list[int] | None = None) -> User:
    """Change what is given of a user's name, role, access and sites (``site_ids`` replaces
    the grants). Deactivating ends their sessions. The last active administrator cannot be
    demoted or deactivated: nobody could administer the service any more."""
    user = get_or_404(session, User, user_id)
    losing_admin = user.role is Role.ADMIN and user.is_active and (
        (role is not None and role is not Role.ADMIN) or is_active is False)
    if losing_admin and _active_admins(session) <= 1:
        raise Conflict(f"{user.username} is the last active administrator: create or "
                       "activate another administrator first")
    changes: dict[str, object] = {}
    if display_name is not None and display_name != user.display_name:
        user.display_name = changes["display_name"] = display_name
    if role is not None and role is not user.role:
        user.role = role
        changes["role"] = role.value
    if is_active is not None and is_active != user.is_active:
        user.is_active = changes["is_active"] = is_active
        if not is_active:
            changes["sessions_ended"] = end_sessions(session, user.id)
    if changes:
        audit.record(session, actor, "user.update", f"user:{user.id}", **changes)
    if site_ids is not None:
        _replace_grants(session, actor, user.id, set(site_ids))
    session.flush()
    return user


def _active_admins(session: Session) -> int:
    # locked (PostgreSQL) until the change commits: two administrators removing each other
    # at the same moment cannot both see the other one still there
    return len(session.scalars(select(User.id).where(User.role == Role.ADMIN,
                                                     User.is_active.is_(True))
                               .with_for_update()).all())


def _replace_grants(session: Session, actor: ActorRef, user_id: int, site_ids: set[int]) -> None:
    current = set(session.scalars(select(SiteGrant.site_id).where(SiteGrant.user_id == user_id)))
    for site_id in sorted(site_ids - current):
        grant_site(session, actor, user_id, site_id)
    for site_id in sorted(current - site_ids):
        session.execute(delete(SiteGrant).where(SiteGrant.user_id == user_id,
                                                SiteGrant.site_id == site_id))
        audit.record(session, actor, "user.revoke_site", f"user:{user_id}", site_id=site_id)


def grant_site(session: Session, actor: ActorRef, user_id: int, site_id: int) -> None:
    """Let a user see a site's rooms and cameras."""
    get_or_404(session, User, user_id)
    get_or_404(session, Site, site_id)
    if session.get(SiteGrant, (user_id, site_id)) is None:
        session.add(SiteGrant(user_id=user_id, site_id=site_id))
        session.flush()
        audit.record(session, actor, "user.grant_site", f"user:{user_id}", site_id=site_id)


def reset_password(session: Session, actor: ActorRef, user_id: int, password: str) -> None:
    """An administrator sets a user's password (they forgot it); all their sessions end."""
    set_password(session, actor, get_or_404(session, User, user_id), password)


def get_device(session: Session, device_id: int) -> Device:
    """The device, or :class:`NotFound`."""
    return get_or_404(session, Device, device_id)


def list_sites(session: Session) -> list[Site]:
    """Every site, by id."""
    return list(session.scalars(select(Site).order_by(Site.id)))


def list_rooms(session: Session) -> list[Room]:
    """Every room, by id."""
    return list(session.scalars(select(Room).order_by(Room.id)))


def list_devices(session: Session) -> list[Device]:
    """Every device, by id."""
    return list(session.scalars(select(Device).order_by(Device.id)))


def list_cameras(session: Session) -> list[Camera]:
    """Every camera, by id (with its device assignment)."""
    return list(session.scalars(select(Camera).order_by(Camera.id)))


def list_users(session: Session) -> list[User]:
    """Every user, by id."""
    return list(session.scalars(select(User).order_by(User.id)))
