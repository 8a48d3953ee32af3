"""The console in a real browser, in zh-CN and en-US, at desktop and phone sizes: every page
speaks the chosen language with no raw message key, axe-core finds no serious violation, a
phone sees nothing cut off; the header follows the user's rights; the language switch is
remembered; an unknown path gives a real page; the live wall groups cameras by room
(考场), filters by batch (认定批次), plays real video and enlarges a camera on a tap."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page
from support.batches import build_world, planned_batch
from support.browser import chromium
from support.console_checks import (
    DESKTOP,
    LANGS,
    MESSAGES,
    PHONE,
    check_page,
    console_page,
    overflowing,
    wait_js,
    wait_ready,
)
from support.stack import PASSWORD, Stack

pytestmark = pytest.mark.browser


def log_in(page: Page, url: str, username: str, next_path: str = "/live") -> None:
    page.goto(f"{url}/login?next={next_path}")
    wait_ready(page)
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login-button")
    page.wait_for_url(f"{url}{next_path}")
    wait_ready(page)


def check_fits(page: Page, viewport: dict[str, int]) -> None:
    if viewport is PHONE:
        assert overflowing(page) == [], page.url


def tile_ids(page: Page) -> list[int]:
    return sorted(int(i) for i in page.locator(".camera-card").evaluate_all(
        "tiles => tiles.map(t => t.dataset.cameraId)"))


def test_unknown_console_path_is_a_page_and_unknown_api_path_stays_json(stack: Stack) -> None:
    page = httpx.get(f"{stack.url}/no/such/page")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert '<html lang="zh-CN">' in page.text and "not_found.js" in page.text
    api = httpx.get(f"{stack.url}/api/no-such-thing")
    assert api.status_code == 404 and api.json() == {"detail": "Not Found"}


def test_every_page_in_both_languages_at_desktop_and_phone(stack: Stack, tmp_path: Path) -> None:
    with stack.db() as db:
        world = build_world(db)
        batch = planned_batch(db, world)
    admin_cameras = 3 + 2  # sites A and B, and the batch's organisation (two rooms)
    with chromium(tmp_path / "profile") as browser:
        for lang in LANGS:
            text = MESSAGES[lang]
            for viewport in (DESKTOP, PHONE):
                page = console_page(browser, lang, viewport)
                errors: list[str] = []
                page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
                page.context.clear_cookies()
                page.goto(f"{stack.url}/live")
                page.wait_for_url("**/login?next=%2Flive")  # not logged in
                check_page(page, lang)
                check_fits(page, viewport)
                assert page.locator("#login-button").text_content() == text["login.submit"]

                page.fill("#username", "admin")
                page.fill("#password", PASSWORD)
                page.click("#login-button")
                page.wait_for_url(f"{stack.url}/live")
                wait_js(page, f"document.querySelectorAll('.camera-card').length"
                                       f" === {admin_cameras}", timeout=20)
                check_page(page, lang)
                check_fits(page, viewport)
                # the header: an administrator's pages, the role in words, the current page
                assert page.locator("#user-role").text_content() == text["role.admin"]
                assert page.locator("nav a[aria-current='page']").text_content() \
                    == text["nav.live"]
                # one section per room; nothing plays, so every camera is lost
                assert page.locator(".room").count() == 4
                states = page.locator(".camera-card .status").all_text_contents()
                assert states == [text["camera.state.lost"]] * admin_cameras

                # the batch filter narrows the wall to the batch's rooms
                page.select_option("#batch-filter", str(batch.id))
                wait_js(page, "document.querySelectorAll('.camera-card').length === 1")
                assert tile_ids(page) == [world.cameras[0]]
                assert page.locator(".room-title").text_content().endswith("第1考场")
                check_fits(page, viewport)
                page.select_option("#batch-filter", "")
                wait_js(page, f"document.querySelectorAll('.camera-card').length"
                                       f" === {admin_cameras}")

                page.goto(f"{stack.url}/account")
                check_page(page, lang)
                check_fits(page, viewport)
                page.click("#password-button")  # empty form: a clear message, in the language
                assert page.locator("#password-error").text_content() \
                    == text["account.error.current"]

                response = page.goto(f"{stack.url}/archive/nothing-here")
                assert response is not None and response.status == 404
                check_page(page, lang)
                check_fits(page, viewport)
                assert page.locator("h1").text_content() == text["notFound.title"]
                assert not errors, errors
                page.close()


def test_rights_shape_the_header_and_the_language_is_remembered(stack: Stack,
                                                                  tmp_path: Path) -> None:
    with chromium(tmp_path / "profile") as browser:
        page = browser.new_page()  # no language chosen: Chinese
        log_in(page, stack.url, "officer", "/account")
        assert page.evaluate("document.documentElement.lang") == "zh-CN"
        # a complaint officer may not watch live: no live wall in the navigation
        entries = page.locator("nav a").all_text_contents()
        assert MESSAGES["zh-CN"]["nav.account"] in entries
        assert MESSAGES["zh-CN"]["nav.live"] not in entries
        page.click("#lang-switch")
        wait_js(page, "document.documentElement.lang === 'en-US'")
        wait_ready(page)
        assert page.locator("h1").text_content() == MESSAGES["en-US"]["account.title"]
        page.goto(f"{stack.url}/no-such-page")  # remembered on the next page
        wait_ready(page)
        assert page.evaluate("document.documentElement.lang") == "en-US"
        page.keyboard.press("Tab")  # the first stop is the skip link
        assert page.evaluate("document.activeElement.className") == "skip-link"
        page.click("#lang-switch")
        wait_js(page, "document.documentElement.lang === 'zh-CN'")
        page.click("#logout")
        page.wait_for_url("**/login")


def test_live_wall_plays_and_enlarges_on_a_phone_and_a_desktop(
        stack: Stack, h264_footage: Path, raw_footage: Path, tmp_path: Path) -> None:
    cam_a, cam_b = stack.site_a.camera_ids
    stack.start_agent({cam_a: h264_footage.as_uri(), cam_b: raw_footage.as_uri()})
    with chromium(tmp_path / "profile") as browser:
        for lang, viewport in (("zh-CN", PHONE), ("en-US", DESKTOP)):
            text = MESSAGES[lang]
            page = console_page(browser, lang, viewport)
            log_in(page, stack.url, "sup_a")
            wait_js(page, "document.querySelectorAll('.camera-card').length === 2")
            assert tile_ids(page) == sorted([cam_a, cam_b])  # site A's, not site B's
            for camera in (cam_a, cam_b):
                wait_js(page,
                    f"document.getElementById('video-{camera}')?.currentTime > 0.5",
                    timeout=30)
                tile = page.locator(f".camera-card[data-camera-id='{camera}']")
                wait_js(page,
                    "id => document.querySelector(`.camera-card[data-camera-id='${id}']`)"
                    "?.dataset.cameraState === 'live'", arg=camera, timeout=20)
                assert tile.locator(".status").text_content() == text["camera.state.live"]
            check_page(page, lang)
            check_fits(page, viewport)
            boxes = [page.locator(f".camera-card[data-camera-id='{c}']").bounding_box()
                     for c in (cam_a, cam_b)]
            assert boxes[0] and boxes[1]
            if viewport is PHONE:  # one column, as wide as the screen allows
                assert boxes[0]["x"] == boxes[1]["x"] and boxes[1]["y"] > boxes[0]["y"]
            else:  # side by side
                assert boxes[0]["y"] == boxes[1]["y"]

            frame = page.locator(f".camera-card[data-camera-id='{cam_a}'] .video-frame")
            small = frame.bounding_box()
            frame.click()  # a tap on a phone is a click to the page
            enlarged = page.locator(".camera-card.enlarged")
            enlarged.wait_for()
            big = enlarged.locator(".video-frame").bounding_box()
            assert small and big and big["height"] > small["height"] * 1.2
            assert page.evaluate("document.activeElement.classList.contains('close-enlarged')")
            check_fits(page, viewport)
            page.keyboard.press("Escape")
            enlarged.wait_for(state="detached")
            page.close()
