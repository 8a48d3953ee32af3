"""The complaint pages in a real browser through the real server and SeaweedFS, in zh-CN and
en-US at desktop and phone sizes: the publicity notice (公示) with its complaint channel, and
outside its window; the public intake with its limits stated and checked before upload, a
server refusal next to its field, the tracking code and its copy button; the tracking page;
the officers' workspace through every step (the clip's legal hold shown, the overdue flag);
the accused organisation's operator, who never sees who complained and may do nothing; and
the rate limit's 429, told with when to retry."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, Request
from support.batch_flow import object_store_env
from support.complaints import FILING_NUMBER, ComplaintWorld, complaint_world
from support.console_checks import (
    DESKTOP,
    LANGS,
    MESSAGES,
    PHONE,
    check_page,
    console_page,
    log_in,
    overflowing,
    wait_js,
    wait_ready,
)
from support.stack import PASSWORD, Stack

from proctor.db.complaints import Complaint, ComplaintAttachment
from proctor_dev.seaweed import EmbeddedSeaweedFS

pytestmark = pytest.mark.browser

VIEWPORTS = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
BY_LANG = pytest.mark.parametrize("lang", LANGS)
PNG = b"\x89PNG\r\n\x1a\n" + b"\0\0\0\rIHDR" + bytes(range(200))
PER_ADDRESS = 30  # this server's intake limit: 13 complaints come before the last test
TEXT = "第1场考场内有考生使用手机，监考员未制止。"
NAME, CONTACT = "王五", "13900000000"


@dataclass(frozen=True)
class Served:
    """The module's server and the complaint world in it."""

    stack: Stack
    world: ComplaintWorld


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory,
           seaweed: EmbeddedSeaweedFS) -> Iterator[Served]:
    stack = Stack(tmp_path_factory.mktemp("stack"))
    stack.server_env = object_store_env(seaweed, "footage-complaint-pages") | {
        "PROCTOR_COMPLAINT_INTAKE_PER_ADDRESS": str(PER_ADDRESS)}
    stack.provision()
    stack.start_server()
    try:
        yield Served(stack, complaint_world(stack))
    finally:
        stack.close()


def complain(served: Served, **fields: str) -> dict[str, str]:
    """A complaint through the public API (counts against the address's limit)."""
    response = httpx.post(f"{served.stack.url}/public/complaints", timeout=30, data={
        "batch_id": str(served.world.batch_id), "text": TEXT, **fields})
    assert response.status_code == 201, response.text
    receipt: dict[str, str] = response.json()
    return receipt


def complaint_id(served: Served, code: str) -> int:
    with served.stack.db() as db:
        return db.query(Complaint).filter_by(tracking_code=code).one().id


def public_page(browser: BrowserContext, served: Served, lang: str,
                viewport: dict[str, int], path: str) -> Page:
    page = console_page(browser, lang, viewport)
    page.goto(served.stack.url + path)
    wait_ready(page)
    return page


def shown(page: Page, selector: str) -> str:
    """The text of a visible element, once it is visible."""
    page.locator(selector).wait_for(state="visible", timeout=20_000)
    return page.locator(selector).inner_text()


@BY_LANG
@VIEWPORTS
def test_publicity_notice_and_its_channel(served: Served, browser: BrowserContext, lang: str,
                                          viewport: dict[str, int]) -> None:
    text = MESSAGES[lang]
    page = public_page(browser, served, lang, viewport, f"/publicity?batch={quote(FILING_NUMBER)}")
    facts = shown(page, "#publicity-facts")
    check_page(page, lang)
    assert overflowing(page) == []
    assert FILING_NUMBER in facts and "组织甲" in facts and "四级" in facts
    assert page.locator("#publicity-paused").is_hidden()
    assert page.locator("#publicity-phone").inner_text() == text["publicity.phone"].replace(
        "{phone}", "12333")
    # the complaint channel: the intake page with the batch filled in
    page.click("#publicity-complain")
    page.wait_for_url(f"**/complain?batch={served.world.batch_id}")
    wait_ready(page)
    assert page.input_value("#complain-batch") == str(served.world.batch_id)
    # a batch not in its window: said so, not a raw 404
    page.goto(f"{served.stack.url}/publicity")
    wait_ready(page)
    page.fill("#publicity-key", "厦人社认定备〔2020〕1号")
    page.press("#publicity-key", "Enter")
    assert shown(page, "#publicity-error") == text["publicity.notOpen"].replace(
        "{key}", "厦人社认定备〔2020〕1号")
    assert page.locator("#publicity-notice").is_hidden()
    page.close()


