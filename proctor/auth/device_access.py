"""What an edge device may act on: the cameras assigned to it (it publishes and records
them), and nothing else."""

from __future__ import annotations

from sqlalchemy.orm import Session

from proctor.db.models import Camera
from proctor.errors import NotFound


def camera_of_device(db: Session, device_id: int, camera_id: int) -> Camera:
    """The camera, if it exists and is assigned to the device; :class:`NotFound` otherwise,
    the same for both, so a device cannot learn which other cameras exist."""
    camera = db.get(Camera, camera_id)
    if camera is None or camera.device_id != device_id:
        raise NotFound(f"camera {camera_id} does not exist or is not assigned to device "
                       f"{device_id} (see `proctor admin camera list`)")
    return camera
