"""Legal holds reach the store's object versions, cover late arrivals, and lift correctly."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from support.ingest import T0, audit_actions, put_segment, segments, store_of
from support.segments import cut_segment
from support.stack import Stack
from typer.testing import CliRunner

from proctor.cli.main import app


@pytest.fixture(scope="module")
def segment_bytes(h264_footage: Path) -> list[bytes]:
    return [cut_segment(h264_footage, i * 10, 10) for i in range(4)]


def held(stack: Stack, camera: int) -> dict[int, bool]:
    """Legal hold state of each stored segment version, asked of the store itself."""
    store = store_of(stack)
    return {s.start_ms: store.legal_hold(s.object_key, s.version_id)
            for s in segments(stack, camera)}


def test_hold_place_cover_late_arrival_and_lift(stack: Stack, segment_bytes: list[bytes]) -> None:
    camera = stack.site_a.camera_ids[0]
    for index in (0, 1, 3):  # segment 2 arrives later (after an outage, say)
        stored = put_segment(stack, camera, T0 + index * 10_000, segment_bytes[index])
        assert stored.status_code == 201
    officer = {"Authorization": f"Bearer {stack.login('officer')}"}
    url = f"{stack.url}/api/cameras/{camera}/legal-holds"
    first = httpx.post(url, json={"from_ms": T0 + 12_000, "to_ms": T0 + 35_000,
                                  "reason": "complaint 117"}, headers=officer)
    assert first.status_code == 201, first.text
    assert first.json()["segments_held"] == 2
    assert held(stack, camera) == {T0: False, T0 + 10_000: True, T0 + 30_000: True}

    assert put_segment(stack, camera, T0 + 20_000, segment_bytes[2]).status_code == 201
    assert held(stack, camera)[T0 + 20_000] is True  # the late arrival is held too

    second = httpx.post(url, json={"from_ms": T0 + 31_000, "to_ms": T0 + 32_000,
                                   "reason": "complaint 118"}, headers=officer).json()
    lifted = httpx.delete(f"{stack.url}/api/legal-holds/{first.json()['id']}", headers=officer)
    assert lifted.status_code == 200 and lifted.json()["lifted_by"].startswith("user:")
    # complaint 118 still covers the last segment; the others are released
    assert held(stack, camera) == {T0: False, T0 + 10_000: False, T0 + 20_000: False,
                                   T0 + 30_000: True}
    again = httpx.delete(f"{stack.url}/api/legal-holds/{first.json()['id']}", headers=officer)
    assert again.status_code == 409
    listed = httpx.get(url, headers=officer).json()
    assert [h["reason"] for h in listed] == ["complaint 117", "complaint 118"]
    assert listed[1]["lifted_at"] is None and second["segments_held"] == 1
    actions = audit_actions(stack)
    assert actions.count("archive.legal_hold") == 2 and "archive.legal_hold_lifted" in actions


def test_a_hold_placed_while_segments_arrive_covers_every_one(stack: Stack,
                                                              segment_bytes: list[bytes]) -> None:
    """Uploads and the hold race each other for real (threads against the real server and
    store): whichever commits first, no segment in the held range may stay unheld. The
    unsafe window of the old order was milliseconds wide and this did not catch it in three
    runs; the ordering argument is in proctor.recording.legal_hold's docstring."""
    camera = stack.site_a.camera_ids[1]
    officer = {"Authorization": f"Bearer {stack.login('officer')}"}
    starts = [T0 + index * 10_000 for index in range(8)]

    def place() -> httpx.Response:
        return httpx.post(f"{stack.url}/api/cameras/{camera}/legal-holds", headers=officer,
                          json={"from_ms": T0, "to_ms": T0 + 80_000, "reason": "complaint 119"},
                          timeout=30)

    with ThreadPoolExecutor(max_workers=9) as pool:
        uploads = [pool.submit(put_segment, stack, camera, start, segment_bytes[index % 4])
                   for index, start in enumerate(starts[:4])]
        hold = pool.submit(place)
        uploads += [pool.submit(put_segment, stack, camera, start, segment_bytes[index % 4])
                    for index, start in enumerate(starts[4:])]
        assert [u.result().status_code for u in uploads] == [201] * 8
        assert hold.result().status_code == 201
    assert held(stack, camera) == dict.fromkeys(starts, True)


def test_reconcile_repairs_what_a_failed_or_racing_change_left(
        stack: Stack, segment_bytes: list[bytes], monkeypatch: pytest.MonkeyPatch) -> None:
    camera = stack.site_a.camera_ids[0]
    for index in range(3):
        assert put_segment(stack, camera, T0 + index * 10_000, segment_bytes[index]
                           ).status_code == 201
    officer = {"Authorization": f"Bearer {stack.login('officer')}"}
    url = f"{stack.url}/api/cameras/{camera}/legal-holds"
    assert httpx.post(url, headers=officer, json={
        "from_ms": T0, "to_ms": T0 + 15_000, "reason": "complaint 120"}).status_code == 201
    lifted = httpx.post(url, headers=officer, json={
        "from_ms": T0 + 20_000, "to_ms": T0 + 25_000, "reason": "complaint 121"}).json()
    httpx.delete(f"{stack.url}/api/legal-holds/{lifted['id']}", headers=officer
                 ).raise_for_status()
    assert held(stack, camera) == {T0: True, T0 + 10_000: True, T0 + 20_000: False}
    # what an interrupted hold and an upload racing the lift would leave behind
    store = store_of(stack)
    versions = {s.start_ms: (s.object_key, s.version_id) for s in segments(stack, camera)}
    for start, on in ((T0 + 10_000, False), (T0 + 20_000, True)):
        store.set_legal_hold(*versions[start], on)

    for key, value in {**stack.server_env, "PROCTOR_DATA_DIR": str(stack.data_dir)}.items():
        monkeypatch.setenv(key, value)
    result = CliRunner().invoke(app, ["archive", "reconcile-holds"])
    assert result.exit_code == 0 and "2 legal holds reconciled" in result.output, result.output
    assert held(stack, camera) == {T0: True, T0 + 10_000: True, T0 + 20_000: False}


def test_supervisor_may_not_place_holds(shared_stack: Stack) -> None:
    camera = shared_stack.site_a.camera_ids[0]
    response = httpx.post(f"{shared_stack.url}/api/cameras/{camera}/legal-holds",
                          json={"from_ms": T0, "to_ms": T0 + 1000, "reason": "curious"},
                          headers={"Authorization": f"Bearer {shared_stack.login('sup_a')}"})
    assert response.status_code == 403
    assert "may not export or hold recordings" in response.json()["detail"]
