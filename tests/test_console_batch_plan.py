"""Planning on the batches page in a real browser through the real server, in zh-CN at
desktop size and en-US on a phone: an administrator creates a 认定批次, is refused the filing
with every reason the server lists, adds a session (its filing deadline in working days
shown, and passed) and a room, imports the roster, is refused the late filing naming the
deadline, files it with its 备案号 and a recorded reason to proceed, draws the supervisors
(双随机) and sees the draw with its commitment and seed (the ones the API keeps, to
re-check), then is refused the start with the server's reason. A supervisor of the site sees
none of the planning controls, and the API refuses them anyway."""

from __future__ import annotations

import itertools
import json
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page
from sqlalchemy import select
from support.batches import build_world
from support.calendar_years import enter_years_through
from support.console_checks import (
    CATALOGS,
    DESKTOP,
    PHONE,
    check_page,
    console_page,
    log_in,
    overflowing,
    wait_js,
)
from support.stack import PASSWORD, Stack

from proctor import directory
from proctor.db.base import utcnow
from proctor.db.models import Role, User
from proctor.supervision.china_time import china_day
from proctor.supervision.oversight import Supervisor

pytestmark = pytest.mark.browser

MESSAGES = {lang: json.loads((CATALOGS / f"{lang}.json").read_text())
            for lang in ("zh-CN", "en-US")}
ROSTER = "身份,编号,姓名,座位\n考生,2026001,张三,A1\n考生,2026002,李四,A2\n考评员,KP-001,王五,\n"


def session_day() -> str:
    """A weekday a week from today (China time): the session is still ahead, and filing is
    then late, so the administrator proceeds with a recorded reason. Its report period may
    run into next year (from mid-December): ``world_with_pool`` enters the years it needs."""
    day = china_day(utcnow()) + timedelta(days=7)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day.isoformat()


_organisations = itertools.count(1)


def world_with_pool(stack: Stack) -> tuple[int, int]:
    """A new organisation with a site and rooms, three supervisors in its city's pool, and
    'plan_sup', a supervisor of its site; the calendar has every year up to three months past
    the session (the draw counts the report period and fails closed on a year not entered).
    Returns the organisation's id and its first room's."""
    name = f"厦门某某培训学校{next(_organisations)}"
    today = china_day(utcnow())
    with stack.db() as db:
        enter_years_through(db, today, date.fromisoformat(session_day()) + timedelta(days=90))
        world = build_world(db, name=name)
        db.add_all([Supervisor(name=f"督导员{i}", region_code="350203",
                               qualification_number=f"Q-{name}-{i}") for i in range(3)])
        sup = db.scalars(select(User).where(User.username == "plan_sup")).first()
        if sup is None:
            directory.create_user(db, "test", "plan_sup", PASSWORD, Role.SUPERVISOR,
                                  site_ids=[world.site])
        else:
            directory.update_user(db, "test", sup.id, site_ids=[world.site])
        db.commit()
    return world.organisation, world.rooms[0]


def texts(page: Page, selector: str) -> list[str]:
    return page.locator(selector).all_text_contents()


def missing(stack: Stack, batch: int, action: str,
            body: dict[str, str] | None = None) -> list[dict[str, str]]:
    """The reasons the API gives for refusing ``action`` now (nothing changes)."""
    auth = {"Authorization": f"Bearer {stack.login('admin')}"}
    refused = httpx.post(f"{stack.url}/api/batches/{batch}/transitions/{action}", headers=auth,
                         json=body or {})
    assert refused.status_code == 409, refused.text
    reasons: list[dict[str, str]] = refused.json()["missing"]
    return reasons


def act(page: Page, action: str) -> None:
    page.click(f"#transition-buttons button[data-action='{action}']")


@pytest.mark.parametrize(("lang", "viewport"), [("zh-CN", DESKTOP), ("en-US", PHONE)],
                         ids=["zh-desktop", "en-phone"])
