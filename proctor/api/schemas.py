"""Request and response bodies of the REST API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from proctor.api.params import EPOCH_MS_MAX, MAX_LIST, SHORT_TEXT, RowId
from proctor.api.schema_base import Body, FromRow, Span
from proctor.db.models import (
    AuditEntry,
    Camera,
    Device,
    LegalHold,
    Role,
    Room,
    Segment,
    Site,
    User,
)
from proctor.events.messages import AnalysisStatus
from proctor.media.feed import Stream
from proctor.recording.reports import UnreadableSegment
from proctor.rtc.ice import IceServer
from proctor.vision.scene import SceneSettings, ZoneCount


class SiteCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    organisation: str = Field(default="", max_length=200)
    address: str = Field(default="", max_length=500)


class SitePublic(FromRow[Site]):
    id: int
    name: str
    organisation: str
    address: str


class RoomCreate(BaseModel):
    site_id: RowId
    name: str = Field(min_length=1, max_length=200)


class RoomPublic(FromRow[Room]):
    id: int
    site_id: int
    name: str


class DeviceCreate(BaseModel):
    site_id: RowId
    name: str = Field(min_length=1, max_length=200)


class DevicePublic(FromRow[Device]):
    id: int
    site_id: int
    name: str
    is_active: bool
    last_seen_at: datetime | None


class DeviceEnrolled(BaseModel):
    """Returned once at enrollment or rotation: the token is never shown again."""

    device: DevicePublic
    token: str


class CameraCreate(BaseModel):
    room_id: RowId
    name: str = Field(min_length=1, max_length=200)
    device_id: RowId | None = None


class CameraPublic(FromRow[Camera]):
    id: int
    room_id: int
    device_id: int | None
    name: str


class LiveStatus(BaseModel):
    online: bool
    width: int | None
    height: int | None
    fps: float
    viewers: int
    streams: list[Stream] = Field(
        default_factory=list, description="the streams the camera's publisher sends, the one "
        "shown by default (and analysed) first; WHEP's ?stream= picks one")


class CameraView(BaseModel):
    """A camera as the console lists it, with where it is and whether it is live."""

    id: int
    name: str
    room: str
    site: str
    room_id: int
    site_id: int
    region_code: str | None = Field(default=None, description="the district (区县) of the "
                                    "site's organisation; null when the site has none")
    region: str | None = Field(default=None, description="that district's name")
    live: LiveStatus
    analysis: AnalysisStatus | None = Field(
        default=None, description="None when analysis is off or the camera was not sampled yet")


class UserCreate(BaseModel):
    username: str = Field(min_length=2, max_length=100, pattern=r"^[A-Za-z0-9_.@-]+$")
    password: str = Field(min_length=10, max_length=200)
    role: Role
    display_name: str = Field(default="", max_length=SHORT_TEXT)
    site_ids: list[RowId] = Field(default_factory=list, max_length=MAX_LIST)


class UserUpdate(Body):
    """What to change of a user; fields left out stay as they are."""

    display_name: str | None = Field(default=None, max_length=200)
    role: Role | None = None
    is_active: bool | None = Field(default=None, description="false: logs the user out "
                                   "everywhere and refuses their logins")
    site_ids: list[RowId] | None = Field(default=None, max_length=MAX_LIST,
                                         description="replaces the site grants")


class PasswordReset(BaseModel):
    """A new password set by an administrator (ends the user's sessions)."""

    password: str = Field(min_length=10, max_length=200)


class PasswordChange(BaseModel):
    """A user changing their own password (their other sessions end)."""

    current_password: str = Field(max_length=200)
    new_password: str = Field(min_length=10, max_length=200)


class UserPublic(FromRow[User]):
    id: int
    username: str
    display_name: str
    role: Role
    is_active: bool


class UserListed(UserPublic):
    """A user as administrators list them: with the sites granted (region grants are listed
    by /api/users/{id}/region-grants)."""

    site_ids: list[int]


class CurrentUserView(UserPublic):
    """The logged-in user and what their role lets them do (the console shows or hides
    actions by it; the server checks every request regardless)."""

    permissions: list[str]


class LoginRequest(BaseModel):
    username: str = Field(max_length=100)
    password: str = Field(max_length=200)


class LoginResponse(BaseModel):
    token: str
    user: UserPublic


class IceConfig(BaseModel):
    """What a browser passes to ``new RTCPeerConnection({iceServers})``."""

    ice_servers: list[IceServer]
    ice_transport_policy: str


class SegmentPublic(FromRow[Segment]):
    """An indexed segment (server-clock times)."""

    camera_id: int
    start_ms: int
    end_ms: int
    size: int
    sha256: str
    object_key: str
    version_id: str
    retain_until: datetime
    prev_hash: str
    chain_hash: str


class ServerTime(BaseModel):
    server_time_ms: float


class CameraRecordingStatus(BaseModel):
    recording: bool
    publishing: bool


class DeviceStatus(BaseModel):
    """What an edge agent reports about itself every 30 s."""

    spool_bytes: int = Field(ge=0)
    spool_max_bytes: int = Field(ge=0)
    pending_segments: int = Field(ge=0)
    oldest_pending_start_ms: int | None = None
    alarm: str | None = Field(default=None, max_length=2000)
    cameras: dict[str, CameraRecordingStatus] = Field(default_factory=dict)


class UnreadablePublic(FromRow[UnreadableSegment]):
    """A segment the index records but the store cannot give back."""

    segment_id: int
    start_ms: int
    end_ms: int
    reason: str = Field(description="starts 'recorded but unreadable: ' and says why")


class CoverageReport(BaseModel):
    camera_id: int
    start_ms: int
    end_ms: int
    complete: bool = Field(description="no gap, and (when the store was checked) nothing "
                           "recorded but unreadable")
    recorded_ms: int = Field(description="recorded time as the index has it")
    intervals: list[Span]
    gaps: list[Span]
    store_checked: bool = Field(default=False, description="the store was asked about each "
                                "segment (check_store=true)")
    unreadable: list[UnreadablePublic] = Field(
        default_factory=list, description="recorded but unreadable segments (store checked)")


class EvidenceRequest(BaseModel):
    """The window to export and why (the reason goes into the package and the audit log)."""

    from_ms: int = Field(ge=0, le=2**53)
    to_ms: int = Field(ge=0, le=2**53)
    pre_s: float = Field(default=0, ge=0, le=300)
    post_s: float = Field(default=0, ge=0, le=300)
    reason: str = Field(min_length=3, max_length=500, description="e.g. complaint number")


class LegalHoldCreate(BaseModel):
    from_ms: int = Field(ge=0, le=EPOCH_MS_MAX)
    to_ms: int = Field(ge=0, le=EPOCH_MS_MAX)
    reason: str = Field(min_length=3, max_length=500, description="e.g. complaint number")


class LegalHoldPublic(FromRow[LegalHold]):
    id: int
    camera_id: int
    from_ms: int
    to_ms: int
    reason: str
    placed_by: str
    placed_at: datetime
    lifted_by: str | None
    lifted_at: datetime | None
    segments_held: int | None = None


class SceneView(BaseModel):
    """A camera's scene settings and the origin of its tamper reference picture."""

    camera_id: int
    settings: SceneSettings
    reference_source: str | None = Field(description="operator, auto (first good picture) or none")
    reference_at: datetime | None


class SceneOccupancy(BaseModel):
    """A camera's latest analysed sample against its scene's zones (the people whose box
    centre lies in each); ``analysed`` false with no counts until a sample is analysed."""

    camera_id: int
    analysed: bool
    at: float | None = Field(description="sample time, epoch seconds")
    people: int | None = Field(description="everyone counted in the picture")
    expected: int | None
    zones: list[ZoneCount]


class AuditEntryPublic(FromRow[AuditEntry]):
    """One audit log entry, with its place in the hash chain (see docs/audit.md)."""

    id: int
    seq: int
    at: datetime
    actor: str
    action: str
    target: str
    detail: dict[str, object]
    prev_hash: str
    chain_hash: str


class SigningKeyPublic(BaseModel):
    """The public half of the evidence signing key."""

    algorithm: str
    public_key: str = Field(description="base64 of the raw key")
    fingerprint: str = Field(description="SHA-256 of the raw key, hex")
