"""The agent's TOML configuration (``proctor-edge run --config agent.toml``)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from proctor.rtc.ice import IceServer

SOURCE_SCHEMES = ("file", "rtsp", "rtsps", "v4l2", "testsrc")


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


class CameraConfig(_Strict):
    """One camera: its id on the server and where to read it."""

    id: int = Field(description="camera id on the server (`proctor admin camera list`)")
    source: str = Field(
        description="file:///path.mp4, rtsp://host/stream, v4l2:///dev/video0 or "
        "testsrc://stamp?width=1280&height=720&fps=15"
    )
    loop: bool = Field(default=True, description="files only: start over at the end")
    bitrate_kbps: int = Field(default=2000, gt=0, description="encoder bitrate for raw sources")
    gop_seconds: float = Field(default=1.0, gt=0, description="keyframe interval for raw sources")
    rtsp_transport: str = Field(default="tcp", description="tcp or udp")

    @field_validator("source")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        scheme = urlparse(value).scheme
        if scheme not in SOURCE_SCHEMES:
            raise ValueError(f"source scheme {scheme!r} not supported; use one of {SOURCE_SCHEMES}")
        return value


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
    cameras: list[CameraConfig] = Field(min_length=1)

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


def load_config(path: Path) -> AgentConfig:
    """Read and validate ``agent.toml``; raises :class:`ConfigError` with a readable message."""
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError as error:
        raise ConfigError(f"config file {path} does not exist") from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path} is not valid TOML: {error}") from error
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
    return config
