"""The oversight page (三级监管) and the header's notices in a real browser, in zh-CN and
en-US at desktop and phone sizes, on the world of tests/test_oversight_api.py (福建省 →
厦门市 → 思明区 with organisation A, 湖里区 with B; 福州市 → 鼓楼区 with C):

- a district user sees their district, its organisation and its batches (each linking to
  the batches page), never a neighbour: asking for 湖里区 shows the server's refusal, and
  the API refuses it too;
- a city user drills down into a district, filters its overdue batches and goes back up;
- a user who oversees no region is told so, and an operator has no oversight entry at all;
- the notices button lists what is due for the user, each linking to its batch or
  complaint, and Escape closes the list.
"""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page
from support.console import PASSWORD
from support.console_checks import (
    DESKTOP,
    LANGS,
    MESSAGES,
    PHONE,
    check_page,
    console_page,
    log_in,
    overflowing,
    page_error,
    wait_js,
)
from support.stack import Stack
from test_oversight_api import HULI, SIMING, XIAMEN, World, build_world

from proctor.db.base import utcnow

pytestmark = pytest.mark.browser

SHOWN = "!document.getElementById('oversight-summary').hidden" \
    " && document.getElementById('oversight-batches-count').textContent !== ''"


@pytest.fixture(scope="module")
def world(shared_stack: Stack) -> World:
    with shared_stack.db() as db:
        return build_world(db, utcnow())


def api(stack: Stack, user: str, path: str) -> httpx.Response:
    """GET ``path`` as ``user`` (of the world, whose password is support.console's)."""
    token = httpx.post(f"{stack.url}/api/auth/login", timeout=30,
                       json={"username": user, "password": PASSWORD}).json()["token"]
    return httpx.get(f"{stack.url}{path}", headers={"Authorization": f"Bearer {token}"},
                     timeout=30)


def open_oversight(browser: BrowserContext, stack: Stack, user: str, lang: str,
                   viewport: dict[str, int], query: str = "") -> Page:
    page = console_page(browser, lang, viewport)
    log_in(page, stack.url, user, PASSWORD, f"/oversight{query}")
    return page


def texts(page: Page, selector: str) -> list[str]:
    return [text.strip() for text in page.locator(selector).all_text_contents()]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_district_user_sees_their_district_never_a_neighbour(
        shared_stack: Stack, world: World, browser: BrowserContext, lang: str,
        viewport: dict[str, int]) -> None:
    text = MESSAGES[lang]
    page = open_oversight(browser, shared_stack, "siming", lang, viewport)
    wait_js(page, SHOWN)
    check_page(page, lang)
    assert overflowing(page) == []
    assert page.locator("nav a[aria-current='page']").text_content() == text["nav.oversight"]
    assert "思明区" in (page.locator("#oversight-region").text_content() or "")
    assert page.locator("#oversight-path").is_hidden()  # their own region: nothing above
    assert texts(page, "#oversight-children .oversight-card-name") == ["机构A"]
    assert page.locator("#oversight-children a").count() == 0  # organisations: no drill-down
    links = page.locator("#oversight-batches a")
    assert sorted(links.evaluate_all("links => links.map(a => a.getAttribute('href'))")) == \
        sorted(f"/batches?batch={world.batches[k]}" for k in ("plan", "results", "running"))
    assert "机构B" not in page.locator("main").inner_text()
    # a neighbour's district: the server's refusal in one line, nothing of theirs shown
    page.goto(f"{shared_stack.url}/oversight?region={HULI}")
    error = page_error(page)
    assert HULI in error, error
    assert page.locator("#oversight-summary").is_hidden()
    assert overflowing(page) == []
    page.close()
    assert api(shared_stack, "siming", f"/api/oversight/regions/{HULI}").status_code == 403


@pytest.mark.parametrize("lang", LANGS)
def test_a_city_user_drills_down_and_filters_overdue(shared_stack: Stack, world: World,
                                                     browser: BrowserContext,
                                                     lang: str) -> None:
    text = MESSAGES[lang]
    page = open_oversight(browser, shared_stack, "xiamen", lang, DESKTOP)
    wait_js(page, SHOWN)
    check_page(page, lang)
    assert texts(page, "#oversight-children a") == ["思明区", "湖里区"]
    assert page.locator("#oversight-batches li").count() == 4
    page.locator("#oversight-children a", has_text="思明区").click()
    page.wait_for_url(f"**/oversight?region={SIMING}")
    wait_js(page, SHOWN)
    assert texts(page, "#oversight-path a") == ["厦门市"]  # back up to the user's city
    assert page.locator("#oversight-batches li").count() == 3
    page.locator("#oversight-overdue-only").check()  # keyboard-reachable checkbox
    wait_js(page, "document.querySelectorAll('#oversight-batches li').length === 2")
    overdue = {world.batches["plan"], world.batches["results"]}
    shown = page.locator("#oversight-batches li").evaluate_all(
        "items => items.map(li => Number(li.dataset.batch))")
    assert set(shown) == overdue
    assert page.locator("#oversight-batches-count").text_content() == \
        text["oversight.batchesShown"].format(shown=2, total=2)
    check_page(page, lang)
    page.locator("#oversight-path a").click()
    page.wait_for_url(f"**/oversight?region={XIAMEN}")
    wait_js(page, SHOWN)
    page.close()


def test_no_region_and_no_entry(shared_stack: Stack, world: World,
                                browser: BrowserContext) -> None:
    page = open_oversight(browser, shared_stack, "officer_a", "zh-CN", PHONE)
    wait_js(page, "!document.getElementById('oversight-none').hidden")
    check_page(page, "zh-CN")
    assert page.locator("#oversight-summary").is_hidden()
    page.close()
    page = console_page(browser, "zh-CN", DESKTOP)
    log_in(page, shared_stack.url, "operator", PASSWORD, "/account")
    assert page.locator("nav a[href='/oversight']").count() == 0
    page.close()
    assert api(shared_stack, "operator", f"/api/oversight/regions/{SIMING}").status_code == 403


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_notices_list_what_is_due(shared_stack: Stack, world: World,
                                      browser: BrowserContext, lang: str,
                                      viewport: dict[str, int]) -> None:
    due = api(shared_stack, "fujian", "/api/notifications").json()["items"]
    assert due, "the world has overdue batches and complaints in the province"
    page = console_page(browser, lang, viewport)
    log_in(page, shared_stack.url, "fujian", PASSWORD, "/account")
    badge = page.locator("#notices-badge")
    wait_js(page, "!document.getElementById('notices-badge').hidden")
    assert badge.text_content() == str(len(due))
    button = page.locator("#notices-button")
    assert button.get_attribute("aria-expanded") == "false"
    button.focus()
    page.keyboard.press("Enter")
    assert button.get_attribute("aria-expanded") == "true"
    links = page.locator("#notices-list a")
    assert links.count() == len(due)
    hrefs = links.evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hrefs == [f"/batches?batch={n['subject_id']}" if n["subject"] == "batch"
                     else f"/complaints?complaint={n['subject_id']}" for n in due]
    check_page(page, lang)  # the open list: no raw key, no serious axe violation
    assert overflowing(page) == []
    page.keyboard.press("Escape")
    assert button.get_attribute("aria-expanded") == "false"
    assert page.locator("#notices-list").is_hidden()
    page.close()
