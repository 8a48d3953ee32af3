"""What an edge device may act on: the cameras assigned to it (it publishes and records
them), and nothing else."""

from __future__ import annotations

from sqlalchemy.orm import Session

from proctor.db.models import Camera
from proctor.errors import Forbidden, NotFound


def camera_of_device(db: Session, device_id: int, camera_id: int) -> Camera:
    """The camera, if it exists (:class:`NotFound`) and is assigned to the device
    (:class:`Forbidden`)."""
    camera = db.get(Camera, camera_id)
    if camera is None:
        raise NotFound(f"camera {camera_id} does not exist")
    if camera.device_id != device_id:
        raise Forbidden(f"device {device_id} may not publish camera {camera_id}: "
                        "it is assigned to another device (see `proctor admin camera list`)")
    return camera
