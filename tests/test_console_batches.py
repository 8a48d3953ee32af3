"""The batches page (认定批次) in a real browser, in zh-CN and en-US at desktop and phone
sizes: a planned batch with its state, its results gate and every reason the gate names,
its session and room with the roster counts; a roster with bad lines refused with each line
named, then a good one imported and counted; a supervisor of the batch's site sees the batch
without the roster import and is told the review list is not theirs, and the API refuses
both anyway."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page
from support.batches import build_world, planned_batch
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
from support.stack import PASSWORD, Stack

from proctor import directory
from proctor.db.models import Role

pytestmark = pytest.mark.browser

TIMEOUT = 30  # seconds: the shared machine can be slow to answer
# line 3 has no name, line 4 an unknown role: both named, nothing imported
BAD_ROSTER = "身份,编号,姓名,座位\n考生,2026001,张三,A1\n考生,2026002,,A2\n校长,X-1,钱七,\n"
GOOD_ROSTER = ("身份,编号,姓名,座位\n考生,2026001,张三,A1\n考生,2026002,李四,A2\n"
               "考生,2026003,孙八,A3\n考评员,KP-001,王五,\n")


@dataclass(frozen=True)
class Planned:
    """The planned batch and its one session room."""

    batch: int
    session_room: int


@pytest.fixture(scope="module")
def planned(shared_stack: Stack) -> Planned:
    """A draft batch (one session, one room, a roster of two candidates) and 'planner_sup',
    a supervisor of its site."""
    with shared_stack.db() as db:
        world = build_world(db)
        batch = planned_batch(db, world)
        directory.create_user(db, "test", "planner_sup", PASSWORD, Role.SUPERVISOR,
                              site_ids=[world.site])
        planned = Planned(batch.id, batch.sessions[0].rooms[0].id)
    return planned


def open_batch(browser: BrowserContext, stack: Stack, user: str, lang: str,
               viewport: dict[str, int], batch: int) -> Page:
    """The batch's page, logged in as ``user``, with the batch and its review list drawn."""
    page = console_page(browser, lang, viewport)
    log_in(page, stack.url, user, PASSWORD, f"/batches?batch={batch}")
    wait_js(page, "!document.getElementById('batch-detail').hidden"
                  " && document.getElementById('batch-review-summary').textContent !== ''")
    return page


def texts(page: Page, selector: str) -> list[str]:
    return page.locator(selector).all_text_contents()


