"""Clips remuxed from stored segments play continuously, seek, and are audited."""

from __future__ import annotations

import io
from itertools import pairwise
from pathlib import Path

import av
import httpx
import pytest
from support.ingest import T0, audit_actions, put_segment
from support.segments import cut_segment
from support.stack import Stack

from proctor.recording.clips import SegmentMedia, assemble_clip

FRAME_S = 0.1  # the footage is 10 fps


@pytest.fixture(scope="module")
def media(h264_footage: Path) -> list[SegmentMedia]:
    return [SegmentMedia(T0 + i * 10_000, cut_segment(h264_footage, i * 10, 10)) for i in range(3)]


def decode(path_or_bytes: Path | bytes) -> list[av.VideoFrame]:
    source = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else str(path_or_bytes)
    with av.open(source) as container:
        return list(container.decode(video=0))


def test_clip_across_segment_boundaries_is_continuous(media: list[SegmentMedia],
                                                      tmp_path: Path) -> None:
    info = assemble_clip(media, T0 + 5_500, T0 + 24_200, tmp_path / "c.mp4")
    frames = decode(tmp_path / "c.mp4")
    assert info.first_ms == T0 + 5_000  # the keyframe at or before the start
    assert len(frames) == info.frames == 192  # 5.0 s .. 24.1 s at 10 fps, every frame
    steps = {round(b.time - a.time, 3) for a, b in pairwise(frames)}
    assert steps == {FRAME_S}
    assert (frames[0].width, frames[0].height) == (768, 576)


def test_a_gap_in_the_recording_stays_a_gap(media: list[SegmentMedia], tmp_path: Path) -> None:
    with_gap = [media[0], media[2]]  # the middle ten seconds were never recorded
    assemble_clip(with_gap, T0, T0 + 30_000, tmp_path / "g.mp4")
    frames = decode(tmp_path / "g.mp4")
    jumps = [round(b.time - a.time, 1) for a, b in pairwise(frames) if b.time - a.time > 0.15]
    assert jumps == [10.1]
    assert len(frames) == 200


def test_segments_placed_slightly_overlapping_still_make_a_clip(media: list[SegmentMedia],
                                                               tmp_path: Path) -> None:
    """A re-measured clock offset can place a segment a few ms before the previous one ends:
    every frame is kept, in order, and the muxer is never handed a timestamp going back."""
    overlapping = [media[0], SegmentMedia(media[1].start_ms - 150, media[1].data)]
    info = assemble_clip(overlapping, T0, T0 + 20_000, tmp_path / "o.mp4")
    frames = decode(tmp_path / "o.mp4")
    assert len(frames) == info.frames == 200
    assert all(b.time > a.time for a, b in pairwise(frames))


def test_clip_and_thumbnail_over_http(shared_stack: Stack, media: list[SegmentMedia]) -> None:
    camera = shared_stack.site_a.camera_ids[0]
    for item in media:
        assert put_segment(shared_stack, camera, item.start_ms, item.data).status_code == 201
    token = shared_stack.login("officer")  # complaint officer of site A
    auth = {"Authorization": f"Bearer {token}"}
    url = f"{shared_stack.url}/api/cameras/{camera}/clip.mp4"
    params = {"from": T0 + 12_000, "to": T0 + 18_000, "pre": 2, "post": 3}
    whole = httpx.get(url, params=params, headers=auth, timeout=30)
    assert whole.status_code == 200 and whole.headers["content-type"] == "video/mp4"
    frames = decode(whole.content)
    assert len(frames) == 110  # from the keyframe at 10 s up to 21 s
    ranged = httpx.get(url, params=params, headers={**auth, "Range": "bytes=100-199"})
    assert ranged.status_code == 206
    assert ranged.content == whole.content[100:200]
    assert ranged.headers["content-range"] == f"bytes 100-199/{len(whole.content)}"
    # plays in the page (a <video> seeks with Range), or saves as a file when asked
    name = f"camera{camera}-{T0 + 10_000}-{T0 + 21_000}.mp4"
    assert whole.headers["content-disposition"] == f'inline; filename="{name}"'
    assert whole.headers["accept-ranges"] == "bytes"
    tail = httpx.get(url, params={**params, "download": "true"},
                     headers={**auth, "Range": "bytes=-64"})
    assert tail.status_code == 206 and tail.content == whole.content[-64:]
    assert tail.headers["content-disposition"] == f'attachment; filename="{name}"'

    jpeg = httpx.get(f"{shared_stack.url}/api/cameras/{camera}/thumbnail.jpg",
                     params={"at": T0 + 15_000}, headers=auth)
    assert jpeg.status_code == 200 and jpeg.content[:2] == b"\xff\xd8"
    assert decode(jpeg.content)[0].width == 768

    none = httpx.get(url, params={"from": T0 - 100_000, "to": T0 - 50_000}, headers=auth)
    assert none.status_code == 404 and "no recording" in none.json()["detail"]
    outsider = httpx.get(url, params=params,
                         headers={"Authorization": f"Bearer {shared_stack.login('sup_b')}"})
    assert outsider.status_code == 404  # another site's camera: as unknown as a missing one
    actions = audit_actions(shared_stack, target=f"camera:{camera}")
    assert actions.count("archive.clip") == 3 and actions.count("archive.thumbnail") == 1
