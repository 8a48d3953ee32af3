"""End to end on loopback: a drawn supervisor watches the batch's camera live through WHEP,
and the viewing ends by itself when the session window closes (no access change, no
periodic 30 s check to wait for)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
from support.drawn import SessionPlan, drawn_batch, organisation, xiamen_regions
from support.stack import PASSWORD, Stack
from support.wait import wait_until

from proctor import directory
from proctor.db.base import utcnow
from proctor.db.models import Role
from proctor_dev.bench.viewer import WhepViewer

WINDOW_LEFT_S = 15  # after the camera is online: time to connect and receive frames


def whep_sessions(stack: Stack, token: str) -> int:
    text = httpx.get(f"{stack.url}/metrics", headers={"Authorization": f"Bearer {token}"}).text
    line = next(line for line in text.splitlines()
                if line.startswith('proctor_webrtc_sessions{kind="whep"}'))
    return int(float(line.split()[-1]))


async def test_drawn_viewing_ends_when_the_window_closes(stack: Stack,
                                                         h264_footage: Path) -> None:
    stack.stop_server()
    stack.server_env["PROCTOR_ASSIGNMENT_ACCESS_MARGIN_MINUTES"] = "0"
    stack.start_server()
    assert stack.site_a is not None and stack.site_b is not None
    camera = stack.site_a.camera_ids[0]
    stack.start_agent({camera: h264_footage.as_uri()})
    admin = stack.login("admin")
    assert await wait_until(lambda: stack.camera_status(admin, camera)["online"], 15)

    window_end = utcnow() + timedelta(seconds=WINDOW_LEFT_S)
    with stack.db() as db:
        xiamen_regions(db)
        user = directory.create_user(db, "test", "drawn", PASSWORD, Role.SUPERVISOR)
        drawn_batch(db, organisation(db), user.id, window_end + timedelta(days=10),
                    [SessionPlan(utcnow() - timedelta(minutes=5), window_end,
                                 [stack.site_a.room_id])])
    drawn = stack.login("drawn")
    refused = httpx.post(f"{stack.url}/whep/{stack.site_b.camera_ids[0]}", content="v=0",
                         headers={"Authorization": f"Bearer {drawn}",
                                  "Content-Type": "application/sdp"})
    assert refused.status_code == 404  # exactly the batch's cameras: others are unknown

    viewer = WhepViewer(stack.url, camera, drawn)
    await viewer.start()
    try:
        assert await wait_until(lambda: viewer.stats.frames > 0, 10)
        assert whep_sessions(stack, admin) == 1
        assert await wait_until(lambda: whep_sessions(stack, admin) == 0, WINDOW_LEFT_S + 10)
        ended_late_by = (utcnow() - window_end).total_seconds()
    finally:
        await viewer.stop()
    assert -1 < ended_late_by < 5, ended_late_by  # at the window's end, not a recheck later
    log = (stack.data_dir / "server.log").read_text()
    assert f"user drawn may no longer watch camera {camera}" in log
