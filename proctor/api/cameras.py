"""What the console needs to show live video: visible cameras and the ICE configuration."""

from __future__ import annotations

from fastapi import APIRouter

from proctor.api.deps import (
    AnalyzerDep,
    CurrentScope,
    CurrentUser,
    MediaDep,
    SessionDep,
    SettingsDep,
)
from proctor.api.schemas import CameraView, IceConfig, LiveStatus
from proctor.auth.scope import CameraPlace, Permission, cameras_within
from proctor.events.messages import AnalysisStatus
from proctor.organisations.regions import site_districts

router = APIRouter(prefix="/api", tags=["live"])


@router.get("/cameras")
def list_visible_cameras(db: SessionDep, scope: CurrentScope, media: MediaDep,
                         analyzer: AnalyzerDep) -> list[CameraView]:
    """The cameras the user may see, where they are (down to the district), with their
    live and analysis status."""
    views = []
    cameras = cameras_within(db, scope)
    districts = site_districts(db, {camera.room.site_id for camera in cameras})
    for camera in cameras:
        district = districts.get(camera.room.site_id)
        status = media.status(camera.id)
        # the live count is live information: only for users who may watch the camera
        analysis = analyzer.camera_state(camera.id) \
            if analyzer is not None \
            and scope.allows(Permission.WATCH_LIVE, CameraPlace.of(camera)) else None
        views.append(
            CameraView(
                id=camera.id,
                name=camera.name,
                room=camera.room.name,
                site=camera.room.site.name,
                room_id=camera.room_id,
                site_id=camera.room.site_id,
                region_code=district.code if district else None,
                region=district.name if district else None,
                live=LiveStatus(
                    online=status.online,
                    width=status.width,
                    height=status.height,
                    fps=status.fps,
                    viewers=media.playback.viewer_count(camera.id),
                    streams=list(media.streams(camera.id)),
                ),
                analysis=AnalysisStatus.model_validate(analysis, from_attributes=True)
                if analysis else None,
            )
        )
    return views


@router.get("/ice-config")
def ice_config(user: CurrentUser, settings: SettingsDep) -> IceConfig:
    """ICE servers for the browser's peer connection (TURN credentials for logged-in users)."""
    return IceConfig(
        ice_servers=settings.ice_servers,
        ice_transport_policy=settings.browser_ice_transport_policy,
    )
