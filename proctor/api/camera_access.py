"""Camera look-ups that enforce who may act on a camera: its device, or users in scope."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Annotated

from fastapi import Depends

from proctor.api.deps import CurrentDevice, CurrentScope, SessionDep
from proctor.api.params import Id
from proctor.auth.device_access import camera_of_device
from proctor.auth.scope import CameraPlace, Permission, camera_in_scope
from proctor.db.models import Camera
from proctor.db.session import release_connection


def publishable_camera(camera_id: Id, device: CurrentDevice, db: SessionDep) -> Camera:
    """The camera, if it exists and belongs to the calling device (404 for both alike);
    the connection handed back (see :func:`proctor.api.deps.get_current_user`)."""
    camera = camera_of_device(db, device.id, camera_id)
    release_connection(db)
    return camera


PublishableCamera = Annotated[Camera, Depends(publishable_camera)]


def _camera_for(permission: Permission) -> Callable[[Id, CurrentScope, SessionDep], Camera]:
    def dependency(camera_id: Id, scope: CurrentScope, db: SessionDep) -> Camera:
        camera = camera_in_scope(db, scope, camera_id, permission)
        release_connection(db)  # see proctor.api.deps.get_current_user
        return camera

    return dependency


WatchableCamera = Annotated[Camera, Depends(_camera_for(Permission.WATCH_LIVE))]
ArchiveCamera = Annotated[Camera, Depends(_camera_for(Permission.VIEW_ARCHIVE))]
EvidenceCamera = Annotated[Camera, Depends(_camera_for(Permission.EXPORT_EVIDENCE))]
SceneCamera = Annotated[Camera, Depends(_camera_for(Permission.MANAGE_DIRECTORY))]


FootageCheck = Callable[[int, int], None]


def _archive_footage(camera: ArchiveCamera, scope: CurrentScope) -> FootageCheck:
    """A check that the footage ``start_ms..end_ms`` of the archive camera is within what
    the caller may view (a drawn supervisor: the granted windows; 403 naming them)."""
    return partial(scope.require_footage, CameraPlace.of(camera))


ArchiveFootage = Annotated[FootageCheck, Depends(_archive_footage)]
