"""The scene editor (场景与座位区域) in a real browser, in zh-CN and en-US at desktop and
phone sizes: a reference picture uploaded and drawn under the zones; a seat zone drawn with
the mouse (clicks add corners, a corner dragged) and the invigilator zone with the keyboard
only (buttons, corner inputs, arrow keys); the server's refusal of a repeated seat name shown;
the scene saved as drawn. With a camera publishing real footage and analysis running, the
live picture becomes the reference and each zone shows its live count, the same as the API's.
A supervisor sees no editor, and the API refuses their change anyway."""

from __future__ import annotations

import re
from pathlib import Path

import cv2
import httpx
import numpy as np
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
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 320×180 JPEG to upload as the reference picture."""
    path = tmp_path_factory.mktemp("picture") / "reference.jpg"
    picture = np.random.default_rng(11).integers(0, 255, (180, 320, 3), dtype=np.uint8)
    cv2.imwrite(str(path), picture)
    return path


def open_editor(page: Page, stack: Stack, camera: int) -> None:
    log_in(page, stack.url, "admin", PASSWORD, f"/admin/scenes?camera={camera}")
    wait_js(page, "document.body.dataset.loaded === 'true'")


def centre(page: Page) -> None:
    """Scroll the drawing area to the middle of the window (not under the sticky header)."""
    page.locator("#scenes-overlay").evaluate("(node) => node.scrollIntoView({block: 'center'})")


def click_share(page: Page, x: float, y: float) -> None:
    """Click the drawing area at (x, y) in shares of the picture."""
    centre(page)
    box = page.locator("#scenes-overlay").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + x * box["width"], box["y"] + y * box["height"])


def corners(page: Page) -> list[list[float]]:
    """The selected zone's corners as its inputs show them."""
    values: list[list[float]] = page.evaluate("""() => [...document.querySelectorAll(
        '#scenes-points li')].map((li) => [...li.querySelectorAll('input')].map(
        (input) => Number(input.value)))""")
    return values


def scene_of(stack: Stack, camera: int) -> dict[str, object]:
    admin = {"Authorization": f"Bearer {stack.login('admin')}"}
    settings: dict[str, object] = httpx.get(f"{stack.url}/api/cameras/{camera}/scene",
                                            headers=admin).json()["settings"]
    return settings


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_draw_with_mouse_and_keyboard_and_save(
        shared_stack: Stack, browser: BrowserContext, reference: Path, lang: str,
        viewport: dict[str, int]) -> None:
    text = MESSAGES[lang]
    camera = shared_stack.site_a.camera_ids[0]
    admin = {"Authorization": f"Bearer {shared_stack.login('admin')}"}
    scene = f"{shared_stack.url}/api/cameras/{camera}/scene"
    httpx.put(scene, headers=admin, json={}).raise_for_status()  # from an empty scene
    httpx.delete(f"{scene}/reference", headers=admin).raise_for_status()
    page = console_page(browser, lang, viewport)
    open_editor(page, shared_stack, camera)
    check_page(page, lang)
    assert overflowing(page) == []
    assert page.locator("nav a[aria-current='page']").text_content() == text["nav.scenes"]
    assert page.locator("#scenes-live").text_content() == text["scenes.notAnalysed"]

    page.set_input_files("#scenes-upload", str(reference))
    wait_js(page, "!document.getElementById('scenes-picture').hidden")
    assert page.locator("#scenes-overlay").get_attribute("viewBox") == "0 0 320 180"
    assert page.locator("#scenes-reference").text_content() != text["scenes.noReference"]

    # a seat zone with the mouse: four clicks, then the third corner dragged
    page.click("#scenes-add-seat")
    page.fill("#scenes-zone-name", "A1")
    for x, y in ((0.1, 0.2), (0.4, 0.2), (0.4, 0.8), (0.1, 0.8)):
        click_share(page, x, y)
    drawn = corners(page)
    assert len(drawn) == 4 and all(abs(a - b) < 0.02 for a, b in zip(
        drawn[2], (0.4, 0.8), strict=True)), drawn
    centre(page)
    handle = page.locator("#scenes-overlay circle[data-corner='2']").bounding_box()
    box = page.locator("#scenes-overlay").bounding_box()
    assert handle is not None and box is not None
    page.mouse.move(handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + 0.5 * box["width"], box["y"] + 0.9 * box["height"], steps=4)
    page.mouse.up()
    moved = corners(page)[2]
    assert abs(moved[0] - 0.5) < 0.02 and abs(moved[1] - 0.9) < 0.02, moved
    assert page.locator("#scenes-overlay polygon").count() == 1

    # the invigilator zone by keyboard only: buttons, corner inputs, arrow keys
    page.focus("#scenes-add-invigilator")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "scenes-zone-name"
    page.keyboard.press("Control+A")
    page.keyboard.type("讲台")
    for _ in range(3):
        page.focus("#scenes-add-point")
        page.keyboard.press("Enter")
    page.fill("#scenes-point-0-x", "0.7")
    page.fill("#scenes-point-0-y", "0.1")
    page.keyboard.press("Tab")  # the change applies
    page.focus("#scenes-overlay")
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Shift+ArrowDown")
    desk = corners(page)
    assert desk[0] == [0.75, 0.15], desk
    assert len(desk) == 3
    assert page.locator("#scenes-overlay polygon").count() == 2
    assert page.locator("#scenes-add-invigilator").is_hidden()  # only one
    assert overflowing(page) == []

    # a second seat named like the first: the server's reason, shown
    page.click("#scenes-add-seat")
    page.fill("#scenes-zone-name", "A1")
    for x, y in ((0.5, 0.5), (0.6, 0.5), (0.6, 0.6)):
        click_share(page, x, y)
    page.fill("#scenes-expected", "2")
    page.locator("#scenes-form button[type=submit]").click()
    wait_js(page, "!document.getElementById('scenes-form-error').hidden")
    refusal = page.locator("#scenes-form-error").text_content() or ""
    assert "A1" in refusal and "{" not in refusal, refusal
    page.click("#scenes-delete-zone")
    page.locator("#scenes-form button[type=submit]").click()
    wait_js(page, "!document.getElementById('scenes-saved').hidden")

    saved = scene_of(shared_stack, camera)
    assert saved["expected_headcount"] == 2
    seats = saved["seat_zones"]
    assert isinstance(seats, list) and [seat["name"] for seat in seats] == ["A1"]
    assert seats[0]["polygon"][2] == moved
    assert saved["invigilator_zone"] == {"name": "讲台", "polygon": desk}
    page.reload()  # drawn again from the server
    wait_js(page, "document.body.dataset.loaded === 'true'")
    assert page.locator("#scenes-overlay polygon").count() == 2
    check_page(page, lang)
    assert overflowing(page) == []
    page.close()


