"""The agent's TOML configuration (``proctor-edge run --config agent.toml``)."""

from __future__ import annotations

import logging
import tomllib
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Any, Literal, TypeAlias
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from proctor.rtc.ice import IceServer

logger = logging.getLogger(__name__)

SOURCE_SCHEMES = ("file", "rtsp", "rtsps", "v4l2", "testsrc")
LiveStreams: TypeAlias = Literal["sub", "both"]


class ConfigError(Exception):
    """The configuration file is missing or invalid; the message says where and why."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReconnectConfig(_Strict):
    """How the agent retries when the server or the link goes away."""

    initial_delay_s: float = Field(default=0.5, gt=0, description="first retry delay")
    max_delay_s: float = Field(
        default=2.0, gt=0, description="retry delay cap; keep small so video resumes quickly"
    )
    refused_delay_s: float = Field(
        default=30.0, gt=0, description="retry delay after the server refused us (401/403/404)"
    )
    rtcp_timeout_s: float = Field(
        default=3.0, gt=0, description="no receiver report for this long means the server is gone"
    )
    connect_timeout_s: float = Field(default=10.0, gt=0, description="ICE+DTLS connect limit")


@dataclass(frozen=True)
class DailyWindow:
    """A daily local-time window such as ``07:30-18:00``; ``22:00-06:00`` spans midnight."""

    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> DailyWindow:
        """Parse ``HH:MM-HH:MM``; raises ValueError saying what is wrong."""
        try:
            start, end = (time.fromisoformat(part.strip()) for part in text.split("-"))
        except ValueError as error:
            raise ValueError(f"window {text!r} is not HH:MM-HH:MM (e.g. 07:30-18:00)") from error
        if start == end:
            raise ValueError(f"window {text!r} is empty; leave `window` unset to record always")
        return cls(start, end)

    def contains(self, moment: time) -> bool:
        """Whether ``moment`` (local time of day) falls inside the window."""
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end


class RecordingConfig(_Strict):
    """The authoritative recording: segments spooled on disk, uploaded store-and-forward."""

    segment_seconds: float = Field(
        default=10.0, ge=1.0, le=300.0,
        description="segment length; a segment is cut at the first keyframe after it",
    )
    window: str | None = Field(
        default=None, description="daily local-time window to record, e.g. 07:30-18:00; "
        "unset records whenever the camera runs",
    )
    spool_dir: Path = Field(default=Path("spool"), description="where segments wait for upload")
    spool_max_bytes: int = Field(
        default=20 * 1024**3, gt=0,
        description="alarm threshold; unsent segments are never deleted to stay under it",
    )
    upload_kbps: int = Field(
        default=8000, gt=0, description="upload rate cap, so the backlog does not starve live video"
    )

    @field_validator("window")
    @classmethod
    def _valid_window(cls, value: str | None) -> str | None:
        if value is not None:
            DailyWindow.parse(value)
        return value

    def daily_window(self) -> DailyWindow | None:
        """The parsed ``window``, or None to record always."""
        return DailyWindow.parse(self.window) if self.window else None


class CameraConfig(_Strict):
    """One camera: its id on the server and where to read it."""

    id: int = Field(description="camera id on the server (`proctor admin camera list`)")
    source: str = Field(
        description="file:///path.mp4, rtsp://host/stream, v4l2:///dev/video0 or "
        "testsrc://stamp?width=1280&height=720&fps=15"
    )
    loop: bool = Field(default=True, description="files only: start over at the end")
    bitrate_kbps: int | None = Field(
        default=None, gt=0, description="encoder bitrate for raw sources; unset derives it from "
        "the source's size and frame rate (see edge_agent.encoding)",
    )
    gop_seconds: float = Field(
        default=1.0, gt=0, description="keyframe interval for raw sources, in seconds of the "
        "source's own frame rate",
    )
    rtsp_transport: str = Field(default="tcp", description="tcp or udp")
    sub_source: str | None = Field(
        default=None, description="the camera's sub stream (e.g. RTSP channel 102), same "
        "schemes as `source`; the main stream is always the one recorded",
    )
    live: LiveStreams = Field(
        default="sub", description="with a sub_source: `sub` publishes only the sub stream "
        "live; `both` publishes sub and main as two tracks of one WHIP session",
    )

    @field_validator("source", "sub_source")
    @classmethod
    def _known_scheme(cls, value: str | None) -> str | None:
        scheme = urlparse(value).scheme if value is not None else SOURCE_SCHEMES[0]
        if scheme not in SOURCE_SCHEMES:
            raise ValueError(f"source scheme {scheme!r} not supported; use one of {SOURCE_SCHEMES}")
        return value

    @model_validator(mode="after")
    def _live_needs_a_sub_stream(self) -> CameraConfig:
        if self.live == "both" and self.sub_source is None:
            raise ValueError("live = 'both' needs a sub_source; without one the main stream "
                             "is published")
        return self

    def sub_stream(self) -> CameraConfig | None:
        """The sub stream as a camera of its own (same id and settings), if there is one."""
        if self.sub_source is None:
            return None
        return self.model_copy(update={"source": self.sub_source, "sub_source": None,
                                       "bitrate_kbps": None})


class DetectionConfig(_Strict):
    """Detection at the edge (``[detection]``; needs the vision extra and a pulled model):
    the agent detects on its cameras' key frames and sends observations to the server."""

    fps: float = Field(default=1.0, gt=0, le=5,
                       description="samples per second and camera (at most one per key frame)")
    detector: dict[str, Any] = Field(
        default_factory=dict, description="as PROCTOR_ANALYSIS_DETECTOR: type, model, imgsz, "
        "confidence, threads; default the fastest backend and the manifest's model")


