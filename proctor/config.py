"""Server settings: ``PROCTOR_*`` environment variables, optionally a TOML file.

Precedence (highest first): explicit arguments, environment, ``PROCTOR_CONFIG_FILE`` (TOML),
defaults. Settings are built by :func:`load_settings`, never at import time, so tests and
the CLI can construct their own.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from proctor.auth.throttle import LoginLimits
from proctor.recording.retention import MIN_RETENTION_YEARS
from proctor.rtc.h264 import EncoderSettings
from proctor.rtc.ice import IceServer
from proctor.vision.rules import AnalysisRules
from proctor.vision.tamper import TamperThresholds

REPO_ROOT = Path(__file__).resolve().parent.parent
INSECURE_DEFAULT_SECRET = "changethis"


def _split_list(value: Any) -> Any:
    """Accept ``a,b`` as well as a JSON list for list settings given as strings."""
    if isinstance(value, str):
        value = value.strip()
        if value.startswith("["):
            import json

            return json.loads(value)
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


class Settings(BaseSettings):
    """Everything the server can be configured with. Each field maps to ``PROCTOR_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="PROCTOR_", extra="forbid")

    environment: Literal["development", "production"] = Field(
        default="development",
        description="production refuses insecure defaults (secret key, plain cookies)",
    )
    secret_key: SecretStr = Field(
        default=SecretStr(INSECURE_DEFAULT_SECRET),
        description="server secret; generate with `openssl rand -hex 32`",
    )
    data_dir: Path = Field(default=REPO_ROOT / "var", description="local state (SQLite, logs)")
    database_url: str = Field(
        default="", description="SQLAlchemy URL; default SQLite file in data_dir"
    )
    host: str = Field(default="127.0.0.1", description="HTTP bind address")
    port: int = Field(default=8000, ge=1, le=65535, description="HTTP port")
    web_dir: Path = Field(default=REPO_ROOT / "web", description="console templates and assets")
    log_level: str = Field(default="INFO", description="DEBUG, INFO, WARNING or ERROR")
    log_format: Literal["console", "json"] = Field(default="console", description="log style")

    session_ttl_hours: float = Field(default=12, gt=0, description="console login lifetime")
    login_max_failures: int = Field(
        default=5, ge=1, description="failed logins for one account from one address that "
        "pause its logins from there for the window")
    login_max_failures_per_address: int = Field(
        default=50, ge=1, description="failed logins from one address, any accounts, that "
        "pause all logins from there for the window")
    login_window_minutes: float = Field(
        default=15, gt=0, description="sliding window of the failed-login limits")
    forwarded_allow_ips: str = Field(
        default="127.0.0.1", description="reverse proxies whose X-Forwarded-For is believed "
        "(comma separated addresses or networks): set it to your proxy's address, or every "
        "client shares the proxy's address for the login limits and the audit log; never * "
        "(refused in production: any client could name its own address)")
    cookie_secure: bool = Field(default=False, description="send the session cookie over HTTPS only")
    metrics_token: SecretStr | None = Field(
        default=None, description="bearer token for /metrics; unset means admins only"
    )

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
    max_sdp_bytes: int = Field(default=64 * 1024, gt=0, description="largest accepted SDP offer")
    playback_preset: str = Field(default="ultrafast", description="libx264 preset for WHEP")
    playback_bitrate_kbps: int = Field(default=2500, gt=0, description="WHEP video bitrate")
    playback_gop_seconds: float = Field(default=1.0, gt=0, description="WHEP keyframe interval")
    camera_offline_after_s: float = Field(
        default=3.0, gt=0, description="a camera with no frame for this long is shown offline"
    )

    s3_endpoint: str = Field(
        default="", description="host:port of the S3 store; empty runs without recording"
    )
    s3_access_key: str = Field(default="", description="S3 access key of the server")
    s3_secret_key: SecretStr = Field(default=SecretStr(""), description="S3 secret key")
    s3_bucket: str = Field(default="proctor-footage", description="bucket (Object Lock enabled)")
    s3_secure: bool = Field(default=False, description="use HTTPS to reach the store")
    s3_region: str = Field(default="us-east-1", description="S3 region name")
    max_segment_bytes: int = Field(
        default=64 * 1024 * 1024, gt=0, description="largest accepted recording segment upload"
    )
    retention_years: int = Field(
        default=MIN_RETENTION_YEARS,
        ge=MIN_RETENTION_YEARS,
        description=f"COMPLIANCE retention of footage; at least {MIN_RETENTION_YEARS} years",
    )
    evidence_signing_key: Path | None = Field(
        default=None, description="Ed25519 key (PEM) that signs evidence packages; default "
        "data_dir/evidence-signing-key.pem, created on first start: back it up")
    clip_cache_gb: float = Field(
        default=20, gt=0, description="disk for assembled archive clips (data_dir/clips); the "
        "least recently viewed go first")

    analysis_enabled: bool = Field(
        default=True, description="count people and flag anomalies on live cameras"
    )
    analysis_fps: float = Field(
        default=1.0, gt=0, le=5, description="frames analysed per second and camera"
    )
    analysis_detector: dict[str, Any] = Field(
        default_factory=dict,
        description="detector config: type, model, imgsz, confidence, threads (docs/vision.md); "
        "default the measured fastest backend and the manifest's model",
    )
    analysis_rules: AnalysisRules = Field(
        default_factory=AnalysisRules,
        description='rule timings to change, e.g. {"seat_empty": {"hold_s": 120}} (docs/vision.md)',
    )
    analysis_tamper: TamperThresholds = Field(
        default_factory=TamperThresholds,
        description='tamper thresholds to change, e.g. {"defocus_ratio": 0.15} (docs/vision.md)',
    )
    analysis_timeout_s: float = Field(
        default=30.0, gt=0, description="a detector batch not answered by then counts as a crash"
    )
    analysis_restart_after_s: float = Field(
        default=10.0, gt=0, description="wait before restarting a crashed detector"
    )

    @field_validator("ice_host_addresses", mode="before")
    @classmethod
    def _parse_addresses(cls, value: Any) -> Any:
        return _split_list(value)

    @model_validator(mode="after")
    def _fill_defaults_and_refuse_insecure(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'proctor.db'}"
        if self.environment == "production":
            refuse_insecure_production_settings(self)
        return self

    @property
    def session_key(self) -> bytes:
        """The key console session tokens are hashed with (changing it logs everyone out)."""
        return self.secret_key.get_secret_value().encode()

    @property
    def evidence_signing_key_path(self) -> Path:
        """Where the evidence signing key is."""
        return self.evidence_signing_key or self.data_dir / "evidence-signing-key.pem"

    @property
    def clip_cache_dir(self) -> Path:
        """Where assembled clips (and evidence packages being sent) are kept."""
        return self.data_dir / "clips"

    @property
    def clip_cache_bytes(self) -> int:
        """The clip cache's disk budget in bytes."""
        return int(self.clip_cache_gb * 1e9)

    @property
    def login_limits(self) -> LoginLimits:
        """The failed-login limits (see :mod:`proctor.auth.throttle`)."""
        return LoginLimits(per_account_and_address=self.login_max_failures,
                           per_address=self.login_max_failures_per_address,
                           window=timedelta(minutes=self.login_window_minutes))

    @property
    def playback_encoder(self) -> EncoderSettings:
        """Encoder settings for the shared WHEP encoders."""
        return EncoderSettings(
            preset=self.playback_preset,
            bitrate_kbps=self.playback_bitrate_kbps,
            gop_seconds=self.playback_gop_seconds,
        )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = os.environ.get("PROCTOR_CONFIG_FILE")
        if config_file:
            if not Path(config_file).is_file():
                raise FileNotFoundError(
                    f"PROCTOR_CONFIG_FILE={config_file} does not exist; "
                    "create it or unset the variable"
                )
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=config_file))
        return tuple(sources)


def refuse_insecure_production_settings(settings: Settings) -> None:
    """Production must not run with the development secret or cookies sent over plain HTTP."""
    if settings.secret_key.get_secret_value() in ("", INSECURE_DEFAULT_SECRET):
        raise ValueError("PROCTOR_SECRET_KEY must be set in production (openssl rand -hex 32)")
    if not settings.cookie_secure:
        raise ValueError("PROCTOR_COOKIE_SECURE must be true in production (serve over HTTPS)")
    if "*" in settings.forwarded_allow_ips:
        raise ValueError("PROCTOR_FORWARDED_ALLOW_IPS must name the reverse proxy in "
                         "production, not *: any client could set its own address")


def load_settings(**overrides: Any) -> Settings:
    """Build settings from the environment, the optional TOML file and ``overrides``."""
    return Settings(**overrides)
