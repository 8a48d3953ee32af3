"""Segment upload: verified, stored under COMPLIANCE retention, chained, idempotent, refused
with a clear message when wrong. Real server process, real SeaweedFS, real footage."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from support.ingest import T0, put_segment, store_of
from support.segments import cut_segment, digest_header
from support.stack import Stack
from typer.testing import CliRunner

from proctor.cli.main import app
from proctor.db.models import Segment


@pytest.fixture(scope="module")
def footage_segments(h264_footage: Path) -> list[bytes]:
    return [cut_segment(h264_footage, start, 10) for start in (0, 10, 20)]


def test_upload_is_stored_locked_chained_and_idempotent(shared_stack: Stack,
                                                        footage_segments: list[bytes]) -> None:
    camera = shared_stack.site_a.camera_ids[0]
    data = footage_segments[0]
    first = put_segment(shared_stack, camera, T0, data, offset_ms=250.4)
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    assert body["start_ms"] == T0 + 250  # corrected to the server's clock
    assert body["prev_hash"] == "0" * 64
    # the store (not our code) holds the bytes under COMPLIANCE retention of at least 5 years
    store = store_of(shared_stack)
    mode, until = store.retention(body["object_key"], body["version_id"])
    assert mode == "COMPLIANCE"
    assert until >= datetime.fromtimestamp(body["start_ms"] / 1000, UTC).replace(
        year=datetime.fromtimestamp(body["start_ms"] / 1000, UTC).year + 5)
    assert store.read(body["object_key"], body["version_id"]) == data
    again = put_segment(shared_stack, camera, T0, data, offset_ms=999)  # re-measured offset
    assert again.status_code == 200
    assert again.json()["chain_hash"] == body["chain_hash"]
    second = put_segment(shared_stack, camera, T0 + 10_000, footage_segments[1])
    assert second.status_code == 201
    assert second.json()["prev_hash"] == body["chain_hash"]


def test_different_bytes_for_a_stored_start_is_409(shared_stack: Stack,
                                                   footage_segments: list[bytes]) -> None:
    camera = shared_stack.site_a.camera_ids[1]
    assert put_segment(shared_stack, camera, T0, footage_segments[0]).status_code == 201
    clash = put_segment(shared_stack, camera, T0, footage_segments[1])
    assert clash.status_code == 409
    assert "already has a different segment" in clash.json()["detail"]


@pytest.mark.parametrize(
    ("case", "status", "message"),
    [
        ("wrong hash", 400, "does not match the declared"),
        ("no digest", 400, "Repr-Digest"),
        ("not ts", 400, "not readable MPEG-TS"),
        ("content type", 415, "video/mp2t"),
        ("end before start", 400, "end must be after its start"),
        ("other device's camera", 404, "is not assigned to device"),
        ("unknown camera", 404, "camera 9999 does not exist or is not assigned"),
        ("bad token", 401, "device token not valid"),
    ],
)
def test_bad_uploads_are_refused_clearly(shared_stack: Stack, footage_segments: list[bytes],
                                         case: str, status: int, message: str) -> None:
    camera = shared_stack.site_a.camera_ids[0]
    data = footage_segments[2]
    kwargs: dict[str, object] = {}
    if case == "wrong hash":
        kwargs["digest"] = digest_header(data + b"x")
    elif case == "no digest":
        kwargs["digest"] = "md5=:abc:"
    elif case == "not ts":
        data = b"\x00" * 4096
    elif case == "content type":
        kwargs["content_type"] = "application/octet-stream"
    elif case == "end before start":
        kwargs["end_ms"] = T0 - 1
    elif case == "other device's camera":
        camera = shared_stack.site_b.camera_ids[0]
    elif case == "unknown camera":
        camera = 9999
    elif case == "bad token":
        kwargs["token"] = "pdt_1_" + "z" * 43
    response = put_segment(shared_stack, camera, T0 + 500_000, data, **kwargs)  # type: ignore[arg-type]
    assert response.status_code == status, response.text
    assert message in response.json()["detail"]


def test_oversized_upload_is_413(stack: Stack) -> None:
    stack.stop_server()
    stack.server_env["PROCTOR_MAX_SEGMENT_BYTES"] = str(1024 * 1024)
    stack.start_server()
    response = put_segment(stack, stack.site_a.camera_ids[0], T0, b"\x47" * (2 * 1024 * 1024))
    assert response.status_code == 413
    assert "limit" in response.json()["detail"]


def test_server_without_store_says_recording_is_off(stack: Stack,
                                                    footage_segments: list[bytes]) -> None:
    stack.stop_server()
    stack.server_env = {}
    stack.start_server()
    response = put_segment(stack, stack.site_a.camera_ids[0], T0, footage_segments[0])
    assert response.status_code == 503
    assert "PROCTOR_S3_ENDPOINT" in response.json()["detail"]


def test_coverage_and_verify(stack: Stack, footage_segments: list[bytes],
                             monkeypatch: pytest.MonkeyPatch) -> None:
    camera = stack.site_a.camera_ids[0]
    for index, data in enumerate(footage_segments):
        assert put_segment(stack, camera, T0 + index * 10_000, data).status_code == 201
    assert put_segment(stack, camera, T0 + 60_000, footage_segments[0]).status_code == 201
    token = stack.login("sup_a")
    report = httpx.get(f"{stack.url}/api/cameras/{camera}/coverage",
                       params={"from": T0, "to": T0 + 70_000},
                       headers={"Authorization": f"Bearer {token}"}).json()
    assert report["gaps"] == [[T0 + 30_000, T0 + 60_000]]
    assert not report["complete"] and report["recorded_ms"] == 40_000
    complete = httpx.get(f"{stack.url}/api/cameras/{camera}/coverage",
                         params={"from": T0, "to": T0 + 30_000},
                         headers={"Authorization": f"Bearer {token}"}).json()
    assert complete["complete"] and complete["gaps"] == []
    checked = httpx.get(f"{stack.url}/api/cameras/{camera}/coverage",
                        params={"from": T0, "to": T0 + 30_000, "check_store": "true"},
                        headers={"Authorization": f"Bearer {token}"}).json()
    assert (checked["store_checked"], checked["unreadable"], checked["complete"]) == \
        (True, [], True)
    outsider = httpx.get(f"{stack.url}/api/cameras/{camera}/coverage",
                         params={"from": T0, "to": T0 + 1}, headers={
                             "Authorization": f"Bearer {stack.login('sup_b')}"})
    assert outsider.status_code == 404  # another site's camera: as if it did not exist

    for key, value in stack.server_env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("PROCTOR_DATA_DIR", str(stack.data_dir))
    runner = CliRunner()
    ok = runner.invoke(app, ["archive", "verify", "--camera", str(camera)])
    assert ok.exit_code == 0, ok.output
    assert "OK, 4 segments" in ok.output
    cli_cov = runner.invoke(app, ["archive", "coverage", "--camera", str(camera),
                                  "--from", str(T0), "--to", str(T0 + 70_000)])
    assert "INCOMPLETE" in cli_cov.output and "gap" in cli_cov.output and "(30 s)" in cli_cov.output

    # alter one index row behind the server's back: verify names that exact segment
    with stack.db() as db:
        record = db.scalars(select(Segment).where(Segment.camera_id == camera,
                                                  Segment.agent_start_ms == T0 + 10_000)).one()
        record.end_ms += 1
    broken = runner.invoke(app, ["archive", "verify", "--camera", str(camera)])
    assert broken.exit_code == 1
    assert f"(start {T0 + 10_000})" in broken.output and "altered" in broken.output

    # an index row naming a version the store never had: recorded but unreadable
    with stack.db() as db:
        record = db.scalars(select(Segment).where(Segment.camera_id == camera,
                                                  Segment.agent_start_ms == T0 + 20_000)).one()
        record.version_id, missing_id = "never-stored", record.id
    window = {"from": T0 + 20_000, "to": T0 + 30_000}
    headers = {"Authorization": f"Bearer {token}"}
    unreadable = httpx.get(f"{stack.url}/api/cameras/{camera}/coverage", headers=headers,
                           params={**window, "check_store": "true"}).json()
    assert not unreadable["complete"] and unreadable["gaps"] == []
    assert [(u["segment_id"], u["start_ms"]) for u in unreadable["unreadable"]] == \
        [(missing_id, T0 + 20_000)]
    assert unreadable["unreadable"][0]["reason"].startswith("recorded but unreadable")
    clip = httpx.get(f"{stack.url}/api/cameras/{camera}/clip.mp4", params=window,
                     headers=headers, timeout=60)
    assert clip.status_code == 503
    assert f"segment {missing_id} of camera {camera}" in clip.json()["detail"]


@pytest.mark.parametrize(
    ("offset", "start", "message"),
    [
        ("nan", T0, "finite"),
        ("0", 10**12, "not within the last year"),  # 2001: a box whose clock was never set
        ("0", 4_102_444_800_000, "not within the last year"),  # 2100
    ],
)
def test_impossible_times_are_refused(shared_stack: Stack, footage_segments: list[bytes],
                                      offset: str, start: int, message: str) -> None:
    response = put_segment(shared_stack, shared_stack.site_a.camera_ids[0], start,
                           footage_segments[0], offset_ms=float(offset))
    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert response.headers["x-proctor-reject"] == "permanent"
