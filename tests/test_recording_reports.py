"""The recording side's reports for the API: a camera's coverage from its stored segments,
and an edge agent's status (real SQLite)."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.orm import Session
from support.places import build_place
from support.review import add_segment

from proctor.errors import InvalidInput
from proctor.recording.reports import (
    SEEN_RESOLUTION,
    camera_coverage,
    note_agent_seen,
    note_agent_status,
)

T0 = 1_700_000_000_000


def test_coverage_reads_only_the_cameras_segments_in_the_window(db: Session) -> None:
    north, south = build_place(db, "North"), build_place(db, "South")
    for start in (T0, T0 + 10_000, T0 + 30_000):
        add_segment(db, north.camera.id, start, start + 10_000)
    add_segment(db, south.camera.id, T0 + 20_000, T0 + 30_000)  # another camera's
    report = camera_coverage(db, north.camera.id, T0 + 5_000, T0 + 45_000)
    assert report.intervals == [(T0 + 5_000, T0 + 20_000), (T0 + 30_000, T0 + 40_000)]
    assert report.gaps == [(T0 + 20_000, T0 + 30_000), (T0 + 40_000, T0 + 45_000)]
    assert not report.complete and report.recorded_ms == 25_000


def test_coverage_of_a_camera_without_footage_is_one_gap(db: Session) -> None:
    north = build_place(db, "North")
    report = camera_coverage(db, north.camera.id, T0, T0 + 5_000)
    assert (report.intervals, report.gaps) == ([], [(T0, T0 + 5_000)])


@pytest.mark.parametrize("end_ms", [T0, T0 - 1])
def test_coverage_refuses_an_empty_window(db: Session, end_ms: int) -> None:
    with pytest.raises(InvalidInput, match="'to' must be after 'from'"):
        camera_coverage(db, 1, T0, end_ms)


def test_agent_status_is_kept_and_an_alarm_logged(db: Session,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    device = build_place(db, "North").device
    status: dict[str, object] = {"spool_bytes": 900, "alarm": "spool 90 % full"}
    with caplog.at_level(logging.ERROR, logger="proctor.recording.reports"):
        note_agent_status(device, status, "spool 90 % full")
    assert device.status == status
    assert device.status_at is not None and device.last_seen_at == device.status_at
    assert [r.getMessage() for r in caplog.records] == ["edge device alarm: spool 90 % full"]


def test_a_quiet_status_logs_nothing_and_publishing_marks_the_device_seen(
        db: Session, caplog: pytest.LogCaptureFixture) -> None:
    device = build_place(db, "North").device
    with caplog.at_level(logging.ERROR, logger="proctor.recording.reports"):
        note_agent_status(device, {"spool_bytes": 0}, None)
    assert caplog.records == []
    device.last_seen_at = None
    note_agent_seen(device)
    assert device.last_seen_at is not None


def test_a_device_publishing_many_cameras_at_once_is_marked_seen_once(db: Session) -> None:
    device = build_place(db, "North").device
    device.last_seen_at = None
    note_agent_seen(device)
    first = device.last_seen_at
    note_agent_seen(device)  # its next camera, a moment later: the row is not written again
    assert first is not None and device.last_seen_at == first
    device.last_seen_at = first - SEEN_RESOLUTION
    note_agent_seen(device)
    assert device.last_seen_at > first
