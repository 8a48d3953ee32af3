"""The live wall's 主码流/子码流 switch in Chromium: a real agent publishes a camera's sub
(768x432) and main (1280x720) streams (``live = "both"``); the tile plays the sub stream by
default, and the switch moves it to the main stream and back, each forwarded by the server."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.browser import chromium
from support.console_checks import log_in, wait_js
from support.stack import PASSWORD, Stack
from support.wait import wait_until_sync

pytestmark = pytest.mark.browser

MAIN = "testsrc://stamp?width=1280&height=720&fps=15"
SUB = "testsrc://stamp?width=768&height=432&fps=15"  # the pattern needs 768 wide


def test_the_stream_switch_plays_main_then_sub(stack: Stack, tmp_path: Path) -> None:
    camera = stack.site_a.camera_ids[0]
    stack.start_agent({camera: MAIN}, camera_options={camera: {"sub_source": SUB,
                                                               "live": "both"}})
    admin = stack.login("admin")
    wait_until_sync(lambda: stack.camera_status(admin, camera)["streams"] == ["sub", "main"], 20)
    video = f"document.getElementById('video-{camera}')"
    tile = f"document.querySelector('.camera-card[data-camera-id=\"{camera}\"]')"
    with chromium(tmp_path / "profile") as browser:
        page = browser.new_page()
        log_in(page, stack.url, "sup_a", PASSWORD, "/live")
        wait_js(page, f"{video}?.videoWidth === 768", timeout=20)
        switch = page.locator(f'.camera-card[data-camera-id="{camera}"] .stream-switch')
        assert switch.is_visible()
        assert switch.locator('[data-stream="sub"]').get_attribute("aria-pressed") == "true"
        switch.locator('[data-stream="main"]').click()
        wait_js(page, f"{video}.videoWidth === 1280", timeout=20)
        start = page.evaluate(f"{video}.currentTime")
        wait_js(page, f"{video}.currentTime > {start + 1}", timeout=15)  # it plays on
        assert switch.locator('[data-stream="main"]').get_attribute("aria-pressed") == "true"
        assert page.evaluate(f"{tile}.dataset.state") == "connected"
        log = (stack.data_dir / "server.log").read_text()  # the wall's other cameras are off
        for stream in ("sub", "main"):
            assert f"viewer connected to the {stream} stream, forwarded" in log
        switch.locator('[data-stream="sub"]').click()
        wait_js(page, f"{video}.videoWidth === 768", timeout=20)
