"""Camera look-ups that enforce who may act on a camera: its device, or users in scope."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, status

from proctor.api.deps import CurrentDevice, CurrentUser, SessionDep
from proctor.auth.policy import Permission, can_access_camera, can_watch_camera
from proctor.db.models import Camera


def publishable_camera(camera_id: int, device: CurrentDevice, db: SessionDep) -> Camera:
    """The camera, if it exists (404) and belongs to the calling device (403)."""
    camera = db.get(Camera, camera_id)
    if camera is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"camera {camera_id} does not exist")
    if camera.device_id != device.id:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail=f"device {device.id} may not publish camera {camera_id}: "
            "it is assigned to another device (see `proctor admin camera list`)",
        )
    return camera


PublishableCamera = Annotated[Camera, Depends(publishable_camera)]


def watchable_camera(camera_id: int, user: CurrentUser, db: SessionDep) -> Camera:
    """The camera, if it exists (404) and the user may watch it (403)."""
    camera = db.get(Camera, camera_id)
    if camera is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"camera {camera_id} does not exist")
    if not can_watch_camera(user, camera):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail=f"user '{user.username}' may not watch camera {camera_id}",
        )
    return camera


WatchableCamera = Annotated[Camera, Depends(watchable_camera)]


def _camera_for(permission: Permission, action: str):  # type: ignore[no-untyped-def]
    def dependency(camera_id: int, user: CurrentUser, db: SessionDep) -> Camera:
        camera = db.get(Camera, camera_id)
        if camera is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND,
                                detail=f"camera {camera_id} does not exist")
        if not can_access_camera(user, camera, permission):
            raise HTTPException(status.HTTP_403_FORBIDDEN,
                                detail=f"user '{user.username}' may not {action} of camera {camera_id}")
        return camera

    return dependency


ArchiveCamera = Annotated[Camera, Depends(_camera_for(Permission.VIEW_ARCHIVE, "view recordings"))]
EvidenceCamera = Annotated[
    Camera, Depends(_camera_for(Permission.EXPORT_EVIDENCE, "export or hold recordings"))
]
SceneCamera = Annotated[
    Camera, Depends(_camera_for(Permission.MANAGE_DIRECTORY, "change the scene settings"))
]
