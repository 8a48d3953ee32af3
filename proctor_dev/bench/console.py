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
  return {
    fcp: at('first-contentful-paint'), tiles: at('wall-tiles'), playing,
    transferred: loads.reduce((sum, e) => sum + (e.transferSize || 0), 0),
    decoded: loads.reduce((sum, e) => sum + (e.decodedBodySize || 0), 0),
    requests: loads.length,
  };
}
"""


@dataclass
class ConsoleBenchResult:
    """The figures ``proctor bench console`` prints as its last line."""

    cameras: int
    first_contentful_paint_ms: float
    all_tiles_drawn_ms: float
    first_video_playing_ms: float
    all_videos_playing_ms: float
    bytes_transferred: int
    bytes_decoded: int
    requests: int


def _wait_playing(read: Callable[[], dict[str, Any]], cameras: int,
                  timeout_s: float) -> dict[str, Any]:
    """Poll the page's timings until every camera plays (or the time is up)."""
    deadline = time.monotonic() + timeout_s
    timings = read()
    while len(timings["playing"]) < cameras and time.monotonic() < deadline:
        time.sleep(0.2)
        timings = read()
    if len(timings["playing"]) < cameras:
        raise TimeoutError(f"{len(timings['playing'])} of {cameras} cameras played "
                           f"within {timeout_s:.0f} s")
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
        cameras=len(playing), first_contentful_paint_ms=round(timings["fcp"] or -1, 1),
        all_tiles_drawn_ms=round(timings["tiles"] or -1, 1),
        first_video_playing_ms=round(min(playing), 1),
        all_videos_playing_ms=round(max(playing), 1),
        bytes_transferred=int(timings["transferred"]), bytes_decoded=int(timings["decoded"]),
        requests=int(timings["requests"]),
    )


def result_line(result: ConsoleBenchResult) -> dict[str, object]:
    """The JSON object printed last."""
    return asdict(result)
