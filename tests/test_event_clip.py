"""The clip an event links to: its whole span with 10 s either side, the onset of an event
still open, and never longer than the archive serves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from proctor.events.views import clip_url
from proctor.recording.archive import MAX_CLIP_MS

START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
START_MS = int(START.timestamp() * 1000)


def window(url: str) -> tuple[str, int, int, int]:
    parts = urlsplit(url)
    query = {key: int(values[0]) for key, values in parse_qs(parts.query).items()}
    rolled = (query["to"] + query["post"] * 1000) - (query["from"] - query["pre"] * 1000)
    return parts.path, query["from"] - START_MS, query["to"] - START_MS, rolled


def test_closed_open_and_very_long_events() -> None:
    assert window(clip_url(7, START, START + timedelta(seconds=95))) == (
        "/api/cameras/7/clip.mp4", 0, 95_000, 115_000)
    assert window(clip_url(7, START, None))[1:3] == (0, 30_000)  # still open: the onset
    path, start, end, rolled = window(clip_url(7, START, START + timedelta(hours=9)))
    assert start == 0 and rolled == MAX_CLIP_MS  # capped to what the clip endpoint serves