def test_plan_file_and_draw(shared_stack: Stack, browser: BrowserContext, lang: str,
                            viewport: dict[str, int], tmp_path: Path) -> None:
    text = MESSAGES[lang]
    side = "zh" if lang == "zh-CN" else "en"
    organisation, room = world_with_pool(shared_stack)
    page = console_page(browser, lang, viewport)
    log_in(page, shared_stack.url, "admin", PASSWORD, "/batches")
    wait_js(page, "document.getElementById('create-organisation').options.length > 0")
    check_page(page, lang)
    assert overflowing(page) == []

    # create: a draft, shown at once
    page.click("#plan-create summary")
    page.select_option("#create-organisation", str(organisation))
    page.fill("#create-occupation", "车工")
    page.fill("#create-code", "6-18-01-01")
    page.select_option("#create-level", "三级")
    page.click("#create-form button[type=submit]")
    page.wait_for_url("**/batches?batch=*")
    wait_js(page, "!document.getElementById('batch-detail').hidden")
    batch = int(page.url.split("batch=")[-1])
    assert page.locator("#batch-state").text_content() == text["batch.state.draft"]
    assert page.locator("#batch-report-link").get_attribute("href") == f"/report?batch={batch}"

    # filing needs the 备案号 (the server says so), then is refused with every reason
    act(page, "file")
    wait_js(page, "!document.getElementById('transition-error').hidden")
    assert "备案号" in (page.locator("#transition-error").text_content() or "")
    filing = f"BA-350203-2026-{organisation:04d}"
    page.fill("#transition-filing", filing)
    act(page, "file")
    wait_js(page, "document.querySelectorAll('#transition-reasons li').length > 0")
    assert texts(page, "#transition-reasons li") == [
        m[side] for m in missing(shared_stack, batch, "file", {"filing_number": filing})]

    # a session, a room, the roster
    page.fill("#session-name", "第一场")
    page.fill("#session-date", session_day())
    page.fill("#session-from", "09:00")
    page.fill("#session-to", "11:00")
    page.click("#session-form button[type=submit]")
    wait_js(page, "document.querySelectorAll('.batch-session').length === 1"
                  " && !document.getElementById('room-form').hidden")
    # the plan-filing deadline as the server counts it, marked: it has passed
    wait_js(page, "document.querySelector('#batch-deadlines li[data-step=plan_filing]')")
    auth = {"Authorization": f"Bearer {shared_stack.login('admin')}"}
    steps = httpx.get(f"{shared_stack.url}/api/batches/{batch}/deadlines", headers=auth).json()
    assert texts(page, "#batch-deadlines li") == [step[side] for step in steps]
    assert page.locator("#batch-deadlines li.warning").count() == 1
    page.select_option("#room-room", str(room))
    page.fill("#room-expected", "2")
    page.click("#room-form button[type=submit]")
    wait_js(page, "document.querySelectorAll('.batch-room').length === 1")
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    page.set_input_files(".batch-room input[type=file]", str(roster))
    page.click(".batch-room button")
    done = text["batches.rosterDone"].format(count=2)
    wait_js(page, "s => document.getElementById('roster-status').textContent === s", done)

    # filing late is refused naming the deadline; an administrator proceeds with a reason
    act(page, "file")
    wait_js(page, "document.querySelectorAll('#transition-reasons li').length > 0")
    assert texts(page, "#transition-reasons li") == [
        m[side] for m in missing(shared_stack, batch, "file", {"filing_number": filing})]
    page.fill("#transition-override", "考点临时调整，经认定中心同意")
    act(page, "file")
    filed = text["batch.state.filed"]
    wait_js(page, "s => document.getElementById('batch-state').textContent === s"
                  " || !document.getElementById('transition-error').hidden", filed)
    assert page.locator("#transition-error").is_hidden(), texts(page, "#transition-reasons li")
    assert page.locator("#batch-state").text_content() == filed
    assert page.locator("#draw-form").is_visible()
    assert page.locator("#draw-none").is_visible()
    page.fill("#draw-count", "2")
    page.click("#draw-form button[type=submit]")
    drawn = text["batch.state.supervisors_drawn"]
    wait_js(page, "s => document.getElementById('batch-state').textContent === s"
                  " || !document.getElementById('draw-form-error').hidden", drawn, timeout=60)
    assert page.locator("#draw-form-error").is_hidden(), page.locator(
        "#draw-form-error").text_content()
    wait_js(page, "document.querySelectorAll('#draw-result dd').length > 0")
    shown = texts(page, "#draw-result dd")
    draw = httpx.get(f"{shared_stack.url}/api/draws/{shown[0]}", headers=auth).json()
    assert draw["batch_id"] == batch and draw["seed"] and draw["seed"] in shown
    assert draw["commitment"] in shown and draw["snapshot_sha256"] in shown
    assert len(shown[1].split(text["report.listSeparator"])) == 2  # two names
    assert page.locator("#draw-form").is_hidden()

    # start is refused until the first session begins: the server's reason
    act(page, "start")
    wait_js(page, "document.querySelectorAll('#transition-reasons li').length > 0")
    assert texts(page, "#transition-reasons li") == [
        m[side] for m in missing(shared_stack, batch, "start")]
    check_page(page, lang)
    assert overflowing(page) == []
    page.close()


def test_a_supervisor_has_no_planning(shared_stack: Stack, browser: BrowserContext) -> None:
    organisation, _ = world_with_pool(shared_stack)
    auth = {"Authorization": f"Bearer {shared_stack.login('admin')}"}
    created = httpx.post(f"{shared_stack.url}/api/batches", headers=auth, json={
        "organisation_id": organisation, "occupation_name": "电工",
        "occupation_code": "6-31-01-03", "level": "四级", "mode": "操作技能考核"})
    assert created.status_code == 201, created.text
    batch = created.json()["id"]
    page = console_page(browser, "zh-CN", PHONE)
    log_in(page, shared_stack.url, "plan_sup", PASSWORD, f"/batches?batch={batch}")
    wait_js(page, "!document.getElementById('batch-detail').hidden")
    for hidden in ("#plan-create", "#batch-actions", "#session-form", "#room-form",
                   "#draw-form"):
        assert page.locator(hidden).is_hidden(), hidden
    assert page.locator("#batch-report-link").is_visible()
    assert overflowing(page) == []
    page.close()
    sup = {"Authorization": f"Bearer {shared_stack.login('plan_sup')}"}
    for path, body in ((f"/api/batches/{batch}/transitions/file", {}),
                       (f"/api/batches/{batch}/sessions", {
                           "name": "第一场", "starts_at": f"{session_day()}T09:00:00+08:00",
                           "ends_at": f"{session_day()}T11:00:00+08:00"}),
                       (f"/api/batches/{batch}/draws", {"supervisors": 1})):
        assert httpx.post(f"{shared_stack.url}{path}", headers=sup, json=body).status_code == 403
