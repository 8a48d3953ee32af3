"""The configuration reference lists every setting the code accepts."""

from __future__ import annotations

from edge_agent.config import AgentConfig, CameraConfig, ReconnectConfig, RecordingConfig
from proctor.config import REPO_ROOT, Settings

DOC = (REPO_ROOT / "docs" / "configuration.md").read_text()


def test_every_server_setting_is_documented() -> None:
    missing = [n for n in Settings.model_fields if f"`PROCTOR_{n.upper()}`" not in DOC]
    assert not missing, f"add to docs/configuration.md: {missing}"


def test_every_agent_setting_is_documented() -> None:
    fields = [*AgentConfig.model_fields, *ReconnectConfig.model_fields,
              *CameraConfig.model_fields, *RecordingConfig.model_fields]
    missing = [n for n in fields if f"`{n}`" not in DOC]
    assert not missing, f"add to docs/configuration.md: {missing}"
