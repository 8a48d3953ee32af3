"""A real browser: the live wall shows each camera's person count and open alerts, pushed
by the analyzer over the alerts WebSocket (the alert's peak and the current count in words),
toasts a new alert with its snapshot within 2 s, and drops an alert when its event closes."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from support.browser import chromium
from support.console_checks import DESKTOP, console_page, wait_js
from support.stack import PASSWORD, Stack

pytestmark = pytest.mark.browser


def set_expected_headcount(stack: Stack, token: str, camera: int, expected: int | None) -> None:
    response = httpx.put(f"{stack.url}/api/cameras/{camera}/scene",
                         json={"expected_headcount": expected},
                         headers={"Authorization": f"Bearer {token}"},
                         timeout=60)  # the analyzer reloads the scene: slow on a busy machine
    response.raise_for_status()


def test_live_page_shows_count_and_alerts(analysis_stack: Stack, h264_footage: Path,
                                          tmp_path: Path) -> None:
    stack = analysis_stack
    camera = stack.site_a.camera_ids[0]
    stack.start_agent({camera: h264_footage.as_uri()})
    admin = stack.login("admin")
    with chromium(tmp_path / "profile") as browser:
        page = console_page(browser, "en-US", DESKTOP)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{stack.url}/login?next=/live")
        page.fill("#username", "sup_a")
        page.fill("#password", PASSWORD)
        page.click("#login-button")
        page.wait_for_url(f"{stack.url}/live")

        count = page.locator(f"#count-{camera}")
        # the detector starts with the server: allow for loading the model on a slow machine
        wait_js(page, "id => /^[0-9]+$/.test(document.getElementById(`count-${id}`)"
                      "?.dataset.people ?? '')", arg=camera, timeout=90)
        # only now (the page subscribed to alerts) make it an alert: the footage shows a
        # handful of pedestrians, far fewer than 40
        set_expected_headcount(stack, admin, camera, 40)
        wait_js(page,
            "id => { const c = document.getElementById(`count-${id}`);"
            "        return c && /^[0-9]+$/.test(c.dataset.people)"
            "               && c.dataset.expected === '40'; }",
            arg=camera, timeout=90)
        people = int(count.get_attribute("data-people"))
        assert people < 40
        assert count.text_content() == f"Now {people} / 40 expected"
        assert "warn" in count.get_attribute("class").split()

        alert = page.locator(f"#alerts-{camera} li.alert[data-kind='person_missing']")
        alert.wait_for(timeout=60_000)  # confirmation takes longer on a loaded machine
        assert alert.get_attribute("data-event-id").isdigit()
        assert "fewer people in view than expected" in alert.text_content()
        # from the confirming sample to the toast: mostly the analysis (inference on a shared
        # CPU) and the event's row; the page itself draws the toast at once
        wait_js(page, "Object.keys(window.proctorLive.toastTimes).length > 0")
        times = page.evaluate("Object.values(window.proctorLive.toastTimes)")
        metrics = httpx.get(f"{stack.url}/metrics", timeout=60,
                            headers={"Authorization": f"Bearer {admin}"}).text
        lag = re.search(r"^proctor_analysis_lag_p95_seconds (\S+)", metrics, re.MULTILINE)
        # the analysis's share: from a sample to its detections (p95 over the run)
        print(f"alert -> toast: {times}; analysis lag p95: {lag.group(1) if lag else '?'} s")
        assert times and all(t["sinceConfirmed"] >= 0 and t["drawMs"] < 500 for t in times)
        # which number is the peak during the alert and which is the count now, in words
        assert re.match(r"Peak during the alert: \d+ of 40 expected(;|$)",
                            alert.locator(".alert-peak").text_content())
        assert re.fullmatch(r"now \d+", alert.locator(".alert-current").text_content())
        link = alert.locator("a.alert-snapshot")
        link.wait_for(timeout=15_000)  # stored in the background, then pushed as an update
        snapshot = link.get_attribute("href")
        assert snapshot.startswith("/api/events/"), snapshot
        # the toast of the new alert, its snapshot put in when it arrived
        toast = page.locator("#toasts .toast[data-kind='person_missing']")
        toast.locator(f"img.toast-image[src='{snapshot}']").wait_for(timeout=15_000)
        assert "fewer people in view than expected" in toast.text_content()
        badge = page.locator(f".camera-card[data-camera-id='{camera}'] .alert-badge")
        assert int(badge.text_content()) >= 1
        toast.locator(".toast-action").click()  # show me: the camera enlarged
        page.locator(f".camera-card.enlarged[data-camera-id='{camera}']").wait_for()
        page.keyboard.press("Escape")
        reply = page.request.get(f"{stack.url}{snapshot}")  # the page's own session cookie
        assert reply.status == 200 and reply.headers["content-type"] == "image/jpeg"
        # supervisors may view the archive: the alert links to its recording
        clip = alert.locator("a.alert-clip").get_attribute("href")
        assert clip.startswith(f"/api/cameras/{camera}/clip.mp4?from="), clip
        assert int(page.locator("#alert-count").text_content()) >= 1

        # no expected count: the headcount rule is off and the event closes
        set_expected_headcount(stack, admin, camera, None)
        alert.wait_for(state="detached", timeout=20_000)
        wait_js(page,
            "id => document.getElementById(`count-${id}`).dataset.expected === ''",
            arg=camera, timeout=10)
        assert not page.locator(f"#alerts-{camera} li.alert[data-kind='person_missing']").count()
        assert not errors, errors

