"""The archive page (录像回放) in a real browser, in zh-CN and en-US at desktop and phone
sizes: a camera's coverage with its gap, real footage playing and scrubbed to the second,
an evidence package exported with progress, a legal hold placed and lifted, every clip and
export in the audit log; a supervisor without export rights sees no export or hold controls
and the API refuses them anyway."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page
from support.batches import build_world as batch_world
from support.batches import planned_batch
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
)
from support.ingest import T0, audit_actions, put_segment
from support.segments import cut_segment
from support.stack import PASSWORD, Stack

pytestmark = pytest.mark.browser

# 0..10 s and 20..30 s after T0 recorded, 10..20 s missing; the window starts 5 s early
FROM, TO = T0 - 5_000, T0 + 30_000


@pytest.fixture(scope="module")
def footage(shared_stack: Stack, h264_footage: Path) -> int:
    """Two segments of real footage on site A's first camera, with a gap between them."""
    assert shared_stack.site_a is not None
    camera = shared_stack.site_a.camera_ids[0]
    for start_s in (0, 20):
        data = cut_segment(h264_footage, start_s, 10)
        assert put_segment(shared_stack, camera, T0 + start_s * 1000, data).status_code == 201
    return camera


def archive_path(camera: int) -> str:
    return f"/archive?camera={camera}&from={FROM}&to={TO}"


def open_archive(browser: BrowserContext, stack: Stack, user: str, lang: str,
                 viewport: dict[str, int], camera: int) -> Page:
    """The archive page of ``camera`` over the window, logged in as ``user``, loaded."""
    page = console_page(browser, lang, viewport)
    log_in(page, stack.url, user, PASSWORD, archive_path(camera))
    wait_js(page, "!document.getElementById('archive-result').hidden")
    return page


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_search_play_export_and_hold(shared_stack: Stack, footage: int, browser: BrowserContext,
                                     lang: str, viewport: dict[str, int]) -> None:
    text = MESSAGES[lang]
    page = open_archive(browser, shared_stack, "officer", lang, viewport, footage)
    check_page(page, lang)
    assert overflowing(page) == []
    assert page.locator("nav a[aria-current='page']").text_content() == text["nav.archive"]

    # the coverage bar: two recorded spans and the gaps (before T0, and 10..20 s)
    assert page.locator("#archive-bar .coverage-recorded").count() == 2
    gaps = page.locator("#archive-gaps li").all_text_contents()
    ends = [text["archive.gap"].split("{to}")[1].replace("{seconds}", s) for s in ("5", "10")]
    assert len(gaps) == 2 and all(gap.endswith(end) for gap, end in zip(gaps, ends, strict=True))
    assert page.locator("#archive-coverage-summary").text_content() == \
        text["archive.recorded"].replace("{percent}", "57.1").replace("{gaps}", "2")  # 20 of 35 s

    # real footage plays inline and scrubs to the second
    wait_js(page, "document.getElementById('archive-video').readyState >= 1")
    page.fill("#archive-scrub", "25")  # keyboard-free: the range input's value
    page.dispatch_event("#archive-scrub", "input")
    wait_js(page, "Math.round(document.getElementById('archive-video').currentTime) >= 24")
    assert page.locator("#archive-at").text_content()

    # an evidence package with progress, downloaded as a zip
    page.fill("#archive-reason", "TS-2026-0001")
    with page.expect_download(timeout=60_000) as download_info:
        page.click("#archive-export")
    download = download_info.value
    with zipfile.ZipFile(io.BytesIO(Path(download.path()).read_bytes())) as package:
        assert package.namelist()
    wait_js(page, "document.getElementById('archive-progress').value === 1")
    assert page.locator("#archive-export-status").text_content() == text["archive.exported"] \
        .replace("{kb}", str(round(Path(download.path()).stat().st_size / 1024)))

    # a legal hold over the window, then lifted
    before = page.locator("#archive-holds li").count()
    page.click("#archive-hold")
    wait_js(page, f"document.querySelectorAll('#archive-holds li button').length === 1"
                  f" && document.querySelectorAll('#archive-holds li').length === {before + 1}")
    page.click("#archive-holds li button")
    wait_js(page, "document.querySelectorAll('#archive-holds li button').length === 0")
    assert overflowing(page) == []
    actions = audit_actions(shared_stack, f"camera:{footage}")
    assert "archive.clip" in actions and "archive.export" in actions
    page.close()


