"""Camera look-ups that enforce who may act on a camera: its device, or users in scope."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends

from proctor.api.deps import CurrentDevice, CurrentScope, SessionDep
from proctor.auth.scope import Permission, camera_in_scope
from proctor.db.models import Camera
from proctor.errors import Forbidden, NotFound


def publishable_camera(camera_id: int, device: CurrentDevice, db: SessionDep) -> Camera:
    """The camera, if it exists (404) and belongs to the calling device (403)."""
    camera = db.get(Camera, camera_id)
    if camera is None:
        raise NotFound(f"camera {camera_id} does not exist")
    if camera.device_id != device.id:
        raise Forbidden(f"device {device.id} may not publish camera {camera_id}: "
                        "it is assigned to another device (see `proctor admin camera list`)")
    return camera


PublishableCamera = Annotated[Camera, Depends(publishable_camera)]


def _camera_for(permission: Permission) -> Callable[[int, CurrentScope, SessionDep], Camera]:
    def dependency(camera_id: int, scope: CurrentScope, db: SessionDep) -> Camera:
        return camera_in_scope(db, scope, camera_id, permission)

    return dependency


WatchableCamera = Annotated[Camera, Depends(_camera_for(Permission.WATCH_LIVE))]
ArchiveCamera = Annotated[Camera, Depends(_camera_for(Permission.VIEW_ARCHIVE))]
EvidenceCamera = Annotated[Camera, Depends(_camera_for(Permission.EXPORT_EVIDENCE))]
SceneCamera = Annotated[Camera, Depends(_camera_for(Permission.MANAGE_DIRECTORY))]
