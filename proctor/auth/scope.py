"""One answer to "what may this user act on": the :class:`Scope`.

A scope combines what the user's role permits (:data:`ROLE_PERMISSIONS`) with where and when
it may be used: everywhere (administrators); the sites granted to the user, directly or
through a granted region (every site of every organisation in the region or below it); and
time-limited camera grants (:mod:`proctor.auth.grants`: a drawn supervisor's batch cameras,
live during the session windows, their footage until the report period ends). The role
decides *what*, the grants decide *where* and *when*: a grant never adds a permission the
role lacks. Every route and the live-access checks ask the one question
``scope.allows(permission, camera, at=...)``; without ``at`` it is answered for the moment
the scope was loaded (:attr:`Scope.as_of`), so the object stays a pure snapshot.

:func:`load_scope` reads the scope from the database (grant sources of other wings are
passed in by the composition root) and
:func:`camera_in_scope` is the look-up every camera route goes through: 404 alike for a
camera that does not exist and one outside the scope (so another site's cameras cannot be
told from unknown ids, as with events), 403 for one within the scope that the role or the
granted time does not allow, naming the user and the camera.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, contains_eager

from proctor.auth.grants import CameraGrant, GrantSource, Window, merge_windows
from proctor.db.base import utcnow
from proctor.db.models import Camera, Role, Room, Site, SiteGrant, User
from proctor.db.organisations import Organisation, Region, RegionGrant
from proctor.errors import Forbidden, NotFound


class Permission(str, enum.Enum):
    """An action a user can be allowed to take."""

    MANAGE_DIRECTORY = "manage_directory"  # sites, rooms, cameras, devices, users
    WATCH_LIVE = "watch_live"
    VIEW_ARCHIVE = "view_archive"  # coverage, clips, thumbnails, events
    EXPORT_EVIDENCE = "export_evidence"  # evidence packages, legal holds
    READ_AUDIT_LOG = "read_audit_log"
    READ_COMPLAINTS = "read_complaints"  # complaints about organisations in scope
    HANDLE_COMPLAINTS = "handle_complaints"  # register, review, investigate, resolve, close


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.SUPERVISOR: frozenset({Permission.WATCH_LIVE, Permission.VIEW_ARCHIVE}),
    # an organisation's operator reads complaints about it, never who made them
    Role.ORG_OPERATOR: frozenset({Permission.WATCH_LIVE, Permission.READ_COMPLAINTS}),
    Role.COMPLAINT_OFFICER: frozenset({Permission.VIEW_ARCHIVE, Permission.EXPORT_EVIDENCE,
                                       Permission.READ_COMPLAINTS,
                                       Permission.HANDLE_COMPLAINTS}),
    Role.AUDITOR: frozenset({Permission.READ_AUDIT_LOG, Permission.VIEW_ARCHIVE,
                             Permission.READ_COMPLAINTS}),
}

# what a refusal says the user may not do to a camera: "user 'x' may not <...>"
_REFUSED_ACTION: dict[Permission, str] = {
    Permission.MANAGE_DIRECTORY: "change the scene settings of camera {camera_id}",
    Permission.WATCH_LIVE: "watch camera {camera_id}",
    Permission.VIEW_ARCHIVE: "view recordings of camera {camera_id}",
    Permission.EXPORT_EVIDENCE: "export or hold recordings of camera {camera_id}",
    Permission.READ_AUDIT_LOG: "read the audit log of camera {camera_id}",
    Permission.READ_COMPLAINTS: "read complaints about camera {camera_id}",
    Permission.HANDLE_COMPLAINTS: "handle complaints about camera {camera_id}",
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
    """What one user may do, where and when. Build it with :func:`load_scope` (or directly
    in tests); it is a snapshot taken at ``as_of``, so load a new one when access may have
    changed."""

    user_id: int
    username: str
    role: Role
    permissions: frozenset[Permission]
    everywhere: bool
    as_of: datetime
    site_ids: frozenset[int] = frozenset()  # granted directly or through a region
    camera_grants: tuple[CameraGrant, ...] = field(default=())

    @classmethod
    def for_user(cls, user: User, at: datetime, site_ids: frozenset[int] = frozenset(),
                 camera_grants: Iterable[CameraGrant] = ()) -> Scope:
        """The scope of ``user`` at ``at`` with its sites and camera grants; a disabled
        user's is empty."""
        active = user.is_active
        return cls(
            user_id=user.id, username=user.username, role=user.role,
            permissions=ROLE_PERMISSIONS[user.role] if active else frozenset(),
            everywhere=active and user.role is Role.ADMIN, as_of=at,
            site_ids=site_ids if active else frozenset(),
            camera_grants=tuple(camera_grants) if active else (),
        )

    @property
    def actor(self) -> str:
        """How the audit log names this user."""
        return f"user:{self.user_id}"

    def can(self, permission: Permission) -> bool:
        """Whether the role permits ``permission`` somewhere."""
        return permission in self.permissions

    def allows(self, permission: Permission, camera: CameraPlace,
               at: datetime | None = None) -> bool:
        """Whether the role permits ``permission`` and the camera is within the scope at
        ``at`` (default: :attr:`as_of`)."""
        if not self.can(permission):
            return False
        if self._whole_camera(camera):
            return True
        moment = at or self.as_of
        return any(_grant_allows(grant, permission, moment)
                   for grant in self._grants_of(camera))

    def allows_any(self, permissions: frozenset[Permission], camera: CameraPlace,
                   at: datetime | None = None) -> bool:
        """Whether any of ``permissions`` is allowed on the camera."""
        return any(self.allows(permission, camera, at) for permission in permissions)

    def sees(self, camera: CameraPlace) -> bool:
        """Whether the camera is within the scope at all (its site, or any grant of it, at
        any time): what the scope may know exists."""
        return self._whole_camera(camera) or bool(self._grants_of(camera))

    def live_until(self, camera: CameraPlace, at: datetime | None = None) -> datetime | None:
        """When live viewing of the camera, allowed at ``at``, stops being allowed; ``None``
        when it is not time-limited (or not allowed at all: ask :meth:`allows` first)."""
        moment = at or self.as_of
        if not self.allows(Permission.WATCH_LIVE, camera, moment) or self._whole_camera(camera):
            return None
        open_windows = (grant.live_at(moment) for grant in self._grants_of(camera))
        return max(window.end for window in open_windows if window is not None)

    def footage_windows(self, camera: CameraPlace,
                        at: datetime | None = None) -> tuple[Window, ...] | None:
        """The footage of the camera the scope may view at ``at``: ``None`` for all of it,
        else the granted windows (empty: none)."""
        return self.windows_of(frozenset({Permission.VIEW_ARCHIVE}), camera, at)

    def windows_of(self, permissions: frozenset[Permission], camera: CameraPlace,
                   at: datetime | None = None) -> tuple[Window, ...] | None:
        """The times of the camera on which any of ``permissions`` is allowed at ``at``:
        ``None`` for all time, else the windows of the grants that allow one (empty: none)."""
        if not any(self.can(permission) for permission in permissions):
            return ()
        if self._whole_camera(camera):
            return None
        moment = at or self.as_of
        return merge_windows(window for grant in self._grants_of(camera)
                             if any(_grant_allows(grant, permission, moment)
                                    for permission in permissions if self.can(permission))
                             for window in grant.windows)

    def require_footage(self, camera: CameraPlace, start_ms: int, end_ms: int,
                        at: datetime | None = None) -> None:
        """Raise :class:`Forbidden`, naming the allowed windows, unless the footage
        ``start_ms..end_ms`` (epoch ms) of the camera lies within what the scope may view."""
        windows = self.footage_windows(camera, at)
        if windows is None or any(w.covers_ms(start_ms, end_ms) for w in windows):
            return
        raise self.outside_windows(camera, windows)

    def outside_windows(self, camera: CameraPlace, windows: tuple[Window, ...]) -> Forbidden:
        """The error for footage of the camera outside the granted ``windows``, naming them."""
        allowed = ", ".join(str(window) for window in windows) or "none"
        return Forbidden(f"user '{self.username}' may view recordings of camera "
                         f"{camera.camera_id} only within the granted windows (UTC): {allowed}")

    def cameras_query(self) -> Select[Camera]:
        """The cameras within the scope (whatever the permission or time), ordered by id,
        with their room and site loaded in the same query (a console list of a thousand
        cameras is one round trip, not two per camera)."""
        query = (select(Camera).join(Room)
                 .options(contains_eager(Camera.room).joinedload(Room.site))
                 .order_by(Camera.id))
        if self.everywhere:
            return query
        granted = {grant.camera_id for grant in self.camera_grants}
        return query.where(or_(Room.site_id.in_(self.site_ids), Camera.id.in_(granted)))

    def refusal(self, permission: Permission, camera_id: int) -> Forbidden:
        """The error for a camera outside the scope, naming user, action and camera."""
        action = _REFUSED_ACTION[permission].format(camera_id=camera_id)
        return Forbidden(f"user '{self.username}' may not {action}")

    def require(self, permission: Permission) -> None:
        """Raise :class:`Forbidden` unless the role permits ``permission``."""
        if not self.can(permission):
            raise Forbidden(f"role '{self.role.value}' may not "
                            f"{permission.value.replace('_', ' ')}")

    def _whole_camera(self, camera: CameraPlace) -> bool:
        return self.everywhere or camera.site_id in self.site_ids

    def _grants_of(self, camera: CameraPlace) -> list[CameraGrant]:
        return [grant for grant in self.camera_grants if grant.camera_id == camera.camera_id]


