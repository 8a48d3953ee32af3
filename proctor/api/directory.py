"""Administration of sites, rooms, devices, cameras and users (admin role only)."""

from __future__ import annotations

from fastapi import status

from proctor import directory
from proctor.api.deps import CurrentUser, SessionDep, guarded_router
from proctor.api.params import Id
from proctor.api.schemas import (
    CameraCreate,
    CameraPublic,
    DeviceCreate,
    DeviceEnrolled,
    DevicePublic,
    PasswordReset,
    RoomCreate,
    RoomPublic,
    SiteCreate,
    SitePublic,
    UserCreate,
    UserListed,
    UserUpdate,
)
from proctor.auth.scope import Permission
from proctor.db.models import User

router = guarded_router("directory", Permission.MANAGE_DIRECTORY)
CREATED = status.HTTP_201_CREATED


def _actor(user: User) -> str:
    return f"user:{user.id}"


@router.post("/sites", status_code=CREATED)
def create_site(body: SiteCreate, db: SessionDep, user: CurrentUser) -> SitePublic:
    """Register an assessment site."""
    site = directory.create_site(db, _actor(user), body.name, body.organisation, body.address)
    return SitePublic.model_validate(site)


@router.get("/sites")
def list_sites(db: SessionDep) -> list[SitePublic]:
    """All sites."""
    return [SitePublic.model_validate(site) for site in directory.list_sites(db)]


@router.post("/rooms", status_code=CREATED)
def create_room(body: RoomCreate, db: SessionDep, user: CurrentUser) -> RoomPublic:
    """Add an exam room to a site."""
    room = directory.create_room(db, _actor(user), body.site_id, body.name)
    return RoomPublic.model_validate(room)


@router.get("/rooms")
def list_rooms(db: SessionDep) -> list[RoomPublic]:
    """All rooms."""
    return [RoomPublic.model_validate(room) for room in directory.list_rooms(db)]


@router.post("/devices", status_code=CREATED)
def enroll_device(body: DeviceCreate, db: SessionDep, user: CurrentUser) -> DeviceEnrolled:
    """Enroll an edge device; the response holds its token, shown only this once."""
    device, token = directory.create_device(db, _actor(user), body.site_id, body.name)
    return DeviceEnrolled(device=DevicePublic.model_validate(device), token=token)


@router.post("/devices/{device_id}/rotate-token")
def rotate_device_token(device_id: Id, db: SessionDep, user: CurrentUser) -> DeviceEnrolled:
    """Replace a device's token; the old one stops working at once, and the device's live
    streams end (it reconnects with the new token)."""
    token = directory.rotate_device_token(db, _actor(user), device_id)
    device = directory.get_device(db, device_id)
    return DeviceEnrolled(device=DevicePublic.model_validate(device), token=token)


@router.get("/devices")
def list_devices(db: SessionDep) -> list[DevicePublic]:
    """All devices (never their tokens)."""
    return [DevicePublic.model_validate(device) for device in directory.list_devices(db)]


@router.post("/cameras", status_code=CREATED)
def create_camera(body: CameraCreate, db: SessionDep, user: CurrentUser) -> CameraPublic:
    """Add a camera to a room, assigned to the device that publishes it."""
    camera = directory.create_camera(db, _actor(user), body.room_id, body.name, body.device_id)
    return CameraPublic.model_validate(camera)


@router.get("/cameras/all")
def list_all_cameras(db: SessionDep) -> list[CameraPublic]:
    """Every camera with its device assignment."""
    return [CameraPublic.model_validate(camera) for camera in directory.list_cameras(db)]


@router.post("/users", status_code=CREATED)
def create_user(body: UserCreate, db: SessionDep, user: CurrentUser) -> UserListed:
    """Create a user with a role and the sites they may see."""
    created = directory.create_user(
        db, _actor(user), body.username, body.password, body.role, body.display_name, body.site_ids
    )
    return UserListed.model_validate(created)


@router.get("/users")
def list_users(db: SessionDep) -> list[UserListed]:
    """All users, each with the sites granted."""
    return [UserListed.model_validate(listed) for listed in directory.list_users(db)]


@router.patch("/users/{user_id}")
def update_user(user_id: Id, body: UserUpdate, db: SessionDep, user: CurrentUser) -> UserListed:
    """Change a user's name, role, access or sites; deactivating logs them out everywhere
    and ends their live viewing, as does losing a camera's site. The last active
    administrator cannot be demoted or deactivated (409)."""
    changes = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}
    updated = UserListed.model_validate(directory.update_user(db, _actor(user), user_id,
                                                              **changes))
    return updated


@router.post("/users/{user_id}/password", status_code=status.HTTP_204_NO_CONTENT)
def reset_password(user_id: Id, body: PasswordReset, db: SessionDep, user: CurrentUser) -> None:
    """Set a user's password (e.g. they forgot it); all their sessions end, live viewing
    included."""
    directory.reset_password(db, _actor(user), user_id, body.password)
