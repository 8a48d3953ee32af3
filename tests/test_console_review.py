"""The alert review page (告警复核) in a real browser, in zh-CN and en-US at desktop and phone
sizes: a batch's alerts as a timeline per camera with the snapshot, confirm and dismiss
with a note (a dismissal without one is refused with a clear message), the verdict is the
reviewer's own (another reviewer still sees the alert unreviewed), the link to the clip opens
the archive page over the alert, and a user who may not review the batch is told so."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from PIL import Image
from playwright.sync_api import BrowserContext, Page, Response
from sqlalchemy import select
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
from support.ingest import store_of
from support.review import add_event, drawn_for_both_rooms
from support.stack import PASSWORD, Stack

from proctor.db.models import Event, User

pytestmark = pytest.mark.browser

DAY = "2026-03-02"


@dataclass(frozen=True)
class Batch:
    id: int
    cameras: tuple[int, int]
    events: tuple[int, int, int]  # two on the first camera, one on the second


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 40)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture(scope="module")
def batch(shared_stack: Stack) -> Batch:
    """A batch drawn for sup_a with three alerts; the first has a snapshot in the store."""
    stored = store_of(shared_stack).put_locked("test/snapshot.jpg", jpeg(),
                                               datetime.now(UTC) + timedelta(days=1),
                                               content_type="image/jpeg")
    with shared_stack.db() as db:
        world = build_world(db)
        sup = db.scalars(select(User).where(User.username == "sup_a")).one()
        batch_id = drawn_for_both_rooms(db, world, sup.id)
        events = (add_event(db, world.cameras[0], f"{DAY} 09:30"),
                  add_event(db, world.cameras[0], f"{DAY} 09:40", kind="seat_empty"),
                  add_event(db, world.cameras[1], f"{DAY} 10:00"))
        first = db.get(Event, events[0])
        assert first is not None
        first.snapshot_key, first.snapshot_version = stored.key, stored.version_id
    return Batch(batch_id, world.cameras, events)


def open_review(browser: BrowserContext, stack: Stack, user: str, lang: str,
                viewport: dict[str, int], batch: Batch) -> Page:
    page = console_page(browser, lang, viewport)
    log_in(page, stack.url, user, PASSWORD, f"/review?batch={batch.id}")
    wait_js(page, "document.body.dataset.loaded === 'true'")
    return page


def saved(response: Response) -> bool:
    """The answer to a verdict sent from the page."""
    return response.request.method == "PUT" and response.url.endswith("/review") \
        and response.ok


def card(event_id: int) -> str:
    return f".review-event[data-event-id='{event_id}']"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_timeline_confirm_dismiss_and_clip(shared_stack: Stack, batch: Batch,
                                           browser: BrowserContext, lang: str,
                                           viewport: dict[str, int]) -> None:
    text = MESSAGES[lang]
    page = open_review(browser, shared_stack, "admin", lang, viewport, batch)
    check_page(page, lang)
    assert overflowing(page) == []
    # one timeline per camera, oldest first, the first alert with its snapshot loaded
    assert page.locator(".review-camera").count() == 2
    ids = page.locator(".review-camera").first.locator(".review-event").evaluate_all(
        "cards => cards.map(c => Number(c.dataset.eventId))")
    assert ids == list(batch.events[:2])
    wait_js(page, f"document.querySelector(\"{card(batch.events[0])} img\")?.naturalWidth === 64")
    assert page.locator(f"{card(batch.events[1])} .review-kind").text_content() \
        == text["event.kind.seat_empty"]

    # dismissing needs a note; confirming does not
    first, second = card(batch.events[0]), card(batch.events[1])
    page.fill(f"{second} textarea", "")
    page.click(f"{second} button.secondary")
    assert page.locator(f"{second} .error").text_content() == text["review.error.note"]
    with page.expect_response(saved):
        page.click(f"{first} button:not(.secondary)")
    wait_js(page, f"document.querySelector(\"{first}\").dataset.state === 'confirmed'")
    page.fill(f"{second} textarea", f"是计算器 {lang}")
    with page.expect_response(saved):
        page.click(f"{second} button.secondary")
    wait_js(page, f"document.querySelector(\"{second}\").dataset.state === 'dismissed'")
    assert page.locator(f"{second} .review-state").text_content() == text["review.dismissed"]

    # the state filter, and the verdicts are kept on the server
    page.select_option("#review-show", "unreviewed")
    assert page.locator(".review-event").count() == 1
    page.reload()
    wait_js(page, "document.body.dataset.loaded === 'true'")
    assert page.locator(f"{second} textarea").input_value() == f"是计算器 {lang}"
    check_page(page, lang)
    assert overflowing(page) == []

    # the clip link opens the archive page over the alert
    page.click(f"{first} .review-clip")
    page.wait_for_url("**/archive?camera=*")
    wait_js(page, "!document.getElementById('archive-result').hidden"
                  " || !document.getElementById('archive-error').hidden")
    assert page.evaluate("document.getElementById('archive-camera').value") \
        == str(batch.cameras[0])
    page.close()


def test_the_verdict_is_the_reviewers_own(shared_stack: Stack, batch: Batch,
                                          browser: BrowserContext) -> None:
    page = open_review(browser, shared_stack, "sup_a", "zh-CN", DESKTOP, batch)
    third = card(batch.events[2])
    assert page.locator(f"{third}").get_attribute("data-state") == "unreviewed"
    page.click(f"{third} button:not(.secondary)")
    wait_js(page, f"document.querySelector(\"{third}\").dataset.state === 'confirmed'")
    page.close()
    page = open_review(browser, shared_stack, "admin", "en-US", DESKTOP, batch)
    assert page.locator(third).get_attribute("data-state") == "unreviewed"
    assert page.locator(f"{third} .muted").last.text_content() \
        == MESSAGES["en-US"]["review.others"].replace("{count}", "1")
    page.close()


def test_a_user_who_may_not_review_is_told(shared_stack: Stack, batch: Batch,
                                           browser: BrowserContext) -> None:
    page = open_review(browser, shared_stack, "sup_b", "zh-CN", PHONE, batch)
    assert page_error(page) == MESSAGES["zh-CN"]["review.error.notYours"]
    assert page.locator(".review-event").count() == 0
    check_page(page, "zh-CN")
    page.close()
    token = shared_stack.login("sup_b")
    refused = httpx.get(f"{shared_stack.url}/api/batches/{batch.id}/review",
                        headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code in (403, 404) and refused.json()["detail"]
