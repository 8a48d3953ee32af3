"""The agent's TOML configuration (edge_agent/config.py): daily windows, strict validation with
messages that name the field, the token given exactly once, paths relative to the file."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from edge_agent.config import ConfigError, DailyWindow, RecordingConfig, load_config

TOKEN = "pdt_1_" + "a" * 43
CAMERA = "[[cameras]]\nid = 1\nsource = 'file:///footage.mp4'\n"


def write(tmp_path: Path, text: str, name: str = "agent.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize("moment, inside", [
    (time(7, 29, 59), False), (time(7, 30), True), (time(12, 0), True),
    (time(17, 59, 59, 999_999), True), (time(18, 0), False),
])
def test_daytime_window_includes_its_start_and_excludes_its_end(moment: time,
                                                                inside: bool) -> None:
    assert DailyWindow.parse("07:30-18:00").contains(moment) is inside


@pytest.mark.parametrize("moment, inside", [
    (time(22, 0), True), (time(23, 59, 59), True), (time(0, 0), True), (time(5, 59), True),
    (time(6, 0), False), (time(21, 59), False), (time(12, 0), False),
])
def test_a_window_across_midnight(moment: time, inside: bool) -> None:
    assert DailyWindow.parse(" 22:00 - 06:00 ").contains(moment) is inside


@pytest.mark.parametrize("text, message", [
    ("07:30", "not HH:MM-HH:MM"), ("07:30-18:00-19:00", "not HH:MM-HH:MM"),
    ("25:00-26:00", "not HH:MM-HH:MM"), ("seven-eight", "not HH:MM-HH:MM"),
    ("", "not HH:MM-HH:MM"), ("08:00-08:00", "is empty"),
])
def test_bad_windows_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DailyWindow.parse(text)


def test_recording_window_is_validated_when_the_config_is_read() -> None:
    assert RecordingConfig().daily_window() is None
    assert RecordingConfig(window="08:00-17:00").daily_window() == DailyWindow(time(8), time(17))
    with pytest.raises(ValueError, match="is empty"):
        RecordingConfig(window="09:00-09:00")


def test_a_minimal_config_gets_safe_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, f"server_url = 'https://p.example'\n"
                                         f"token = '{TOKEN}'\n{CAMERA}"))
    assert config.device_token() == TOKEN and config.verify_tls
    assert config.ice_servers == [] and config.ice_host_addresses == []  # no public STUN
    assert config.recording.spool_dir == tmp_path.absolute() / "spool"  # next to the file
    assert config.cameras[0].loop and config.cameras[0].rtsp_transport == "tcp"


def test_token_from_a_file_is_stripped(tmp_path: Path) -> None:
    (tmp_path / "token").write_text(f"  {TOKEN}\n")
    config = load_config(write(tmp_path, f"server_url = 'https://p'\ntoken_file = "
                                         f"'{tmp_path / 'token'}'\n{CAMERA}"))
    assert config.device_token() == TOKEN


@pytest.mark.parametrize("body, message", [
    (f"server_url = 'https://p'\n{CAMERA}", "set exactly one of 'token' or 'token_file'"),
    (f"server_url = 'https://p'\ntoken = 'x'\ntoken_file = '/t'\n{CAMERA}", "exactly one"),
    ("server_url = 'https://p'\ntoken = 'x'\n", "cameras: Field required"),
    ("server_url = 'https://p'\ntoken = 'x'\ncameras = []\n",
     "cameras: List should have at least 1"),
    (f"server_url = 'https://p'\ntoken = 'x'\n{CAMERA}{CAMERA}", "camera ids must be unique"),
    ("server_url = 'https://p'\ntoken = 'x'\n[[cameras]]\nid = 1\nsource = 'http://cam/x'\n",
     "source scheme 'http' not supported"),
    (f"server_url = 'https://p'\ntoken = 'x'\nice_transport_policy = 'any'\n{CAMERA}",
     "ice_transport_policy"),
    (f"server_url = 'https://p'\ntoken = 'x'\nsurprise = 1\n{CAMERA}",
     "surprise: Extra inputs are not permitted"),
    (f"server_url = 'https://p'\ntoken = 'x'\n{CAMERA}[recording]\nsegment_seconds = 0.5\n",
     "recording.segment_seconds"),
    (f"server_url = 'https://p'\ntoken = 'x'\n{CAMERA}[recording]\nupload_kbps = -1\n",
     "recording.upload_kbps"),
    (f"server_url = 'https://p'\ntoken = 'x'\n{CAMERA}[recording]\nwindow = '8-9'\n",
     "recording.window"),
    (f"server_url = 'https://p'\ntoken = 'x'\n{CAMERA}[reconnect]\nmax_delay_s = 0\n",
     "reconnect.max_delay_s"),
])
def test_invalid_configs_name_the_field(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        load_config(write(tmp_path, body))
    assert str(tmp_path / "agent.toml") in str(caught.value)


def test_unreadable_files_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "missing.toml")
    with pytest.raises(ConfigError, match="is not valid TOML"):
        load_config(write(tmp_path, "server_url = 'unterminated\n"))
    with pytest.raises(ConfigError, match="token_file .* does not exist"):
        load_config(write(tmp_path, f"server_url = 'https://p'\ntoken_file = "
                                    f"'{tmp_path / 'nope'}'\n{CAMERA}"))


def test_invalid_utf8_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "agent.toml"
    path.write_bytes(b"server_url = '\xff\xfe'\n")
    with pytest.raises(ConfigError):
        load_config(path)
