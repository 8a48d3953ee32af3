"""The administration page (系统管理) in a real browser, in zh-CN and en-US at desktop and
phone sizes: a site (考点), a room (考场), an edge device and a camera added through the
forms; the device's token shown once, copied with its button, accepted by the server, and
refused after a rotation from the page; a missing name is a clear message, not a request.
A complaint officer sees no administration in the header, no forms on the page, and the API
refuses the calls anyway."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page
from support.console_checks import (
    DESKTOP,
    LANGS,
    MESSAGES,
    PHONE,
    assert_refused,
    check_page,
    check_refused_page,
    console_page,
    log_in,
    overflowing,
    wait_js,
)
from support.stack import PASSWORD, Stack

pytestmark = pytest.mark.browser


def whip_status(stack: Stack, camera: int, token: str) -> int:
    """What the server answers a device posting a (bad) offer for ``camera`` with ``token``:
    401 for a token it does not know, 400 for a known device with a bad offer."""
    return httpx.post(f"{stack.url}/whip/{camera}", content=b"not sdp",
                      headers={"Authorization": f"Bearer {token}",
                               "Content-Type": "application/sdp"}).status_code


def submit(page: Page, form: str) -> None:
    page.locator(f"#{form} button[type=submit]").click()


def listed(page: Page, list_id: str, name: str) -> None:
    wait_js(page, "([id, name]) => document.getElementById(id).textContent.includes(name)",
            [list_id, name])


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_add_site_room_device_camera_and_rotate_the_token(
        shared_stack: Stack, browser: BrowserContext, lang: str,
        viewport: dict[str, int]) -> None:
    text = MESSAGES[lang]
    tag = f"{lang}-{viewport['width']}"
    browser.grant_permissions(["clipboard-read", "clipboard-write"], origin=shared_stack.url)
    page = console_page(browser, lang, viewport)
    log_in(page, shared_stack.url, "admin", PASSWORD, "/admin")
    wait_js(page, "document.getElementById('admin-site-list').children.length > 0")
    check_page(page, lang)
    assert overflowing(page) == []
    assert page.locator("nav a[aria-current='page']").text_content() == text["nav.admin"]

    submit(page, "admin-site-form")  # no name: said on the page, nothing sent
    assert page.locator("#admin-site-form-error").text_content() == text["admin.error.name"]
    page.fill("#admin-site-name", f"考点 {tag}")
    page.fill("#admin-site-address", "北京市海淀区")
    submit(page, "admin-site-form")
    listed(page, "admin-site-list", f"考点 {tag}")
    assert page.locator("#admin-site-form-error").is_hidden()

    page.select_option("#admin-room-site", label=f"考点 {tag}")
    page.fill("#admin-room-name", f"第一考场 {tag}")
    submit(page, "admin-room-form")
    listed(page, "admin-room-list", f"第一考场 {tag}")

    page.select_option("#admin-device-site", label=f"考点 {tag}")
    page.fill("#admin-device-name", f"设备 {tag}")
    submit(page, "admin-device-form")
    wait_js(page, "!document.getElementById('admin-token').hidden")
    token = page.input_value("#admin-token-value")
    assert len(token) >= 20
    assert page.evaluate("document.activeElement.id") == "admin-token-copy"
    page.keyboard.press("Enter")  # the copy button, by keyboard
    wait_js(page, "!document.getElementById('admin-token-copied').hidden")
    assert page.evaluate("navigator.clipboard.readText()") == token
    assert overflowing(page) == []

    page.select_option("#admin-camera-room", label=f"考点 {tag} · 第一考场 {tag}")
    page.select_option("#admin-camera-device", label=f"考点 {tag} · 设备 {tag}")
    page.fill("#admin-camera-name", f"前门 {tag}")
    submit(page, "admin-camera-form")
    listed(page, "admin-camera-list", f"前门 {tag}")
    admin = {"Authorization": f"Bearer {shared_stack.login('admin')}"}
    cameras = httpx.get(f"{shared_stack.url}/api/cameras/all", headers=admin).json()
    camera = next(c for c in cameras if c["name"] == f"前门 {tag}")
    devices = httpx.get(f"{shared_stack.url}/api/devices", headers=admin).json()
    device = next(d for d in devices if d["name"] == f"设备 {tag}")
    assert camera["device_id"] == device["id"]
    assert whip_status(shared_stack, camera["id"], token) == 400  # the shown token works

    page.once("dialog", lambda dialog: dialog.accept())
    page.click(f"#admin-device-list button[data-device-id='{device['id']}']")
    wait_js(page, "([old]) => document.getElementById('admin-token-value').value !== old",
            [token])
    fresh = page.input_value("#admin-token-value")
    assert whip_status(shared_stack, camera["id"], token) == 401  # the old one stops at once
    assert whip_status(shared_stack, camera["id"], fresh) == 400
    check_page(page, lang)
    assert overflowing(page) == []
    page.close()


@pytest.mark.parametrize("lang", LANGS)
def test_an_officer_sees_no_administration_and_the_api_refuses(
        shared_stack: Stack, browser: BrowserContext, lang: str) -> None:
    page = console_page(browser, lang, PHONE)
    check_refused_page(page, shared_stack.url, ("officer", PASSWORD), "/admin", lang,
                       MESSAGES[lang]["admin.error.forbidden"],
                       ("#admin-site-form", "#admin-device-form"))
    officer = {"Authorization": f"Bearer {shared_stack.login('officer')}"}
    assert_refused(httpx.post(f"{shared_stack.url}/api/sites", json={"name": "x"},
                              headers=officer))
    assert_refused(httpx.get(f"{shared_stack.url}/api/devices", headers=officer))
    page.close()


def test_bad_input_from_another_client_is_a_clear_4xx(shared_stack: Stack) -> None:
    admin = {"Authorization": f"Bearer {shared_stack.login('admin')}"}
    answer = httpx.post(f"{shared_stack.url}/api/rooms", json={"site_id": 999999, "name": "x"},
                        headers=admin)
    assert 400 <= answer.status_code < 500 and answer.json()["detail"], answer.text


@pytest.mark.parametrize(("lang", "viewport", "year"),
                         [("zh-CN", PHONE, 2091), ("en-US", DESKTOP, 2092)])
def test_enter_and_show_a_calendar_year(shared_stack: Stack, browser: BrowserContext, lang: str,
                                        viewport: dict[str, int], year: int) -> None:
    text = MESSAGES[lang]
    page = console_page(browser, lang, viewport)
    log_in(page, shared_stack.url, "admin", PASSWORD, "/admin")
    page.fill("#admin-calendar-year", "2099")  # not entered: the server's reason, shown
    page.click("#admin-calendar-show button[type=submit]")
    wait_js(page, "!document.getElementById('admin-calendar-show-error').hidden")
    assert "2099" in page.locator("#admin-calendar-show-error").text_content()
    assert "{" not in page.locator("#admin-calendar-show-error").text_content()

    page.fill("#admin-calendar-new-year", str(year))
    page.fill("#admin-calendar-source", f"国务院办公厅关于{year}年部分节假日安排的通知")
    page.fill("#admin-calendar-lines", f"{year}-01-01 放假 元旦\n{year}-02-xx 放假 春节")
    submit(page, "admin-calendar-form")
    assert page.locator("#admin-calendar-form-error").text_content() == \
        text["admin.calendar.badLine"].replace("{line}", "2")
    page.fill("#admin-calendar-lines",
              f"{year}-01-01 放假 元旦\n{year}-01-02, holiday, 元旦\n\n{year}-01-06 上班 元旦")
    submit(page, "admin-calendar-form")
    wait_js(page, "!document.getElementById('admin-calendar-year-view').hidden")
    days = page.locator("#admin-calendar-days li").all_text_contents()
    assert len(days) == 3 and text["admin.calendar.workday"] in days[2], days
    check_page(page, lang)
    assert overflowing(page) == []
    admin = {"Authorization": f"Bearer {shared_stack.login('admin')}"}
    stored = httpx.get(f"{shared_stack.url}/api/calendar/{year}", headers=admin).json()
    assert [d["kind"] for d in stored["days"]] == ["holiday", "holiday", "makeup_workday"]
    page.close()