def test_a_supervisor_sees_no_editor_and_the_api_refuses(
        shared_stack: Stack, browser: BrowserContext) -> None:
    page = console_page(browser, "zh-CN", PHONE)
    check_refused_page(page, shared_stack.url, ("sup_a", PASSWORD), "/admin/scenes", "zh-CN",
                       MESSAGES["zh-CN"]["scenes.error.forbidden"], ("#scenes-editor",))
    camera = shared_stack.site_a.camera_ids[0]
    supervisor = {"Authorization": f"Bearer {shared_stack.login('sup_a')}"}
    assert_refused(httpx.put(f"{shared_stack.url}/api/cameras/{camera}/scene",
                             headers=supervisor, json={"expected_headcount": 1}))
    page.close()


def test_live_reference_and_live_count_per_zone(analysis_stack: Stack, h264_footage: Path,
                                                browser: BrowserContext) -> None:
    stack = analysis_stack
    camera = stack.site_a.camera_ids[0]
    stack.start_agent({camera: h264_footage.as_uri()})
    admin = {"Authorization": f"Bearer {stack.login('admin')}"}
    whole = [[0, 0], [1, 0], [1, 1], [0, 1]]
    httpx.put(f"{stack.url}/api/cameras/{camera}/scene", headers=admin, timeout=60, json={
        "expected_headcount": 40, "seat_zones": [{"name": "all", "polygon": whole}],
        "invigilator_zone": {"name": "corner", "polygon": [[0, 0], [0.01, 0], [0, 0.01]]},
    }).raise_for_status()
    page = console_page(browser, "zh-CN", PHONE)
    open_editor(page, stack, camera)
    text = MESSAGES["zh-CN"]
    # the detector starts with the server: allow for loading the model on a slow machine
    live = str(wait_js(page, """([idle]) => {
        const shown = document.getElementById('scenes-live').textContent;
        return shown && shown !== idle && shown; }""", [text["scenes.notAnalysed"]],
                       timeout=120))
    people = int(re.match(r"画面中 (\d+) 人，应到 40 人", live).group(1))  # type: ignore[union-attr]
    zones = page.locator("#scenes-live-zones li").all_text_contents()
    assert zones[0].startswith("座位 all：") and zones[1] == "监考区域 corner：0 人", zones
    found = httpx.get(f"{stack.url}/api/cameras/{camera}/scene/occupancy",
                      headers=admin, timeout=30).json()
    assert found["analysed"] and found["expected"] == 40
    assert abs(found["people"] - people) <= 3  # the footage moves between the two reads
    assert found["zones"][0]["name"] == "all" and found["zones"][1]["people"] == 0

    page.click("#scenes-capture")  # the live picture becomes the reference
    # an automatic reference may already be shown: wait for the operator's to replace it
    wait_js(page, """([operator]) => !document.getElementById('scenes-picture').hidden
        && document.getElementById('scenes-reference').textContent.includes(operator)""",
            [text["scenes.source.operator"]], timeout=60)
    assert page.locator("#scenes-reference-error").is_hidden()
    check_page(page, "zh-CN")
    assert overflowing(page) == []
    page.close()