def _grant_allows(grant: CameraGrant, permission: Permission, at: datetime) -> bool:
    """What a camera grant gives: live viewing in a window, footage until the archive
    closes; nothing else."""
    if permission is Permission.WATCH_LIVE:
        return grant.live_at(at) is not None
    if permission is Permission.VIEW_ARCHIVE:
        return grant.archive_open_at(at)
    return False


def load_scope(db: Session, user: User, at: datetime | None = None,
               sources: Iterable[GrantSource] = ()) -> Scope:
    """The user's scope at ``at`` (default: now), read from every source of scope: site
    grants, region grants, and the camera grants of ``sources`` (the composition root
    passes the supervision wing's assignments)."""
    moment = at or utcnow()
    if not user.is_active:
        return Scope.for_user(user, moment)
    site_ids = granted_site_ids(db, user.id) | region_site_ids(db, user.id)
    grants = [grant for source in sources for grant in source(db, user)]
    return Scope.for_user(user, moment, site_ids, grants)


def camera_in_scope(db: Session, scope: Scope, camera_id: int,
                    permission: Permission) -> Camera:
    """The camera, if it exists within the scope (:class:`NotFound` otherwise, saying
    neither) and the scope allows ``permission`` on it (:class:`Forbidden`)."""
    camera = db.get(Camera, camera_id)
    if camera is None or not scope.sees(CameraPlace.of(camera)):
        raise NotFound(f"camera {camera_id} does not exist or is not yours to see")
    if not scope.allows(permission, CameraPlace.of(camera)):
        raise scope.refusal(permission, camera_id)
    return camera