def intake_requests(page: Page) -> list[str]:
    """The complaint POSTs the page sends, as they are sent."""
    sent: list[str] = []

    def seen(request: Request) -> None:
        if request.method == "POST" and request.url.endswith("/public/complaints"):
            sent.append(request.url)
    page.on("request", seen)
    return sent


@BY_LANG
@VIEWPORTS
def test_intake_checks_before_upload_and_gives_the_code(
        served: Served, browser: BrowserContext, lang: str, viewport: dict[str, int]) -> None:
    text = MESSAGES[lang]
    page = public_page(browser, served, lang, viewport,
                       f"/complain?batch={served.world.batch_id}")
    limits = text["complain.limits"].replace("{count}", "5").replace("{size}", "5")
    assert shown(page, "#complain-limits") == limits
    check_page(page, lang)
    assert overflowing(page) == []
    sent = intake_requests(page)
    # refused in the page, nothing sent: no text, a file that is no image, one too large
    page.click("#complain-submit")
    assert shown(page, "#complain-text-error") == text["complaintForm.error.text"].replace(
        "{min}", "5")
    page.fill("#complain-text", TEXT)
    page.set_input_files("#complain-files", files=[
        {"name": "note.png", "mimeType": "image/png", "buffer": b"just some text"}])
    assert shown(page, "#complain-files-error") == text["complain.error.type"].replace(
        "{name}", "note.png")
    page.set_input_files("#complain-files", files=[
        {"name": "big.png", "mimeType": "image/png", "buffer": PNG + bytes(5 * 1048576)}])
    page.click("#complain-submit")
    assert shown(page, "#complain-files-error") == text["complain.error.size"].replace(
        "{name}", "big.png").replace("{size}", "5")
    assert sent == []
    # refused by the server (a direction-override character): shown next to the seat
    page.set_input_files("#complain-files", files=[
        {"name": "photo.png", "mimeType": "image/png", "buffer": PNG}])
    page.fill("#complain-seat", "A\u202e1")
    page.click("#complain-submit")
    assert shown(page, "#complain-seat-error")
    assert page.locator("#complain-seat").get_attribute("aria-invalid") == "true"
    assert len(sent) == 1 and page.locator("#complain-receipt").is_hidden()
    # accepted: the tracking code, its copy button and the way to follow it
    page.fill("#complain-seat", "12")
    page.fill("#complain-name", NAME)
    page.fill("#complain-contact", CONTACT)
    page.click("#complain-submit")
    page.locator("#complain-receipt").wait_for(state="visible", timeout=30_000)
    code = page.input_value("#complain-code")
    assert len(code) == 20 and code.isalnum()
    page.click("#complain-copy")
    assert shown(page, "#complain-copied") == text["complain.copied"]
    assert page.get_attribute("#complain-track", "href") == f"/track?code={code}"
    check_page(page, lang)
    assert overflowing(page) == []
    with served.stack.db() as db:
        stored = db.query(Complaint).filter_by(tracking_code=code).one()
        files = db.query(ComplaintAttachment).filter_by(complaint_id=stored.id).count()
        assert (stored.seat, stored.batch_id, files) == ("12", served.world.batch_id, 1)
    page.close()


@BY_LANG
@VIEWPORTS
def test_tracking_shows_state_and_dates_only(served: Served, browser: BrowserContext,
                                             lang: str, viewport: dict[str, int]) -> None:
    text = MESSAGES[lang]
    receipt = complain(served, complainant_name=NAME, complainant_contact=CONTACT)
    page = public_page(browser, served, lang, viewport,
                       f"/track?code={receipt['tracking_code']}")
    assert shown(page, "#track-state") == text["complaint.state.registered"]
    check_page(page, lang)
    assert overflowing(page) == []
    facts = page.inner_text("#track-facts")
    assert receipt["first_review_due"] and receipt["first_review_due"] in facts
    body = page.inner_text("body")
    assert NAME not in body and CONTACT not in body and TEXT not in body
    assert "3" in page.inner_text("#track-intro")  # the working days of the first review
    page.fill("#track-code", "ABCDEFGHJKLMNPQRSTUV")
    page.press("#track-code", "Enter")
    assert shown(page, "#track-error") == text["track.unknown"]
    assert page.locator("#track-result").is_hidden()
    page.close()