def upload(page: Page, session_room: int, roster: str, tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(roster, encoding="utf-8")
    page.set_input_files(f"#roster-file-{session_room}", str(path))
    page.locator(f"[data-session-room='{session_room}'] button").click()


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_batch_gate_and_roster_import(shared_stack: Stack, planned: Planned,
                                      browser: BrowserContext, lang: str,
                                      viewport: dict[str, int], tmp_path: Path) -> None:
    text = MESSAGES[lang]
    auth = {"Authorization": f"Bearer {shared_stack.login('admin')}"}
    gate = httpx.get(f"{shared_stack.url}/api/batches/{planned.batch}/gate", headers=auth,
                     timeout=TIMEOUT).json()
    page = open_batch(browser, shared_stack, "admin", lang, viewport, planned.batch)
    check_page(page, lang)
    assert overflowing(page) == []
    assert page.locator("nav a[aria-current='page']").text_content() == text["nav.batches"]
    assert page.locator("#batch-state").text_content() == text["batch.state.draft"]
    # the gate is closed, and the page lists the server's reasons in the page's language
    assert page.locator("#batch-gate-state").text_content() == text["batches.gateClosed"]
    side = "zh" if lang == "zh-CN" else "en"
    assert not gate["open"] and gate["missing"]
    assert texts(page, "#batch-gate-reasons li") == [r[side] for r in gate["missing"]]
    assert page.locator("#batch-review-summary").text_content() == (
        text["batches.reviewSummary"].format(count=0, open=0))

    # a roster with bad lines: each named by line, nothing imported
    room = page.locator(f"[data-session-room='{planned.session_room}']")
    before = room.locator("span").text_content()
    upload(page, planned.session_room, BAD_ROSTER, tmp_path)
    wait_js(page, "!document.getElementById('roster-problems').hidden")
    problems = texts(page, "#roster-problems li")
    line = text["batches.rosterLine"].split("{reason}")[0]  # 第 {line} 行： / Line {line}:
    assert len(problems) == 2, problems
    for problem, number in zip(problems, (3, 4), strict=True):
        assert problem.startswith(line.format(line=number)) and len(problem) > len(line), problem
    assert page.locator("#roster-error").is_visible()
    assert room.locator("span").text_content() == before
    assert overflowing(page) == []
    # a good one: imported, counted, the page says so
    upload(page, planned.session_room, GOOD_ROSTER, tmp_path)
    done = text["batches.rosterDone"].format(count=3)
    wait_js(page, "done => document.getElementById('roster-status').textContent === done", done)
    assert page.locator("#roster-problems").is_hidden()
    assert page.locator("#roster-error").is_hidden()
    row = page.locator(f"[data-session-room='{planned.session_room}'] span").text_content()
    assert row == text["batches.room"].format(room=room_name(shared_stack, planned, auth),
                                              expected=3, candidates=3, examiners=1,
                                              invigilators=0)
    page.close()


def room_name(stack: Stack, planned: Planned, auth: dict[str, str]) -> str:
    """The room as the page names it: "<site> · <room>" from the names the API gives."""
    batch = httpx.get(f"{stack.url}/api/batches/{planned.batch}", headers=auth,
                      timeout=TIMEOUT).json()
    rooms = [r for s in batch["sessions"] for r in s["rooms"] if r["id"] == planned.session_room]
    assert rooms[0]["room_name"] and rooms[0]["site_name"], rooms[0]
    return f"{rooms[0]['site_name']} · {rooms[0]['room_name']}"


@pytest.mark.parametrize("lang", LANGS)
def test_rights_follow_the_user(shared_stack: Stack, planned: Planned, browser: BrowserContext,
                                lang: str) -> None:
    text = MESSAGES[lang]
    page = open_batch(browser, shared_stack, "planner_sup", lang, PHONE, planned.batch)
    check_page(page, lang)
    assert overflowing(page) == []
    assert texts(page, "#batches-list a") != []
    assert page.locator("input[type=file]").count() == 0
    assert page.locator("#batch-review-summary").text_content() == text["batches.reviewNotYours"]
    assert page.locator("#batch-gate-state").text_content() == text["batches.gateNotYours"]
    assert page.locator("#batch-state").text_content() == text["batch.state.draft"]
    page.close()
    auth = {"Authorization": f"Bearer {shared_stack.login('planner_sup')}"}
    refused = httpx.put(f"{shared_stack.url}/api/session-rooms/{planned.session_room}/roster",
                        content=GOOD_ROSTER.encode(), headers={**auth, "Content-Type": "text/csv"},
                        timeout=TIMEOUT)
    assert refused.status_code == 403
    for part in ("review", "gate"):
        url = f"{shared_stack.url}/api/batches/{planned.batch}/{part}"
        assert httpx.get(url, headers=auth, timeout=TIMEOUT).status_code == 403


def test_another_sites_supervisor_sees_no_batch(shared_stack: Stack, planned: Planned,
                                                browser: BrowserContext) -> None:
    page = console_page(browser, "zh-CN", DESKTOP)
    log_in(page, shared_stack.url, "sup_b", PASSWORD, "/batches")
    wait_js(page, "!document.getElementById('batches-empty').hidden")
    assert page.locator("#batches-list li").count() == 0
    page.goto(f"{shared_stack.url}/batches?batch={planned.batch}")
    page_error(page)
    assert page.locator("#batch-detail").is_hidden()
    page.close()
