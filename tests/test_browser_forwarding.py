"""Chromium plays cameras' own H.264 forwarded by the server: the live page's videos get
pictures and play on while the server runs no playback encoder."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from support.browser import chromium
from support.console_checks import log_in, wait_js
from support.stack import PASSWORD, Stack
from support.wait import wait_until_sync

pytestmark = pytest.mark.browser

SOURCE = "testsrc://stamp?width=1280&height=720&fps=15"


def metrics(stack: Stack, token: str) -> str:
    return httpx.get(f"{stack.url}/metrics", headers={"Authorization": f"Bearer {token}"}).text


def value(text: str, name: str) -> float:
    match = re.search(rf"^{re.escape(name)} (\S+)$", text, re.MULTILINE)
    assert match, f"{name} not in metrics"
    return float(match.group(1))


def test_chromium_plays_forwarded_cameras_without_a_server_encoder(stack: Stack,
                                                                   tmp_path: Path) -> None:
    cameras = stack.site_a.camera_ids
    stack.start_agent({camera: SOURCE for camera in cameras},
                      camera_options={camera: {"gop_seconds": 4.0} for camera in cameras})
    admin = stack.login("admin")
    wait_until_sync(lambda: all(stack.camera_status(admin, c)["online"] for c in cameras), 20)
    with chromium(tmp_path / "profile") as browser:
        page = browser.new_page()
        log_in(page, stack.url, "sup_a", PASSWORD, "/live")
        for camera in cameras:
            wait_js(page, f"document.getElementById('video-{camera}')?.videoWidth > 0",
                    timeout=20)
            assert page.evaluate(f"document.getElementById('video-{camera}').videoWidth") == 1280
            start = page.evaluate(f"document.getElementById('video-{camera}').currentTime")
            wait_js(page, f"document.getElementById('video-{camera}').currentTime > {start + 1}",
                    timeout=15)
        text = metrics(stack, admin)
        assert value(text, "proctor_playback_encoders") == 0
        assert value(text, 'proctor_live_viewers{delivery="forwarded"}') == len(cameras)
        assert value(text, 'proctor_live_viewers{delivery="transcoded"}') == 0