def test_publicity_paused_by_an_open_complaint(served: Served, browser: BrowserContext) -> None:
    complain(served)
    page = public_page(browser, served, "zh-CN", DESKTOP,
                       f"/publicity?batch={served.world.batch_id}")
    assert shown(page, "#publicity-paused") == MESSAGES["zh-CN"]["publicity.paused"]
    check_page(page, "zh-CN")  # the warning's colours too
    page.close()


def step(page: Page, form: str, state: str, lang: str) -> None:
    """Submit a step's form and wait for the complaint to reach ``state``."""
    page.click(f"#{form} button[type=submit]")
    label = MESSAGES[lang][f"complaint.state.{state}"]
    wait_js(page, "label => document.getElementById('complaint-heading').textContent"
                  ".includes(label) && !document.getElementById('complaint-action-done').hidden",
            label)
    assert page.locator("#complaint-action-error").is_hidden()


@pytest.mark.parametrize(("lang", "viewport"), [("zh-CN", DESKTOP), ("en-US", PHONE)],
                         ids=["zh-desktop", "en-phone"])
def test_officer_handles_a_complaint_to_closed(served: Served, browser: BrowserContext,
                                               lang: str, viewport: dict[str, int]) -> None:
    text, stack = MESSAGES[lang], served.stack
    number = complaint_id(served, complain(served, complainant_name=NAME)["tracking_code"])
    page = console_page(browser, lang, viewport)
    log_in(page, stack.url, "officer", PASSWORD, f"/complaints?complaint={number}")
    wait_js(page, "document.body.dataset.loaded === 'true'")
    check_page(page, lang)
    assert overflowing(page) == []
    assert page.locator("nav a[aria-current='page']").inner_text() == text["nav.complaints"]
    assert NAME in page.inner_text("#complaint-facts")
    assert page.locator("#page-error").is_hidden()
    assert page.locator(f"#complaints-list button[data-id='{number}']").count() == 1
    page.fill("#review-note", "受理，调取录像核查。")
    step(page, "review-form", "first_review", lang)
    step(page, "investigate-form", "investigating", lang)
    # footage of the batch's session, held at once: the hold's number is shown
    assert stack.site_a is not None
    page.select_option("#clip-camera", str(stack.site_a.camera_ids[0]))
    for field, value in (("from-date", "2026-11-18"), ("from-time", "19:06:40"),
                         ("to-date", "2026-11-18"), ("to-time", "19:08:00")):
        page.fill(f"#clip-{field}", value)
    step(page, "clip-form", "investigating", lang)
    auth = {"Authorization": f"Bearer {stack.login('officer')}"}
    detail = httpx.get(f"{stack.url}/api/complaints/{number}", headers=auth).json()
    (clip,) = detail["clips"]
    assert (clip["starts_at"], clip["ends_at"]) == ("2026-11-18T11:06:40Z", "2026-11-18T11:08:00Z")
    assert str(clip["legal_hold_id"]) in page.inner_text("#complaint-timeline")
    holds = httpx.get(f"{stack.url}/api/cameras/{clip['camera_id']}/legal-holds",
                      headers={"Authorization": f"Bearer {stack.login('admin')}"})
    assert clip["legal_hold_id"] in [h["id"] for h in holds.json()], holds.text
    page.fill("#extend-reason", "需调取更多录像")
    page.fill("#extend-days", "2")
    step(page, "extend-form", "investigating", lang)
    assert "需调取更多录像" in page.inner_text("#complaint-timeline")
    page.fill("#resolve-result", "经查属实，已责令整改。")
    page.check("#resolve-substantiated")
    page.check("#resolve-amend")
    step(page, "resolve-form", "resolved", lang)
    assert text["complaints.amendRequired"] in page.inner_text("#complaint-timeline")
    step(page, "close-form", "closed", lang)
    assert page.locator("#complaint-actions form:visible").count() == 0
    assert overflowing(page) == []
    page.close()


