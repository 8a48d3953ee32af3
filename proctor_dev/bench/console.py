"""``proctor bench console``: the live wall in Chromium with N cameras on loopback: when the
page first paints, when every tile is drawn, when every camera plays, and how many bytes the
browser loads for the page (HTML, modules, styles, catalog and API answers; the video itself
arrives over WebRTC and is not counted)."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from proctor_dev.browser import chromium
from proctor_dev.console_world import console_world

# the page's own timings (ms from navigation start) and what it loaded
TIMINGS_JS = """
() => {
  const at = (name) => performance.getEntriesByName(name)[0]?.startTime ?? null;
  const playing = performance.getEntriesByType('mark')
    .filter((m) => m.name.startsWith('video-playing:')).map((m) => m.startTime);
  const loads = [...performance.getEntriesByType('navigation'),
                 ...performance.getEntriesByType('resource')];
  const page = loads.filter((e) => e.entryType === 'navigation' || e.name.includes('/static/'));
  const sum = (entries, field) => entries.reduce((total, e) => total + (e[field] || 0), 0);
  return {
    fcp: at('first-contentful-paint'), tiles: at('wall-tiles'), playing,
    page_transferred: sum(page, 'transferSize'), page_decoded: sum(page, 'decodedBodySize'),
    page_files: page.length, api_transferred: sum(loads, 'transferSize')
      - sum(page, 'transferSize'), api_requests: loads.length - page.length,
  };
}
"""


@dataclass
class ConsoleBenchResult:
    """The figures ``proctor bench console`` prints as its last line."""

    cameras: int
    cameras_playing: int
    first_contentful_paint_ms: float
    all_tiles_drawn_ms: float
    first_video_playing_ms: float | None
    all_videos_playing_ms: float | None  # None unless every camera played in time
    page_bytes_transferred: int  # the HTML, modules, styles and catalog
    page_bytes_decoded: int
    page_files: int
    api_bytes_transferred: int  # API answers until the end (the list refreshes every 5 s)
    api_requests: int


def _wait_playing(read: Callable[[], dict[str, Any]], cameras: int,
                  timeout_s: float) -> dict[str, Any]:
    """Poll the page's timings until every camera plays or the time is up (the result says
    how many played)."""
    deadline = time.monotonic() + timeout_s
    timings = read()
    while len(timings["playing"]) < cameras and time.monotonic() < deadline:
        time.sleep(0.2)
        timings = read()
    return timings


def run_console_bench(cameras: int, width: int, height: int, fps: float, timeout_s: float,
                      log: Callable[[str], object] = print) -> ConsoleBenchResult:
    """Publish ``cameras`` synthetic cameras (four per room), open the live wall, measure."""
    source = f"testsrc://stamp?width={width}&height={height}&fps={fps}"
    rooms = -(-cameras // 4)
    with tempfile.TemporaryDirectory(prefix="proctor-bench-console-") as tmp:
        data_dir = Path(tmp)
        with console_world(data_dir, rooms, 4, source) as world, \
                chromium(data_dir / "profile") as browser:
            page = browser.new_page()
            page.set_viewport_size({"width": 1600, "height": 1000})
            page.request.post(f"{world.url}/api/auth/login",
                              data={"username": world.username, "password": world.password})
            log(f"opening the live wall of {len(world.camera_ids)} cameras "
                f"({width}x{height}@{fps:g})")
            page.goto(f"{world.url}/live")
            timings = _wait_playing(lambda: page.evaluate(TIMINGS_JS), len(world.camera_ids),
                                    timeout_s)
    playing = timings["playing"]
    return ConsoleBenchResult(
        cameras=cameras, cameras_playing=len(playing),
        first_contentful_paint_ms=round(timings["fcp"] or -1, 1),
        all_tiles_drawn_ms=round(timings["tiles"] or -1, 1),
        first_video_playing_ms=round(min(playing), 1) if playing else None,
        all_videos_playing_ms=round(max(playing), 1) if len(playing) >= cameras else None,
        page_bytes_transferred=int(timings["page_transferred"]),
        page_bytes_decoded=int(timings["page_decoded"]), page_files=int(timings["page_files"]),
        api_bytes_transferred=int(timings["api_transferred"]),
        api_requests=int(timings["api_requests"]),
    )


def result_line(result: ConsoleBenchResult) -> dict[str, object]:
    """The JSON object printed last."""
    return asdict(result)
