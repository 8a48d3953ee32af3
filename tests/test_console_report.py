"""The report page (督导报告) in a real browser through the real server and SeaweedFS, in zh-CN
and en-US at desktop and phone sizes: the drawn supervisor drafts the report (a 否 without a
remark refused in the server's words), adds a manual finding whose clip opens the archive
page over its range, is refused the signature with every reason listed, then signs once the
event is reviewed; the signed PDF is shown in the page (inline) and downloadable, the
results gate no longer names the signature, the head's acknowledgement is recorded and an
amendment opens version 2. An auditor reads the report without any of the buttons (the API
refuses the auditor's edit anyway) and sees the open complaint that holds the results gate
named with a link to it."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page
from sqlalchemy import select, update
from support.batches import build_world
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
from support.review import END, START, add_event, add_segments, drawn_for_both_rooms, ms
from support.stack import PASSWORD, Stack

from proctor import directory
from proctor.db.complaints import Complaint, ComplaintChannel
from proctor.db.models import Role, User
from proctor.supervision.records import Batch, SessionRoom
from proctor.supervision.states import BatchState

pytestmark = pytest.mark.browser

SIGN_TIMEOUT_S = 120.0  # rendering and signing a PDF on a loaded machine
_organisations = itertools.count(1)


@dataclass(frozen=True)
class Ended:
    """An ended batch drawn for its own supervisor (``sup``, a console user), with one
    unreviewed event on its first camera."""

    id: int
    sup: str
    camera: int
    event: int


@pytest.fixture(scope="module")
def auditor(shared_stack: Stack) -> None:
    """'report_aud', an auditor granted no site: the batches come by region or site."""
    with shared_stack.db() as db:
        directory.create_user(db, "test", "report_aud", PASSWORD, Role.AUDITOR)


def ended_batch(stack: Stack) -> Ended:
    """A new ended batch (filed, attendance recorded, footage indexed) drawn for a new
    supervisor; the auditor is granted its site."""
    number = next(_organisations)
    with stack.db() as db:
        world = build_world(db, name=f"厦门某某机械有限公司{number}")
        username = f"report_sup{number}"
        sup = directory.create_user(db, "test", username, PASSWORD, Role.SUPERVISOR)
        batch = drawn_for_both_rooms(db, world, sup.id)
        db.execute(update(Batch).where(Batch.id == batch).values(
            state=BatchState.ENDED, filing_number=f"BA-350203-2026-{number:04d}"))
        db.execute(update(SessionRoom).where(SessionRoom.room_id.in_(world.rooms)).values(
            expected_examinees=20, present=19, absent=1))
        for camera in world.cameras:
            add_segments(db, camera, ms(START), ms(END))
        event = add_event(db, world.cameras[0], "2026-03-02 09:30")
        aud = db.scalars(select(User).where(User.username == "report_aud")).one()
        directory.update_user(db, "test", aud.id, site_ids=[world.site])
    return Ended(batch, username, world.cameras[0], event)


def open_complaint(stack: Stack, batch: int) -> int:
    """A complaint about the batch, registered by phone and still open; returns its id."""
    with stack.db() as db:
        row = db.get(Batch, batch)
        assert row is not None
        complaint = Complaint(tracking_code=f"T-{batch}", organisation_id=row.organisation_id,
                              batch_id=batch, text="考场内有人使用手机",
                              channel=ComplaintChannel.PHONE, registered_by="test")
        db.add(complaint)
        db.flush()
        return complaint.id


def open_report(browser: BrowserContext, stack: Stack, user: str, lang: str,
                viewport: dict[str, int], batch: int) -> Page:
    page = console_page(browser, lang, viewport)
    log_in(page, stack.url, user, PASSWORD, f"/report?batch={batch}")
    wait_js(page, "document.body.dataset.loaded === 'true'")
    return page


def texts(page: Page, selector: str) -> list[str]:
    return page.locator(selector).all_text_contents()


def save_and_wait(page: Page, versions: int) -> None:
    page.click("#report-save")
    wait_js(page, "n => document.querySelectorAll('#report-versions li').length === n"
                  " && !document.getElementById('report-saved').hidden", versions)


@pytest.mark.parametrize(("lang", "viewport"), [("zh-CN", DESKTOP), ("en-US", PHONE)],
                         ids=["zh-desktop", "en-phone"])
def test_draft_sign_preview_amend(shared_stack: Stack, auditor: None, browser: BrowserContext,
                                  lang: str, viewport: dict[str, int]) -> None:
    text = MESSAGES[lang]
    batch = ended_batch(shared_stack)
    page = open_report(browser, shared_stack, batch.sup, lang, viewport, batch.id)
    check_page(page, lang)
    assert overflowing(page) == []
    assert page.locator("#report-none").is_visible()
    assert page.locator("#report-save").text_content() == text["report.create"]

    # a 否 without a remark: the server's reason, nothing drafted
    page.select_option("#check-answer-1", "否")
    page.fill("#report-opinion", "考场座位间距不足，责令整改。")
    page.select_option("#report-conclusion", "整改后认可")
    page.fill("#report-deadline", "2026-03-20")
    page.click("#report-save")
    wait_js(page, "!document.getElementById('report-form-error').hidden")
    assert "说明" in (page.locator("#report-form-error").text_content() or "")
    assert page.locator("#report-versions li").count() == 0
    page.fill("#check-remark-1", "座位间距不足 80 厘米")
    save_and_wait(page, 1)
    assert page.locator("#report-save").text_content() == text["report.save"]
    assert page.locator("#check-answer-1").input_value() == "否"
    assert page.locator("#report-conclusion").input_value() == "整改后认可"

    # a manual finding, its clip a link to the archive over the range
    page.fill("#finding-from", "09:40:00")
    page.fill("#finding-to", "09:41:30")
    page.select_option("#finding-category", "考场布置")
    page.fill("#finding-note", "两名考生座位相邻")
    page.click("#finding-form button[type=submit]")
    wait_js(page, "document.querySelectorAll('#report-findings li.report-finding').length === 1")
    link = page.locator("#report-findings a").first
    href = link.get_attribute("href") or ""
    assert href == (f"/archive?camera={batch.camera}&from={ms('2026-03-02 09:40')}"
                    f"&to={ms('2026-03-02 09:41', 30_000)}")
    assert "两名考生座位相邻" in (page.locator("#report-findings").text_content() or "")

    # signing is refused with every reason: the event is not reviewed
    page.click("#report-sign")
    wait_js(page, "document.querySelectorAll('#report-sign-reasons li').length > 0",
            timeout=SIGN_TIMEOUT_S)
    assert page.locator("#report-sign-error").text_content() == text["report.signRefused"]
    side = "zh" if lang == "zh-CN" else "en"
    auth = {"Authorization": f"Bearer {shared_stack.login(batch.sup)}"}
    report = int(page.url.split("report=")[-1])
    refused = httpx.post(f"{shared_stack.url}/api/reports/{report}/sign", headers=auth)
    assert refused.status_code == 409
    reasons = [m[side] for m in refused.json()["missing"]]
    assert texts(page, "#report-sign-reasons li") == reasons
    assert any("review" in m["code"] for m in refused.json()["missing"]), reasons
    reviewed = httpx.put(f"{shared_stack.url}/api/batches/{batch.id}/events/{batch.event}"
                         "/review", json={"decision": "dismissed", "note": "是计算器"},
                         headers=auth)
    assert reviewed.status_code == 200, reviewed.text

    # signed: the PDF in the page and as a download; the gate no longer waits for it
    page.click("#report-sign")
    wait_js(page, "!document.getElementById('report-pdf').hidden", timeout=SIGN_TIMEOUT_S)
    assert page.locator("#report-sign-box").is_hidden()
    assert page.locator("#report-opinion").is_disabled()
    assert page.locator("#report-save").is_hidden()
    src = page.locator("#report-preview").get_attribute("src") or ""
    assert src.endswith("/pdf?inline=true")
    preview = page.request.get(f"{shared_stack.url}{src}")
    assert preview.headers["content-type"] == "application/pdf"
    assert preview.headers["content-disposition"].startswith("inline;")
    assert preview.body().startswith(b"%PDF")
    download = page.locator("#report-download").get_attribute("href") or ""
    assert page.request.get(f"{shared_stack.url}{download}").headers[
        "content-disposition"].startswith("attachment;")
    gate = httpx.get(f"{shared_stack.url}/api/batches/{batch.id}/gate", headers=auth).json()
    codes = [reason["code"] for reason in gate["missing"]]
    assert "report_not_signed" not in codes
    assert texts(page, "#batch-gate-reasons li") == [m[side] for m in gate["missing"]]
    check_page(page, lang)
    assert overflowing(page) == []

    # the head's acknowledgement, then an amendment: version 2, a draft again
    page.fill("#acknowledge-head", "王建国")
    page.click("#acknowledge-form button[type=submit]")
    wait_js(page, "document.getElementById('acknowledge-form').hidden")
    assert "王建国" in (page.locator("#report-acknowledged").text_content() or "")
    page.fill("#amend-reason", "更正处理意见。")
    page.click("#amend-form button[type=submit]")
    wait_js(page, "document.querySelectorAll('#report-versions li').length === 2"
                  " && !document.getElementById('report-save').hidden")
    assert page.locator("#report-pdf").is_hidden()
    assert page.locator("#report-versions a[aria-current='true']").text_content() == \
        text["report.version"].format(number=f"DD-2026-{batch.id:05d}", version=2,
                                      state=text["report.draft"],
                                      conclusion=text["report.verdict.afterRectification"])
    page.close()


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_an_auditor_reads_without_buttons(shared_stack: Stack, auditor: None,
                                          browser: BrowserContext, lang: str,
                                          viewport: dict[str, int]) -> None:
    text = MESSAGES[lang]
    batch = ended_batch(shared_stack)
    auth = {"Authorization": f"Bearer {shared_stack.login(batch.sup)}"}
    draft = httpx.post(f"{shared_stack.url}/api/batches/{batch.id}/reports", headers=auth,
                       json={"opinion": "考场秩序良好。", "conclusion": "合格"})
    assert draft.status_code == 201, draft.text
    complaint = open_complaint(shared_stack, batch.id)
    page = open_report(browser, shared_stack, "report_aud", lang, viewport, batch.id)
    check_page(page, lang)
    assert overflowing(page) == []
    assert page.locator("#report-readonly").text_content() == text["report.readOnly"]
    assert page.locator("#report-opinion").input_value() == "考场秩序良好。"
    assert page.locator("#report-opinion").is_disabled()
    for hidden in ("#report-save", "#report-sign-box", "#finding-form", "#amend-form"):
        assert page.locator(hidden).is_hidden(), hidden
    # the open complaint holding the gate is named, with a link to it
    link = page.locator("#batch-gate-reasons li[data-code='complaints_open'] a")
    assert link.get_attribute("href") == f"/complaints?complaint={complaint}"
    assert link.text_content() == text["gate.complaint"].format(id=complaint)
    page.close()
    aud = {"Authorization": f"Bearer {shared_stack.login('report_aud')}"}
    url = f"{shared_stack.url}/api/reports/{draft.json()['id']}"
    assert httpx.patch(url, json={"opinion": "改"}, headers=aud).status_code == 403
    assert httpx.post(f"{url}/sign", headers=aud).status_code == 403


def test_a_batch_not_yours_is_said_in_words(shared_stack: Stack, auditor: None,
                                            browser: BrowserContext) -> None:
    batch = ended_batch(shared_stack)
    page = console_page(browser, "zh-CN", DESKTOP)
    log_in(page, shared_stack.url, "sup_b", PASSWORD, f"/report?batch={batch.id}")
    page_error(page)
    assert page.locator("#report-view").is_hidden()
    page.close()
