"""The media settings section: ICE, WHIP/WHEP sessions, the shared playback encoder, feeds."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_settings import NoDecode

from proctor.rtc.h264 import EncoderSettings
from proctor.rtc.ice import IceServer


def _split_list(value: Any) -> Any:
    """Accept ``a,b`` as well as a JSON list for list settings given as strings."""
    if isinstance(value, str):
        value = value.strip()
        if value.startswith("["):
            return json.loads(value)
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


class MediaSettings(BaseModel):
    """How cameras publish (WHIP) and supervisors watch (WHEP)."""

    model_config = ConfigDict(extra="forbid")

    ice_servers: list[IceServer] = Field(
        default_factory=list, description="STUN/TURN servers as a JSON list; default none"
    )
    ice_host_addresses: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="pin host ICE candidates to these addresses (e.g. 127.0.0.1); default all",
    )
    ice_transport_policy: Literal["all", "relay"] = Field(
        default="all", description="relay forces the server's own peers through TURN"
    )
    browser_ice_transport_policy: Literal["all", "relay"] = Field(
        default="all",
        description="policy handed to browsers; keep 'all' when the server relays, so the "
        "browser's own candidates can reach the server's relay address",
    )

    webrtc_setup_timeout_s: float = Field(
        default=20.0, gt=0, description="close a WHIP/WHEP session not connected by then"
    )
    max_whep_sessions_per_user: int = Field(
        default=64, gt=0, description="live views one user may have open at once, connected "
        "or not (429 past it); the live wall opens one per camera it shows"
    )
    max_sdp_bytes: int = Field(default=64 * 1024, gt=0, description="largest accepted SDP offer")
    forward_h264: bool = Field(
        default=True, description="send viewers the camera's own H.264 when they can decode "
        "it (no server decode or encode); false transcodes every viewer"
    )
    playback_preset: str = Field(default="ultrafast", description="libx264 preset for WHEP")
    playback_bitrate_kbps: int = Field(default=2500, gt=0, description="WHEP video bitrate")
    playback_gop_seconds: float = Field(default=1.0, gt=0, description="WHEP keyframe interval")
    camera_offline_after_s: float = Field(
        default=3.0, gt=0, description="a camera with no frame for this long is shown offline"
    )

    @field_validator("ice_host_addresses", mode="before")
    @classmethod
    def _parse_addresses(cls, value: Any) -> Any:
        return _split_list(value)

    @property
    def playback_encoder(self) -> EncoderSettings:
        """Encoder settings for the shared WHEP encoders."""
        return EncoderSettings(
            preset=self.playback_preset,
            bitrate_kbps=self.playback_bitrate_kbps,
            gop_seconds=self.playback_gop_seconds,
        )
