"""Server settings: environment, TOML file, list parsing, production refusals."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from pydantic import ValidationError

from proctor.auth.secret_strength import weakness
from proctor.auth.settings import AuthSettings
from proctor.cluster.settings import ClusterSettings
from proctor.complaints.settings import ComplaintSettings
from proctor.config import Settings, load_settings
from proctor.core_settings import CoreSettings
from proctor.media.settings import MediaSettings
from proctor.oversight.settings import OversightSettings
from proctor.recording.settings import RecordingSettings
from proctor.supervision.settings import SupervisionSettings
from proctor.vision.settings import AnalysisSettings

SECTIONS = (CoreSettings, AuthSettings, MediaSettings, RecordingSettings, AnalysisSettings,
            SupervisionSettings, ComplaintSettings, OversightSettings, ClusterSettings)

STRONG_SECRET = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


def test_defaults_are_safe_for_local_use(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path)
    assert settings.database_url == f"sqlite:///{tmp_path / 'proctor.db'}"
    assert settings.ice_servers == []  # never a public STUN server by default
    assert settings.ice_host_addresses == []
    assert settings.host == "127.0.0.1"


def test_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROCTOR_ICE_HOST_ADDRESSES", "127.0.0.1, ::1")
    monkeypatch.setenv("PROCTOR_ICE_SERVERS", '[{"urls": ["turn:turn.example.org:3478"], '
                       '"username": "u", "credential": "p"}]')
    monkeypatch.setenv("PROCTOR_PORT", "9001")
    settings = load_settings()
    assert settings.ice_host_addresses == ["127.0.0.1", "::1"]
    assert settings.ice_servers[0].urls == ["turn:turn.example.org:3478"]
    assert settings.port == 9001


def test_toml_config_file_below_environment(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "proctor.toml"
    config.write_text('port = 8100\nhost = "0.0.0.0"\nice_host_addresses = ["10.1.2.3"]\n')
    monkeypatch.setenv("PROCTOR_CONFIG_FILE", str(config))
    monkeypatch.setenv("PROCTOR_PORT", "8200")
    settings = load_settings()
    assert settings.host == "0.0.0.0"
    assert settings.port == 8200
    assert settings.ice_host_addresses == ["10.1.2.3"]


def test_missing_config_file_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROCTOR_CONFIG_FILE", "/nonexistent/proctor.toml")
    with pytest.raises(FileNotFoundError, match="/nonexistent/proctor.toml does not exist"):
        load_settings()


def test_unknown_setting_is_refused() -> None:
    with pytest.raises(ValidationError):
        load_settings(no_such_setting=1)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({}, "PROCTOR_SECRET_KEY must be set"),
        ({"secret_key": STRONG_SECRET}, "PROCTOR_COOKIE_SECURE must be true"),
        ({"secret_key": STRONG_SECRET, "cookie_secure": True, "forwarded_allow_ips": "*"},
         "PROCTOR_FORWARDED_ALLOW_IPS must name the reverse proxy"),
    ],
)
def test_production_refuses_insecure_defaults(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        load_settings(environment="production", **overrides)


@pytest.mark.parametrize(("secret", "message"), [
    ("x", "1 characters long: use at least 32"),
    ("a" * 64, "too predictable"),
    ("password" * 4, "repeats itself"),
    ("abcd" * 10, "repeats itself"),
])
def test_production_refuses_a_weak_secret_key(secret: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        load_settings(environment="production", secret_key=secret, cookie_secure=True)


def test_generated_secrets_are_accepted() -> None:
    for _ in range(2000):
        for secret in (secrets.token_hex(16), secrets.token_hex(32), secrets.token_urlsafe(32)):
            assert weakness("secret", secret) is None, secret


@pytest.mark.parametrize("token", ["t", "metrics" * 6])
def test_a_weak_metrics_token_is_refused(token: str) -> None:
    with pytest.raises(ValidationError, match="PROCTOR_METRICS_TOKEN"):
        load_settings(metrics_token=token)


def test_production_accepts_hardened_settings() -> None:
    settings = load_settings(environment="production", secret_key=STRONG_SECRET, cookie_secure=True)
    assert settings.environment == "production"


def test_settings_is_the_sections_fields_each_once() -> None:
    own = [set(section.model_fields) - (set(CoreSettings.model_fields)
                                        if section is not CoreSettings else set())
           for section in SECTIONS]
    assert all(issubclass(Settings, section) for section in SECTIONS)
    assert sum(len(fields) for fields in own) == len(Settings.model_fields)
    assert set().union(*own) == set(Settings.model_fields)


def test_one_node_needs_no_cluster_settings() -> None:
    settings = load_settings()
    assert not settings.clustered and settings.database_url.startswith("sqlite")


def test_several_nodes_refuse_sqlite_and_need_a_name_and_url() -> None:
    with pytest.raises(ValueError, match="PostgreSQL is required for more than one node"):
        load_settings(nats_url="nats://127.0.0.1:4222")
    postgres = "postgresql+psycopg://proctor@127.0.0.1:5432/proctor"
    with pytest.raises(ValueError, match="PROCTOR_NODE_ID and PROCTOR_NODE_URL must be set"):
        load_settings(nats_url="nats://127.0.0.1:4222", database_url=postgres)
    settings = load_settings(nats_url="nats://127.0.0.1:4222", database_url=postgres,
                             node_id="node-a", node_url="https://a.example:8443")
    assert settings.clustered and settings.max_cameras == 8


def test_section_fields_keep_flat_variable_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROCTOR_S3_ENDPOINT", "127.0.0.1:9000")
    monkeypatch.setenv("PROCTOR_ANALYSIS_FPS", "2.5")
    monkeypatch.setenv("PROCTOR_PUBLICITY_WORKING_DAYS", "3")
    settings = load_settings()
    assert settings.s3_endpoint == "127.0.0.1:9000"
    assert settings.analysis_fps == 2.5
    assert settings.deadline_rules().publicity_days == 3


def test_a_wing_builds_its_section_alone(tmp_path: Path) -> None:
    recording = RecordingSettings(data_dir=tmp_path, clip_cache_gb=0.5)
    assert recording.clip_cache_dir == tmp_path / "clips"
    assert recording.clip_cache_bytes == 500_000_000
    assert recording.evidence_signing_key_path == tmp_path / "evidence-signing-key.pem"
    media = MediaSettings.model_validate({"ice_host_addresses": "127.0.0.1, ::1"})
    assert media.ice_host_addresses == ["127.0.0.1", "::1"]
    with pytest.raises(ValidationError):
        AuthSettings.model_validate({"s3_endpoint": "x"})  # another section's field