@pytest.mark.parametrize("lang", LANGS)
def test_form_errors_are_clear(shared_stack: Stack, footage: int, browser: BrowserContext,
                               lang: str) -> None:
    page = open_archive(browser, shared_stack, "officer", lang, PHONE, footage)
    page.fill("#archive-to-time", "25:00")
    page.click("#archive-search-button")
    assert page.locator("#archive-error").text_content() == MESSAGES[lang]["archive.error.time"]
    page.fill("#archive-to-time", "23:59:59")
    page.fill("#archive-to", "2020-01-01")
    page.click("#archive-search-button")
    assert page.locator("#archive-error").text_content() == MESSAGES[lang]["archive.error.order"]
    page.fill("#archive-reason", "")
    page.click("#archive-export")
    assert page.locator("#archive-error").text_content() == MESSAGES[lang]["archive.error.reason"]
    page.close()


def test_rights_follow_the_user(shared_stack: Stack, footage: int,
                                browser: BrowserContext) -> None:
    page = open_archive(browser, shared_stack, "sup_a", "zh-CN", DESKTOP, footage)
    check_page(page, "zh-CN")
    assert page.locator("#archive-bar .coverage-recorded").count() == 2
    assert not page.locator("#archive-evidence").is_visible()
    assert not page.locator("#archive-holds-section").is_visible()
    page.close()
    auth = {"Authorization": f"Bearer {shared_stack.login('sup_a')}"}
    body = {"from_ms": FROM, "to_ms": TO, "reason": "not mine to export"}
    url = f"{shared_stack.url}/api/cameras/{footage}"
    assert httpx.post(f"{url}/evidence", json=body, headers=auth).status_code == 403
    assert httpx.post(f"{url}/legal-holds", json=body, headers=auth).status_code == 403
    # another site's supervisor cannot choose the camera, and the API answers 404 for it
    page = console_page(browser, "en-US", DESKTOP)
    log_in(page, shared_stack.url, "sup_b", PASSWORD, "/archive")
    wait_js(page, "document.body.dataset.cameras === '1'")
    options = page.locator("#archive-camera option").evaluate_all("os => os.map(o => o.value)")
    assert str(footage) not in options
    page.close()
    auth = {"Authorization": f"Bearer {shared_stack.login('sup_b')}"}
    coverage = httpx.get(f"{url}/coverage", params={"from": FROM, "to": TO}, headers=auth)
    assert coverage.status_code == 404


@pytest.mark.parametrize(("lang", "viewport"), [("zh-CN", DESKTOP), ("en-US", PHONE)],
                         ids=["zh-CN-desktop", "en-US-phone"])
def test_region_and_batch_narrow_the_search(shared_stack: Stack, browser: BrowserContext,
                                            lang: str, viewport: dict[str, int]) -> None:
    """The district (of the site's organisation) narrows the cameras to its sites; a
    认定批次 narrows them to its session's room and sets the times to the session."""
    with shared_stack.db() as db:
        world = batch_world(db, name=f"厦门某某机械有限公司{lang}")
        batch = planned_batch(db, world, roster=None)
        batch_id = batch.id
    page = console_page(browser, lang, viewport)
    log_in(page, shared_stack.url, "admin", PASSWORD, "/archive")
    wait_js(page, "document.body.dataset.cameras !== undefined")
    check_page(page, lang)
    values = "() => [...document.querySelectorAll('#archive-camera option')].map(o => +o.value)"
    assert shared_stack.site_a is not None
    site_a = set(shared_stack.site_a.camera_ids)
    assert site_a <= set(page.evaluate(values))  # Site A has no organisation, so no district
    page.select_option("#archive-region", "350203")  # 思明区
    shown = set(page.evaluate(values))
    assert set(world.cameras) <= shown and not shown & site_a
    page.select_option("#archive-region", "")
    page.select_option("#archive-batch", str(batch_id))
    wait_js(page, "document.querySelectorAll('#archive-camera option').length === 1")
    assert page.locator("#archive-camera").input_value() == str(world.cameras[0])
    assert [page.input_value(f"#archive-{field}") for field in
            ("from", "from-time", "to", "to-time")] == \
        ["2026-03-02", "09:00:00", "2026-03-02", "11:00:00"]  # Beijing time, 24-hour
    assert page.locator("#archive-room option").count() == 2  # "all" and the session's room
    assert overflowing(page) == []
    page.close()
