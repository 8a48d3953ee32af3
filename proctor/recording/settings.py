"""The recording settings section: the S3 store, uploads, retention, evidence and clip cache."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr

from proctor.core_settings import CoreSettings
from proctor.recording.retention import MIN_RETENTION_YEARS


class RecordingSettings(CoreSettings):
    """Where footage is kept and for how long; builds on the core section for ``data_dir``."""

    s3_endpoint: str = Field(
        default="", description="host:port of the S3 store; empty runs without recording"
    )
    s3_access_key: str = Field(default="", description="S3 access key of the server (the "
                               "runtime identity: objects, retention and legal holds only)")
    s3_secret_key: SecretStr = Field(default=SecretStr(""), description="S3 secret key")
    s3_admin_access_key: str = Field(
        default="", description="S3 access key that creates and configures the bucket "
        "(`proctor storage init`); empty: the server's own key does it (one identity)")
    s3_admin_secret_key: SecretStr = Field(default=SecretStr(""),
                                           description="secret of the admin S3 key")
    s3_runtime_identity: str = Field(
        default="proctor-server", description="name of the server's identity in the store: "
        "`proctor storage init` denies it deletes and bucket changes by bucket policy")
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

    @property
    def s3_admin_configured(self) -> bool:
        """Whether a separate admin key is set (least privilege: two identities)."""
        return bool(self.s3_admin_access_key)

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
