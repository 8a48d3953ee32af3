"""Server settings: ``PROCTOR_*`` environment variables, optionally a TOML file.

:class:`Settings` is composed of the wings' sections (core, auth, media, recording,
analysis, supervision). Each section is a mixin whose fields stay flat, so every field
still maps to ``PROCTOR_<NAME>`` and to a top-level TOML key. Wing code takes its own
section type and never imports this module; only the composition root (app, api, cli,
services) does.

Precedence (highest first): explicit arguments, environment, ``PROCTOR_CONFIG_FILE`` (TOML),
defaults. Settings are built by :func:`load_settings`, never at import time, so tests and
the CLI can construct their own.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from proctor.auth.secret_strength import weakness
from proctor.auth.settings import AuthSettings
from proctor.cluster.settings import ClusterSettings, cluster_refusal
from proctor.complaints.settings import ComplaintSettings
from proctor.core_settings import INSECURE_DEFAULT_SECRET, REPO_ROOT, CoreSettings
from proctor.media.settings import MediaSettings
from proctor.oversight.settings import OversightSettings
from proctor.recording.settings import RecordingSettings
from proctor.supervision.settings import SupervisionSettings
from proctor.vision.settings import AnalysisSettings

__all__ = ["REPO_ROOT", "Settings", "load_settings", "refuse_insecure_production_settings"]


# Fields are ordered from the last base to the first: core, auth, media, recording, analysis,
# supervision, complaints, oversight, cluster, as in docs/configuration.md.
class Settings(ClusterSettings, OversightSettings, ComplaintSettings, SupervisionSettings,
               AnalysisSettings, RecordingSettings, MediaSettings, AuthSettings, CoreSettings,
               BaseSettings):
    """Everything the server can be configured with. Each field maps to ``PROCTOR_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="PROCTOR_", extra="forbid")

    @model_validator(mode="after")
    def _refuse_insecure(self) -> Settings:
        if self.environment == "production":
            refuse_insecure_production_settings(self)
        refusal = cluster_refusal(self, self.database_url, self.analysis_workers)
        if refusal:
            raise ValueError(refusal)
        return self

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
    """Production must not run with the development secret, a weak one, or cookies sent over
    plain HTTP."""
    if settings.secret_key.get_secret_value() in ("", INSECURE_DEFAULT_SECRET):
        raise ValueError("PROCTOR_SECRET_KEY must be set in production (openssl rand -hex 32)")
    reason = weakness("PROCTOR_SECRET_KEY", settings.secret_key.get_secret_value())
    if reason:
        raise ValueError(reason)
    if not settings.cookie_secure:
        raise ValueError("PROCTOR_COOKIE_SECURE must be true in production (serve over HTTPS)")
    if "*" in settings.forwarded_allow_ips:
        raise ValueError("PROCTOR_FORWARDED_ALLOW_IPS must name the reverse proxy in "
                         "production, not *: any client could set its own address")


def load_settings(**overrides: Any) -> Settings:
    """Build settings from the environment, the optional TOML file and ``overrides``."""
    return Settings(**overrides)
