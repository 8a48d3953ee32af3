"""``proctor dev-screenshots``: small PNGs of every console page into docs/console/, in both
languages, at desktop and phone sizes, from a throwaway server whose cameras play the sample
footage. Needs Chromium and Playwright (scripts/test installs both)."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from proctor.config import REPO_ROOT
from proctor_dev.browser import chromium
from proctor_dev.console_world import ConsoleWorld, console_world
from proctor_dev.samples import h264_sample

if TYPE_CHECKING:
    from playwright.sync_api import Page, ViewportSize

OUT = REPO_ROOT / "docs" / "console"
LANGS = ("zh-CN", "en-US")
SIZES: dict[str, ViewportSize] = {"desktop": {"width": 1024, "height": 640},
                                  "phone": {"width": 360, "height": 740}}
# name, path, whether it needs a login
PAGES = (("login", "/login", False), ("live", "/live", True), ("account", "/account", True),
         ("archive", "/archive?camera={camera}", True), ("review", "/review", True),
         ("admin", "/admin", True), ("users", "/admin/users", True),
         ("scenes", "/admin/scenes?camera={camera}", True),
         ("batches", "/batches", True), ("batch", "/batches?batch={batch}", True),
         ("report", "/report?batch={batch}", True), ("complaints", "/complaints", True),
         ("publicity", "/publicity", False), ("complain", "/complain", False),
         ("track", "/track", False), ("oversight", "/oversight", True),
         ("not-found", "/no-such-page", True))
# the batch's heading at the top, below the header where the header stays (sticky)
SCROLL_TO_BATCH = """(() => {
  const header = document.getElementById("shell"), heading = document.getElementById("batch-name");
  const covered = getComputedStyle(header).position === "sticky" ? header.offsetHeight : 0;
  window.scrollTo(0, heading.getBoundingClientRect().top + window.scrollY - covered - 16);
})()"""
COLOURS = 96  # a palette this size keeps the text sharp and a page under ~100 kB


def _ready(page: Page, name: str) -> None:
    """Wait until the page has drawn (and, on the live wall, every video plays)."""
    page.wait_for_selector("body[data-ready='true']", timeout=30_000)
    if name == "archive":  # the first camera's last hour searched (or its error shown)
        page.wait_for_selector("body[data-cameras]", state="attached", timeout=30_000)
        page.wait_for_selector("#archive-loading[hidden]", state="attached", timeout=30_000)
    if name in ("review", "admin", "users", "scenes"):  # drawn (or their error shown)
        page.wait_for_selector("body[data-loaded]", state="attached", timeout=30_000)
    if name == "scenes":  # the reference picture under the zones
        page.wait_for_selector("#scenes-picture", state="visible", timeout=30_000)
    if name == "batches":  # the list drawn (or its error shown)
        page.wait_for_selector("body[data-batches]", state="attached", timeout=30_000)
    if name == "batch":  # the batch's planning: deadlines, actions, its draw, sessions
        page.wait_for_selector("#draw-result dd", timeout=30_000)
        page.wait_for_selector("#batch-deadlines li, #batch-no-deadlines:not([hidden])",
                               timeout=30_000)
        page.evaluate(SCROLL_TO_BATCH)
    if name == "report":  # the drafted report (or its error shown)
        page.wait_for_selector("body[data-loaded]", state="attached", timeout=30_000)
    if name == "complaints":  # the list drawn (or its error shown)
        page.wait_for_selector("body[data-loaded]", state="attached", timeout=30_000)
    if name == "complain":  # the attachments' limits stated
        page.wait_for_selector("#complain-limits:not(:empty)", timeout=30_000)
    if name == "oversight":  # the region and its batches drawn (or the error shown)
        page.wait_for_selector("body[data-loaded]", state="attached", timeout=30_000)
    if name != "live":
        return
    for _ in range(600):  # page.evaluate polls: the console's CSP refuses wait_for_function
        if page.evaluate("[...document.querySelectorAll('video')].every(v => v.currentTime > 1)"
                         " && document.querySelectorAll('video').length > 0"):
            return
        page.wait_for_timeout(100)
    raise TimeoutError("the live wall's videos did not play within 60 s")


def _draw_scene(page: Page, world: ConsoleWorld) -> None:
    """Give the first camera a scene to show: two seats, the invigilator's desk, and its
    live picture as the reference (sent as the console sends it, from its own origin)."""
    scene = f"{world.url}/api/cameras/{world.camera_ids[0]}/scene"
    origin = {"Origin": world.url}
    answers = [page.request.put(f"{scene}/reference", data=b"", headers=origin),
               page.request.put(scene, headers=origin, data={
                   "expected_headcount": 3, "seat_zones": [
                       {"name": "1", "polygon": [[0.1, 0.45], [0.35, 0.45], [0.35, 0.9],
                                                 [0.1, 0.9]]},
                       {"name": "2", "polygon": [[0.4, 0.45], [0.65, 0.45], [0.65, 0.9],
                                                 [0.4, 0.9]]}],
                   "invigilator_zone": {"name": "讲台", "polygon": [
                       [0.7, 0.1], [0.95, 0.1], [0.95, 0.5], [0.7, 0.5]]}})]
    for answer in answers:
        if not answer.ok:
            raise RuntimeError(f"{answer.url}: {answer.status} {answer.text()}")


def _shrink(path: Path) -> None:
    """Re-save a screenshot with a small palette (Pillow comes with the vision extra)."""
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=COLOURS, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def take(world: ConsoleWorld, profile: Path, out: Path,
         log: Callable[[str], object] = print) -> list[Path]:
    """Every page in every language and size; returns the files written."""
    written = []
    with chromium(profile) as browser:
        for lang in LANGS:
            for size, viewport in SIZES.items():
                page = browser.new_page()
                page.set_viewport_size(viewport)
                page.add_init_script(f"localStorage.setItem('proctor.lang', {json.dumps(lang)})")
                browser.clear_cookies()
                for name, path, login in PAGES:
                    if login and not browser.cookies():
                        page.request.post(f"{world.url}/api/auth/login", data={
                            "username": world.username, "password": world.password})
                    if name == "scenes":
                        _draw_scene(page, world)
                    target_path = path.format(camera=world.camera_ids[0], batch=world.batch_id)
                    page.goto(f"{world.url}{target_path}")
                    _ready(page, name)
                    target = out / f"{name}-{lang}-{size}.png"
                    page.screenshot(path=str(target))
                    _shrink(target)
                    written.append(target)
                    log(f"{target.relative_to(REPO_ROOT)}  {target.stat().st_size // 1024} kB")
                page.close()
    return written


def main(out: Path = OUT) -> list[Path]:
    """Start a world with two rooms of two cameras, and take the screenshots."""
    footage = h264_sample(REPO_ROOT / "var" / "media")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="proctor-screenshots-") as tmp, \
            console_world(Path(tmp), rooms=2, per_room=2, source=footage.as_uri()) as world:
        return take(world, Path(tmp) / "profile", out)
