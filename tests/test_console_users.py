"""The users and grants page (用户与授权) in a real browser, in zh-CN and en-US at desktop
and phone sizes: a weak password and a taken user name refused with the server's reason; a
user created with a role and a site (考点); a site and a region granted and removed; the user
disabled (their login refused) and enabled; a password reset shown once, copied with its
button, and accepted by the login. A complaint officer sees no such page in the header, no
forms, and the API refuses the calls anyway."""

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


@pytest.fixture(scope="module")
def region(shared_stack: Stack) -> str:
    """A province the tests grant (regions are registered by code, GB/T 2260)."""
    admin = {"Authorization": f"Bearer {shared_stack.login('admin')}"}
    answer = httpx.post(f"{shared_stack.url}/api/regions", headers=admin,
                        json={"code": "110000", "name": "北京市", "level": "province"})
    assert answer.status_code == 201, answer.text
    return "110000"


def can_log_in(stack: Stack, username: str, password: str) -> int:
    return httpx.post(f"{stack.url}/api/auth/login",
                      json={"username": username, "password": password}).status_code


def user_item(page: Page, username: str) -> str:
    """The list item of a user, as shown."""
    return str(wait_js(page, """([name]) => [...document.querySelectorAll('#users-list li')]
        .map((item) => item.textContent).find((text) => text.startsWith(name + ' '))""",
                       [username]))


def manage(page: Page, username: str) -> None:
    page.get_by_role("button", name=MESSAGES[lang_of(page)]["users.manageNamed"]
                     .replace("{name}", username)).click()
    wait_js(page, "!document.getElementById('users-detail').hidden")


def lang_of(page: Page) -> str:
    return str(page.evaluate("document.documentElement.lang"))


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_create_grant_disable_and_reset_a_user(
        shared_stack: Stack, browser: BrowserContext, region: str, lang: str,
        viewport: dict[str, int]) -> None:
    text = MESSAGES[lang]
    username = f"u{lang[:2]}{viewport['width']}"
    browser.grant_permissions(["clipboard-read", "clipboard-write"], origin=shared_stack.url)
    page = console_page(browser, lang, viewport)
    log_in(page, shared_stack.url, "admin", PASSWORD, "/admin/users")
    user_item(page, "admin")
    check_page(page, lang)
    assert overflowing(page) == []
    assert page.locator("nav a[aria-current='page']").text_content() == text["nav.users"]

    page.locator("#users-create-form button[type=submit]").click()  # nothing typed: said here
    assert page.locator("#users-create-form-error").text_content() == text["users.error.username"]
    page.fill("#users-create-username", username)
    page.fill("#users-create-name", "张督导")
    page.fill("#users-create-password", "short")
    page.select_option("#users-create-role", label=text["role.supervisor"])
    page.get_by_label("Site A").check()
    page.locator("#users-create-form button[type=submit]").click()
    wait_js(page, "!document.getElementById('users-create-form-error').hidden")
    weak = page.locator("#users-create-form-error").text_content() or ""
    assert "10" in weak and "{" not in weak, weak  # the server's reason, one line

    page.fill("#users-create-username", "sup_a")  # taken
    page.fill("#users-create-password", "a-long-enough-password")
    page.locator("#users-create-form button[type=submit]").click()
    wait_js(page, "document.getElementById('users-create-form-error').textContent"
                  ".includes('sup_a')")

    page.fill("#users-create-username", username)
    page.fill("#users-create-password", "a-long-enough-password")
    page.locator("#users-create-form button[type=submit]").click()
    item = user_item(page, username)
    assert text["role.supervisor"] in item and "Site A" in item and text["users.active"] in item
    wait_js(page, "!document.getElementById('users-detail').hidden")
    assert can_log_in(shared_stack, username, "a-long-enough-password") == 200

    page.select_option("#users-site-add", label="Site B")  # a second site
    page.locator("#users-site-form button[type=submit]").click()
    wait_js(page, "document.getElementById('users-sites').textContent.includes('Site B')")
    page.select_option("#users-region-add", value=region)
    page.locator("#users-region-form button[type=submit]").click()
    wait_js(page, "document.getElementById('users-regions').textContent.includes('北京市')")
    admin = {"Authorization": f"Bearer {shared_stack.login('admin')}"}
    listed = next(u for u in httpx.get(f"{shared_stack.url}/api/users", headers=admin).json()
                  if u["username"] == username)
    assert listed["site_ids"] == [shared_stack.site_a.site_id, shared_stack.site_b.site_id]
    grants = httpx.get(f"{shared_stack.url}/api/users/{listed['id']}/region-grants",
                       headers=admin).json()
    assert [g["code"] for g in grants] == [region]
    assert overflowing(page) == []

    page.get_by_role("button", name=text["users.removeNamed"].replace("{name}", "Site A")).click()
    wait_js(page, "!document.getElementById('users-sites').textContent.includes('Site A')")
    page.get_by_role("button", name=text["users.removeNamed"].replace("{name}", "北京市")).click()
    wait_js(page, "!document.getElementById('users-regions').textContent.includes('北京市')")
    assert httpx.get(f"{shared_stack.url}/api/users/{listed['id']}/region-grants",
                     headers=admin).json() == []
    listed = next(u for u in httpx.get(f"{shared_stack.url}/api/users", headers=admin).json()
                  if u["username"] == username)
    assert listed["site_ids"] == [shared_stack.site_b.site_id]

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#users-toggle")
    wait_js(page, "([name, off]) => [...document.querySelectorAll('#users-list li')].some("
                  "(li) => li.textContent.startsWith(name + ' ') && li.textContent.includes(off))",
            [username, text["users.inactive"]])
    assert can_log_in(shared_stack, username, "a-long-enough-password") == 401
    page.click("#users-toggle")  # enabling asks nothing
    wait_js(page, "([label]) => document.getElementById('users-toggle').textContent === label",
            [text["users.disable"]])
    assert can_log_in(shared_stack, username, "a-long-enough-password") == 200

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#users-reset")
    wait_js(page, "!document.getElementById('users-password').hidden")
    fresh = page.input_value("#users-password-value")
    assert len(fresh) == 16
    assert page.evaluate("document.activeElement.id") == "users-password-copy"
    page.keyboard.press("Enter")  # the copy button, by keyboard
    wait_js(page, "!document.getElementById('users-password-copied').hidden")
    assert page.evaluate("navigator.clipboard.readText()") == fresh
    assert can_log_in(shared_stack, username, "a-long-enough-password") == 401
    assert can_log_in(shared_stack, username, fresh) == 200
    check_page(page, lang)
    assert overflowing(page) == []
    page.close()


@pytest.mark.parametrize("lang", LANGS)
def test_an_officer_sees_no_users_page_and_the_api_refuses(
        shared_stack: Stack, browser: BrowserContext, lang: str) -> None:
    page = console_page(browser, lang, PHONE)
    check_refused_page(page, shared_stack.url, ("officer", PASSWORD), "/admin/users", lang,
                       MESSAGES[lang]["users.error.forbidden"], ("#users-create-form",))
    officer = {"Authorization": f"Bearer {shared_stack.login('officer')}"}
    assert_refused(httpx.post(f"{shared_stack.url}/api/users", headers=officer, json={
        "username": "x", "password": "a-long-enough-password", "role": "admin"}))
    assert_refused(httpx.get(f"{shared_stack.url}/api/users", headers=officer))
    page.close()