def cameras_within(db: Session, scope: Scope) -> list[Camera]:
    """The cameras within the scope whatever the permission or time (what the console
    lists), ordered by id."""
    return list(db.scalars(scope.cameras_query()))


def cameras_in_scope(db: Session, scope: Scope,
                     permissions: frozenset[Permission]) -> list[Camera]:
    """The cameras on which the scope allows any of ``permissions``, ordered by id."""
    return [camera for camera in db.scalars(scope.cameras_query())
            if scope.allows_any(permissions, CameraPlace.of(camera))]


def granted_site_ids(db: Session, user_id: int) -> frozenset[int]:
    """The sites granted to a user."""
    return frozenset(db.scalars(select(SiteGrant.site_id).where(SiteGrant.user_id == user_id)))


def region_site_ids(db: Session, user_id: int) -> frozenset[int]:
    """The sites of every organisation in a region granted to the user or below it (the
    region tree is walked by its stored parent links)."""
    tree = (select(RegionGrant.region_code.label("code"))
            .where(RegionGrant.user_id == user_id).cte("granted_regions", recursive=True))
    tree = tree.union(select(Region.code).where(Region.parent_code == tree.c.code))
    query = (select(Site.id).join(Organisation, Site.organisation_id == Organisation.id)
             .where(Organisation.region_code.in_(select(tree.c.code))))
    return frozenset(db.scalars(query))