def test_officer_registers_a_letter_and_sees_overdue(served: Served,
                                                     browser: BrowserContext) -> None:
    text, stack = MESSAGES["zh-CN"], served.stack
    page = console_page(browser, "zh-CN", DESKTOP)
    log_in(page, stack.url, "officer", PASSWORD, "/complaints")
    wait_js(page, "document.body.dataset.loaded === 'true'")
    assert page.locator("#page-error").is_hidden()
    page.click("#complaints-new")  # Escape closes the form, as the keyboard expects
    page.press("#register-batch", "Escape")
    assert page.locator("#complaints-register").is_hidden()
    page.click("#complaints-new")
    page.click("#register-submit")  # nothing filled: said next to the fields
    assert shown(page, "#register-batch-error") == text["complaintForm.error.about"]
    page.select_option("#register-channel", "letter")
    page.fill("#register-batch", str(served.world.batch_id))
    page.fill("#register-text", "来信反映考场监考不严。")
    page.check("#register-anonymous")
    page.click("#register-submit")
    wait_js(page, "!document.getElementById('complaint-detail').hidden")
    facts = page.inner_text("#complaint-facts")
    assert text["complaint.channel.letter"] in facts and text["complaints.anonymous"] in facts
    # a first review past its due day: flagged in the list, and kept by "overdue only"
    number = int(page.url.rsplit("=", 1)[1])
    with stack.db() as db:
        db.get_one(Complaint, number).first_review_due = date(2026, 1, 5)
    page.check("#complaints-overdue")
    wait_js(page, "n => [...document.querySelectorAll('#complaints-list button')]"
                  ".some(b => b.dataset.id === String(n))", number)
    overdue = page.locator(f"#complaints-list button[data-id='{number}'] .complaint-overdue")
    assert overdue.inner_text() == text["complaint.flag.first_review_overdue"]
    assert page.locator("#complaints-list .complaint-overdue").count() == \
        page.locator("#complaints-list li").count()
    # the state filter asks the server for that state only
    page.uncheck("#complaints-overdue")
    page.select_option("#complaints-state", "closed")
    wait_js(page, "n => ![...document.querySelectorAll('#complaints-list button')]"
                  ".some(b => b.dataset.id === String(n))", number)
    assert page.locator("#page-error").is_hidden()
    page.close()


@BY_LANG
def test_the_accused_organisation_never_sees_who_complained(
        served: Served, browser: BrowserContext, lang: str) -> None:
    stack = served.stack
    receipt = complain(served, complainant_name=NAME, complainant_contact=CONTACT)
    number = complaint_id(served, receipt["tracking_code"])
    page = console_page(browser, lang, PHONE)
    log_in(page, stack.url, "operator_a", PASSWORD, f"/complaints?complaint={number}")
    wait_js(page, "document.body.dataset.loaded === 'true'"
                  " && !document.getElementById('complaint-detail').hidden")
    check_page(page, lang)
    assert overflowing(page) == []
    body = page.inner_text("body")
    assert TEXT in body
    assert NAME not in body and CONTACT not in body and receipt["tracking_code"] not in body
    assert MESSAGES[lang]["complaints.complainant"] not in page.inner_text("#complaint-facts")
    assert page.locator("#complaints-new").is_hidden()
    assert page.locator("#complaint-actions").is_hidden()
    refused = httpx.post(f"{stack.url}/api/complaints/{number}/review", json={
        "accepted": True, "note": "受理"}, headers={
            "Authorization": f"Bearer {stack.login('operator_a')}"})
    assert refused.status_code == 403
    # a supervisor has no complaints entry, and the API refuses the list
    page.context.clear_cookies()
    log_in(page, stack.url, "sup_a", PASSWORD, "/account")
    assert page.locator("nav a[href='/complaints']").count() == 0
    listed = httpx.get(f"{stack.url}/api/complaints",
                       headers={"Authorization": f"Bearer {stack.login('sup_a')}"})
    assert listed.status_code == 403
    page.close()


def test_rate_limit_says_when_to_retry(served: Served, browser: BrowserContext) -> None:
    """Last in the module: the address is over its limit afterwards."""
    text = MESSAGES["zh-CN"]
    for _ in range(PER_ADDRESS + 1):
        response = httpx.post(f"{served.stack.url}/public/complaints", timeout=30, data={
            "batch_id": str(served.world.batch_id), "text": TEXT})
        if response.status_code == 429:
            break
        assert response.status_code == 201, response.text
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    page = public_page(browser, served, "zh-CN", PHONE,
                       f"/complain?batch={served.world.batch_id}")
    page.fill("#complain-text", TEXT)
    page.click("#complain-submit")
    said = shown(page, "#complain-error")
    assert said.startswith(text["complain.error.rate"].split("{minutes}")[0]), said
    assert page.locator("#complain-receipt").is_hidden()
    assert overflowing(page) == []
    page.close()