class AgentConfig(_Strict):
    """Everything the agent needs: where the server is, who we are, which cameras to read."""

    server_url: str = Field(description="e.g. https://proctor.example.org")
    token: str | None = Field(default=None, description="device token from enrollment")
    token_file: Path | None = Field(default=None, description="file holding the device token")
    verify_tls: bool = Field(default=True, description="verify the server's certificate")
    ice_servers: list[IceServer] = Field(default_factory=list, description="STUN/TURN servers")
    ice_host_addresses: list[str] = Field(
        default_factory=list, description="pin host ICE candidates (e.g. 127.0.0.1)"
    )
    ice_transport_policy: str = Field(default="all", pattern="^(all|relay)$")
    reconnect: ReconnectConfig = Field(default_factory=ReconnectConfig)
    recording: RecordingConfig = Field(
        default_factory=RecordingConfig, description="segment recording, spool and upload"
    )
    cameras: list[CameraConfig] = Field(min_length=1)
    detection: DetectionConfig | None = Field(
        default=None, description="detect at the edge (docs/vision.md); unset: the server "
        "analyses the video")

    @model_validator(mode="after")
    def _token_given_once(self) -> AgentConfig:
        if (self.token is None) == (self.token_file is None):
            raise ValueError("set exactly one of 'token' or 'token_file'")
        ids = [camera.id for camera in self.cameras]
        if len(ids) != len(set(ids)):
            raise ValueError(f"camera ids must be unique, got {ids}")
        return self

    def device_token(self) -> str:
        """The token, read from ``token_file`` if that is how it was given."""
        if self.token is not None:
            return self.token
        assert self.token_file is not None
        return self.token_file.read_text().strip()


def warn_if_readable_by_others(path: Path) -> None:
    """Log a warning when the file holding the device token is open to other users."""
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        logger.warning("%s holds the device token but has mode %o: other users can read it; "
                       "run chmod 600 %s", path, mode, path)


def load_config(path: Path) -> AgentConfig:
    """Read and validate ``agent.toml``; raises :class:`ConfigError` with a readable message."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise ConfigError(f"config file {path} does not exist") from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path} is not valid TOML: {error}") from error
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path} is not UTF-8 text ({error.reason} at byte {error.start}): "
                          "save it as UTF-8") from error
    try:
        config = AgentConfig.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(top level)'}: {e['msg']}"
            for e in error.errors()
        )
        raise ConfigError(f"{path}: {problems}") from error
    if config.token_file is not None and not config.token_file.is_file():
        raise ConfigError(f"{path}: token_file {config.token_file} does not exist")
    warn_if_readable_by_others(config.token_file or path)
    # a relative spool is next to the config file, not wherever the agent happened to start
    config.recording.spool_dir = path.parent.absolute() / config.recording.spool_dir
    return config
