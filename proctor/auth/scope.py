"""One answer to "what may this user act on": the :class:`Scope`.

A scope combines what the user's role permits (:data:`ROLE_PERMISSIONS`) with where it may be
used: everywhere (administrators), or within the sites granted to the user. Later sources of
scope (region grants, batch assignments of drawn supervisors) widen the same object, so every
route and the live-access checks keep asking the one question they ask today:
``scope.allows(permission, camera)``.

The value object is pure; :func:`load_scope` reads it from the database and
:func:`camera_in_scope` is the look-up every camera route goes through (404 for a camera
that does not exist, 403 for one outside the scope, each message naming the user and the
camera).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from proctor.db.models import Camera, Role, Room, SiteGrant, User
from proctor.errors import Forbidden, NotFound


class Permission(str, enum.Enum):
    """An action a user can be allowed to take."""

    MANAGE_DIRECTORY = "manage_directory"  # sites, rooms, cameras, devices, users
    WATCH_LIVE = "watch_live"
    VIEW_ARCHIVE = "view_archive"  # coverage, clips, thumbnails, events
    EXPORT_EVIDENCE = "export_evidence"  # evidence packages, legal holds
    READ_AUDIT_LOG = "read_audit_log"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.SUPERVISOR: frozenset({Permission.WATCH_LIVE, Permission.VIEW_ARCHIVE}),
    Role.ORG_OPERATOR: frozenset({Permission.WATCH_LIVE}),
    Role.COMPLAINT_OFFICER: frozenset({Permission.VIEW_ARCHIVE, Permission.EXPORT_EVIDENCE}),
    Role.AUDITOR: frozenset({Permission.READ_AUDIT_LOG, Permission.VIEW_ARCHIVE}),
}

# what a refusal says the user may not do to a camera: "user 'x' may not <...>"
_REFUSED_ACTION: dict[Permission, str] = {
    Permission.MANAGE_DIRECTORY: "change the scene settings of camera {camera_id}",
    Permission.WATCH_LIVE: "watch camera {camera_id}",
    Permission.VIEW_ARCHIVE: "view recordings of camera {camera_id}",
    Permission.EXPORT_EVIDENCE: "export or hold recordings of camera {camera_id}",
    Permission.READ_AUDIT_LOG: "read the audit log of camera {camera_id}",
}


@dataclass(frozen=True)
class CameraPlace:
    """Where a camera is, as far as scope is concerned."""

    camera_id: int
    site_id: int

    @classmethod
    def of(cls, camera: Camera) -> CameraPlace:
        """The place of a loaded camera (reads its room)."""
        return cls(camera_id=camera.id, site_id=camera.room.site_id)


@dataclass(frozen=True)
class Scope:
    """What one user may do, and where. Build it with :func:`load_scope` (or directly in
    tests); it is a snapshot, so load a new one when access may have changed."""

    user_id: int
    username: str
    role: Role
    permissions: frozenset[Permission]
    everywhere: bool
    site_ids: frozenset[int] = frozenset()

    @classmethod
    def for_user(cls, user: User, site_ids: frozenset[int]) -> Scope:
        """The scope of ``user`` with the sites granted to it; a disabled user's is empty."""
        active = user.is_active
        return cls(
            user_id=user.id, username=user.username, role=user.role,
            permissions=ROLE_PERMISSIONS[user.role] if active else frozenset(),
            everywhere=active and user.role is Role.ADMIN,
            site_ids=site_ids if active else frozenset(),
        )

    @property
    def actor(self) -> str:
        """How the audit log names this user."""
        return f"user:{self.user_id}"

    def can(self, permission: Permission) -> bool:
        """Whether the role permits ``permission`` somewhere."""
        return permission in self.permissions

    def allows(self, permission: Permission, camera: CameraPlace) -> bool:
        """Whether the role permits ``permission`` and the camera is within the scope."""
        if not self.can(permission):
            return False
        return self.everywhere or camera.site_id in self.site_ids

    def allows_any(self, permissions: frozenset[Permission], camera: CameraPlace) -> bool:
        """Whether any of ``permissions`` is allowed on the camera."""
        return any(self.allows(permission, camera) for permission in permissions)

    def cameras_query(self) -> Select[Camera]:
        """The cameras within the scope (whatever the permission), ordered by id."""
        query = select(Camera).join(Room).order_by(Camera.id)
        if self.everywhere:
            return query
        return query.where(Room.site_id.in_(self.site_ids))

    def refusal(self, permission: Permission, camera_id: int) -> Forbidden:
        """The error for a camera outside the scope, naming user, action and camera."""
        action = _REFUSED_ACTION[permission].format(camera_id=camera_id)
        return Forbidden(f"user '{self.username}' may not {action}")

    def require(self, permission: Permission) -> None:
        """Raise :class:`Forbidden` unless the role permits ``permission``."""
        if not self.can(permission):
            raise Forbidden(f"role '{self.role.value}' may not "
                            f"{permission.value.replace('_', ' ')}")


def load_scope(db: Session, user: User) -> Scope:
    """The user's current scope, read from every source of scope (today: site grants)."""
    return Scope.for_user(user, granted_site_ids(db, user.id))


def camera_in_scope(db: Session, scope: Scope, camera_id: int,
                    permission: Permission) -> Camera:
    """The camera, if it exists (:class:`NotFound`) and the scope allows ``permission`` on it
    (:class:`Forbidden`)."""
    camera = db.get(Camera, camera_id)
    if camera is None:
        raise NotFound(f"camera {camera_id} does not exist")
    if not scope.allows(permission, CameraPlace.of(camera)):
        raise scope.refusal(permission, camera_id)
    return camera


def cameras_in_scope(db: Session, scope: Scope,
                     permissions: frozenset[Permission]) -> list[Camera]:
    """The cameras on which the scope allows any of ``permissions``, ordered by id."""
    return [camera for camera in db.scalars(scope.cameras_query())
            if scope.allows_any(permissions, CameraPlace.of(camera))]


def granted_site_ids(db: Session, user_id: int) -> frozenset[int]:
    """The sites granted to a user."""
    return frozenset(db.scalars(select(SiteGrant.site_id).where(SiteGrant.user_id == user_id)))
