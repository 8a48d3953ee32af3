"""The core settings section: deployment, secret, local state, HTTP binding and logging.

A leaf module: wings whose settings derive paths from ``data_dir`` build on
:class:`CoreSettings`, and nothing here imports the rest of the package.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

REPO_ROOT = Path(__file__).resolve().parent.parent
INSECURE_DEFAULT_SECRET = "changethis"


class CoreSettings(BaseModel):
    """Fields every deployment sets first; see docs/configuration.md."""

    model_config = ConfigDict(extra="forbid")

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
    max_json_body_bytes: int = Field(
        default=1 << 20, gt=0,
        description="largest request body outside segment, SDP and attachment uploads (413)")
    max_header_count: int = Field(default=100, gt=0, description="most request headers (431)")
    max_header_bytes: int = Field(
        default=16 * 1024, ge=4096,
        description="most bytes of request line and headers together (431; also the HTTP "
        "parser's buffer)")
    body_timeout_s: float = Field(
        default=30.0, gt=0, description="longest wait for the next part of a request body (408)")
    header_timeout_s: float = Field(
        default=20.0, gt=0,
        description="longest wait for a request's line and headers, from its first byte "
        "(408, connection closed)")

    @model_validator(mode="after")
    def _default_database_in_data_dir(self) -> CoreSettings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'proctor.db'}"
        return self

    @property
    def session_key(self) -> bytes:
        """The key console session tokens are hashed with (changing it logs everyone out)."""
        return self.secret_key.get_secret_value().encode()
