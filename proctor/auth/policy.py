"""Who may do what: one table of permissions per role, and site scope for non-admins.

Administrators act on everything. Other roles act only within the sites granted to them
(later also the batches they are drawn for).
"""

from __future__ import annotations

import enum

from sqlalchemy import Select, select

from proctor.db.models import Camera, Role, Room, SiteGrant, User


class Permission(str, enum.Enum):
    """An action a user can be allowed to take."""

    MANAGE_DIRECTORY = "manage_directory"  # sites, rooms, cameras, devices, users
    WATCH_LIVE = "watch_live"
    VIEW_ARCHIVE = "view_archive"  # coverage, clips, thumbnails
    EXPORT_EVIDENCE = "export_evidence"  # evidence packages, legal holds
    READ_AUDIT_LOG = "read_audit_log"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.SUPERVISOR: frozenset({Permission.WATCH_LIVE, Permission.VIEW_ARCHIVE}),
    Role.ORG_OPERATOR: frozenset({Permission.WATCH_LIVE}),
    Role.COMPLAINT_OFFICER: frozenset({Permission.VIEW_ARCHIVE, Permission.EXPORT_EVIDENCE}),
    Role.AUDITOR: frozenset({Permission.READ_AUDIT_LOG, Permission.VIEW_ARCHIVE}),
}


def has_permission(user: User, permission: Permission) -> bool:
    """Whether the user's role grants ``permission`` (scope is checked separately)."""
    return user.is_active and permission in ROLE_PERMISSIONS[user.role]


def visible_cameras_query(user: User) -> Select[Camera]:
    """Cameras the user may see: all for admins, those of granted sites for others."""
    query = select(Camera).join(Room).order_by(Camera.id)
    if user.role is Role.ADMIN:
        return query
    granted = select(SiteGrant.site_id).where(SiteGrant.user_id == user.id)
    return query.where(Room.site_id.in_(granted))


def can_access_camera(user: User, camera: Camera, permission: Permission) -> bool:
    """Whether the user's role grants ``permission`` and the camera is in the user's scope."""
    if not has_permission(user, permission):
        return False
    if user.role is Role.ADMIN:
        return True
    return any(grant.site_id == camera.room.site_id for grant in user.site_grants)


def can_watch_camera(user: User, camera: Camera) -> bool:
    """Whether the user may watch this camera live."""
    return can_access_camera(user, camera, Permission.WATCH_LIVE)


def can_see_events(user: User, camera: Camera) -> bool:
    """Whether the user may see the camera's events: live watchers and archive viewers."""
    return (can_access_camera(user, camera, Permission.WATCH_LIVE)
            or can_access_camera(user, camera, Permission.VIEW_ARCHIVE))
