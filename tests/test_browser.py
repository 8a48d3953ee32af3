"""A real browser: the live page plays real footage over WHEP; Chromium publishes over WHIP."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.browser import chromium
from support.console_checks import wait_js
from support.stack import PASSWORD, Stack
from support.wait import wait_until_sync

pytestmark = pytest.mark.browser

PUBLISH_JS = """
async ([cameraId, token]) => {
  const stream = await navigator.mediaDevices.getUserMedia(
      {video: {width: 1280, height: 720, frameRate: 15}});
  const pc = new RTCPeerConnection({iceServers: []});
  const transceiver = pc.addTransceiver(stream.getVideoTracks()[0], {direction: 'sendonly'});
  const params = transceiver.sender.getParameters();
  params.degradationPreference = 'maintain-resolution';
  await transceiver.sender.setParameters(params);
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise(resolve => {
    if (pc.iceGatheringState === 'complete') return resolve();
    pc.addEventListener('icegatheringstatechange',
        () => pc.iceGatheringState === 'complete' && resolve());
  });
  const response = await fetch(`/whip/${cameraId}`, {method: 'POST', body: pc.localDescription.sdp,
      headers: {'Content-Type': 'application/sdp', 'Authorization': `Bearer ${token}`}});
  if (response.status !== 201) return `refused ${response.status}: ${await response.text()}`;
  await pc.setRemoteDescription({type: 'answer', sdp: await response.text()});
  window.publisher = pc;
  return response.headers.get('Location');
}
"""

VIDEO_STATE_JS = """
(id) => { const v = document.getElementById(`video-${id}`);
          return v ? {w: v.videoWidth, h: v.videoHeight, t: v.currentTime} : null; }
"""


def test_supervisor_logs_in_and_watches_live(stack: Stack, h264_footage: Path, raw_footage: Path,
                                             tmp_path: Path) -> None:
    cam_a, cam_b = stack.site_a.camera_ids
    stack.start_agent({cam_a: h264_footage.as_uri(), cam_b: raw_footage.as_uri()})
    with chromium(tmp_path / "profile") as browser:
        page = browser.new_page()
        page.goto(f"{stack.url}/live")
        page.wait_for_url("**/login**")  # not logged in: sent to the login form
        page.fill("#username", "sup_a")
        page.fill("#password", "wrong password")
        page.click("#login-button")
        page.wait_for_selector("#login-error:has-text('wrong username or password')")
        page.fill("#password", PASSWORD)
        page.click("#login-button")
        page.wait_for_url("**/live")
        cards = page.locator(".camera-card")
        cards.first.wait_for()
        # sup_a sees only site A's two cameras, not site B's
        assert sorted(int(c) for c in cards.evaluate_all(
            "els => els.map(e => e.dataset.cameraId)")) == sorted([cam_a, cam_b])
        for camera in (cam_a, cam_b):
            wait_js(page, f"document.getElementById('video-{camera}')?.videoWidth > 0",
                                   timeout=20)
            first = page.evaluate(VIDEO_STATE_JS, camera)
            assert (first["w"], first["h"]) == (768, 576)
            # the video plays on: its clock advances by more than half a second
            wait_js(page,
                f"document.getElementById('video-{camera}').currentTime > {first['t'] + 0.5}",
                timeout=10)


def test_chromium_publishes_its_fake_camera_over_whip(stack: Stack, tmp_path: Path) -> None:
    camera = stack.site_a.camera_ids[0]
    admin = stack.login("admin")
    with chromium(tmp_path / "profile") as browser:
        page = browser.new_page()
        page.goto(f"{stack.url}/login")  # any page of the server's origin
        location = page.evaluate(PUBLISH_JS, [camera, stack.site_a.device_token])
        assert location.startswith(f"/whip/{camera}/sessions/"), location
        wait_until_sync(lambda: (s := stack.camera_status(admin, camera))["online"]
                        and s["fps"] >= 10, 20, interval=0.5)
        status = stack.camera_status(admin, camera)
        assert status["online"], "server decoded no frame from Chromium"
        assert status["fps"] >= 10
        assert status["width"] >= 640


def test_user_changes_password_in_the_console(stack: Stack, tmp_path: Path) -> None:
    new_password = "a brand new passphrase"
    other_login = stack.login("sup_a")  # e.g. a phone still logged in
    with chromium(tmp_path / "profile") as browser:
        page = browser.new_page()
        page.goto(f"{stack.url}/account")
        page.wait_for_url("**/login?next=%2Faccount")
        page.fill("#username", "sup_a")
        page.fill("#password", PASSWORD)
        page.click("#login-button")
        page.wait_for_url("**/account")
        page.wait_for_selector("#account-name:has-text('sup_a（督导员）')")  # zh-CN by default

        page.fill("#current-password", "not my password")
        page.fill("#new-password", new_password)
        page.fill("#repeat-password", new_password + "x")
        page.click("#password-button")
        page.wait_for_selector("#password-error:has-text('两次输入的新密码不一致')")
        page.fill("#repeat-password", new_password)
        page.click("#password-button")
        page.wait_for_selector("#password-error:has-text('the current password is wrong')")
        page.fill("#current-password", PASSWORD)
        page.click("#password-button")
        page.wait_for_selector("#password-done:visible")
        assert page.locator("#password-error").is_hidden()

        assert page.request.get(f"{stack.url}/api/auth/me").status == 200  # this login stays
        other = page.request.get(f"{stack.url}/api/auth/me",
                                 headers={"Authorization": f"Bearer {other_login}"})
        assert other.status == 401  # the other one ended
        page.goto(f"{stack.url}/live")
        page.click("#logout")
        page.wait_for_url("**/login")
        page.fill("#username", "sup_a")
        page.fill("#password", new_password)
        page.click("#login-button")
        page.wait_for_url("**/live")
