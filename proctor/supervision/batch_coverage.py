"""Recording coverage of a batch: for every session window and every camera of the
session's rooms, the seconds recorded and every gap, from the recording index (segments).

The arithmetic is :func:`proctor.recording.coverage.coverage`'s. Covered seconds are
exact (no tolerance). A **gap** is a hole in the recording of a window longer than the
tolerance (the ``coverage_gap_tolerance_seconds`` setting, 2 s by default): segments are
cut at keyframes and stamped from two clocks, so a shorter hole is a segment boundary, not
missing footage, and is not listed. Only the elapsed part of a window counts (up to now
while the session runs; nothing before it starts). Gaps may shrink later: the edge uploads
store-and-forward, and a late segment fills its hole.

A gap is **explained** when the explanations of its camera (:class:`GapExplanation`)
together cover all of it. The report cannot be signed, nor results filed, while
:func:`unexplained_gaps` lists any.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from proctor.auth.grants import epoch_ms
from proctor.auth.scope import Scope
from proctor.db.base import utcnow
from proctor.db.models import Segment
from proctor.recording.coverage import coverage
from proctor.recording.ingest import MAX_SEGMENT_MS
from proctor.supervision.batch_cameras import SessionCameras, session_cameras
from proctor.supervision.batches import get_batch
from proctor.supervision.oversight import GapExplanation
from proctor.supervision.records import Batch
from proctor.supervision.review_access import reviewable_batch

DEFAULT_GAP_TOLERANCE_S = 2.0  # the setting's default
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_Spans = list[tuple[int, int]]


def from_ms(ms: int) -> datetime:
    """Epoch milliseconds as an aware UTC datetime (exact)."""
    return _EPOCH + timedelta(milliseconds=ms)


@dataclass(frozen=True)
class Gap:
    """Part of a session window a camera did not record, longer than the tolerance."""

    session_id: int
    camera_id: int
    start: datetime
    end: datetime
    explained: bool


@dataclass(frozen=True)
class WindowCoverage:
    """One camera over the elapsed part of one session window."""

    session_id: int
    session_name: str
    camera_id: int
    start: datetime
    end: datetime  # the window's end, or now while the session runs
    covered_seconds: float
    gaps: tuple[Gap, ...]


@dataclass(frozen=True)
class BatchCoverage:
    """Every window of every camera, and the batch's gap explanations."""

    windows: list[WindowCoverage]
    explanations: list[GapExplanation]


def batch_coverage(db: Session, scope: Scope, batch_id: int, tolerance_s: float,
                   now: datetime | None = None) -> BatchCoverage:
    """The batch's coverage for a reviewer (see the module docstring)."""
    batch = reviewable_batch(db, scope, batch_id)
    explanations = _explanations(db, batch.id)
    return BatchCoverage(_windows(db, batch, explanations, tolerance_s, now or utcnow()),
                         explanations)


def unexplained_gaps(db: Session, batch_id: int,
                     tolerance_s: float = DEFAULT_GAP_TOLERANCE_S,
                     now: datetime | None = None) -> list[Gap]:
    """Every gap of the batch (by session, camera, start) that no explanation covers;
    pass the configured ``coverage_gap_tolerance_seconds``."""
    batch = get_batch(db, batch_id)
    windows = _windows(db, batch, _explanations(db, batch.id), tolerance_s, now or utcnow())
    return [gap for window in windows for gap in window.gaps if not gap.explained]


def _explanations(db: Session, batch_id: int) -> list[GapExplanation]:
    return list(db.scalars(select(GapExplanation).where(GapExplanation.batch_id == batch_id)
                           .order_by(GapExplanation.camera_id, GapExplanation.starts_at,
                                     GapExplanation.id)))


def _windows(db: Session, batch: Batch, explanations: list[GapExplanation],
             tolerance_s: float, now: datetime) -> list[WindowCoverage]:
    explained: dict[int, _Spans] = defaultdict(list)
    for row in explanations:
        explained[row.camera_id].append((epoch_ms(row.starts_at), epoch_ms(row.ends_at)))
    tolerance_ms = round(tolerance_s * 1000)
    elapsed = [(session, min(session.ends_at, now))
               for session in session_cameras(db, batch) if session.starts_at < now]
    recorded = _recorded_spans(db, elapsed)
    return [_window(session, camera_id, end, recorded[camera_id], tolerance_ms,
                    explained[camera_id])
            for session, end in elapsed for camera_id in session.camera_ids]


def _recorded_spans(db: Session, windows: list[tuple[SessionCameras, datetime]]
                    ) -> defaultdict[int, _Spans]:
    """The ``(start_ms, end_ms)`` of every segment overlapping a window of its camera, by
    camera: one query for the whole batch, plain rows (no ORM loading), answered from the
    ``(camera_id, start_ms, end_ms)`` index alone. A camera's list may hold spans of its
    other windows too; :func:`coverage` clips them to the window it is asked about. Ingest
    refuses segments longer than ``MAX_SEGMENT_MS``, so the lower bound on ``start_ms``
    keeps the index range to the window instead of the camera's whole history."""
    spans: defaultdict[int, _Spans] = defaultdict(list)
    overlaps = [and_(Segment.camera_id.in_(session.camera_ids),
                     Segment.start_ms > epoch_ms(session.starts_at) - MAX_SEGMENT_MS,
                     Segment.end_ms > epoch_ms(session.starts_at),
                     Segment.start_ms < epoch_ms(end))
                for session, end in windows if session.camera_ids]
    if overlaps:
        query = select(Segment.camera_id, Segment.start_ms, Segment.end_ms).where(
            or_(*overlaps))
        for camera_id, start_ms, end_ms in db.connection().execute(query).all():
            spans[camera_id].append((start_ms, end_ms))
    return spans


def _window(session: SessionCameras, camera_id: int, end: datetime, spans: _Spans,
            tolerance_ms: int, explained: _Spans) -> WindowCoverage:
    start_ms, end_ms = epoch_ms(session.starts_at), epoch_ms(end)
    exact = coverage(spans, start_ms, end_ms, tolerance_ms=0)
    # the same gaps as from the segments themselves, from the few merged intervals
    holes = coverage(exact.intervals, start_ms, end_ms, tolerance_ms).gaps
    gaps = tuple(Gap(session.session_id, camera_id, from_ms(a), from_ms(b),
                     coverage(explained, a, b, tolerance_ms=0).complete) for a, b in holes)
    return WindowCoverage(session.session_id, session.name, camera_id, session.starts_at,
                          end, exact.recorded_ms / 1000, gaps)
