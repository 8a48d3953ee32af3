"""``proctor bench supervision``: the report path and the results gate of a large batch.

A throwaway SQLite database gets a batch of N cameras in one room, one session of H hours,
the recording index of every camera for the whole session (10 s segments, rows only: no
video is needed to compose, sign or gate), two drawn supervisors and F findings that split
the session into equal windows, each naming every camera (20 × 8 × 4 h: 11,520 segment
hashes). Timed: composing the report from the database, rendering and signing it with
the product's own code; then the results gate (facts from the database and the decision)
on the signed batch in publicity, best of several runs.
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.orm import Session

from proctor.db.migrate import upgrade_database
from proctor.db.models import Camera, Role, Room, Segment, Site, User
from proctor.db.organisations import Organisation, OrganisationKind, Region, RegionLevel
from proctor.db.session import create_db_engine, create_session_factory
from proctor.supervision.calendar_service import load_calendar
from proctor.supervision.gate import check_gate
from proctor.supervision.oversight import Assignment, Draw, DrawKind, Finding, Report, Supervisor
from proctor.supervision.records import Batch, ExamSession, SessionRoom
from proctor.supervision.report.identity import service_identity
from proctor.supervision.report.signing import PadesSigner
from proctor.supervision.report.terms import CheckItem, Conclusion, Level, Mode, Severity
from proctor.supervision.report.text import BEIJING
from proctor.supervision.report_archive import signed_pdf
from proctor.supervision.report_draft import Edition, Judgement, compose
from proctor.supervision.results_gate import gate_facts
from proctor.supervision.settings import SupervisionSettings
from proctor.supervision.states import BatchState

SESSION_START = datetime(2026, 12, 8, 9, 0, tzinfo=BEIJING)  # a Tuesday
SEGMENT_MS = 10_000
GATE_RUNS = 5
JUDGEMENT = Judgement(opinion="责令认定机构整改考场巡视制度，并提交整改报告。",
                      rectification_deadline=date(2026, 12, 18),
                      conclusion=Conclusion.ACCEPTED_AFTER_RECTIFICATION)


@dataclass(frozen=True)
class SupervisionBenchResult:
    """What the bench measured (seconds unless named otherwise)."""

    cameras: int
    hours: int
    findings: int
    segment_hashes: int
    pdf_bytes: int
    compose_seconds: float
    render_sign_seconds: float
    report_seconds: float
    gate_ms: float
    gate_open: bool


def _digest(*parts: object) -> str:
    return hashlib.sha256(" ".join(map(str, parts)).encode()).hexdigest()


def _place(db: Session, cameras: int) -> list[int]:
    """A region tree, an organisation, its site, one room with ``cameras`` cameras."""
    db.add_all([Region(code="350000", name="福建省", level=RegionLevel.PROVINCE),
                Region(code="350200", name="厦门市", level=RegionLevel.CITY, parent_code="350000"),
                Region(code="350211", name="集美区", level=RegionLevel.DISTRICT,
                       parent_code="350200")])
    db.flush()
    organisation = Organisation(name="厦门市某职业技术学院", kind=OrganisationKind.COLLEGE,
                                region_code="350211", head_name="王建国")
    db.add(organisation)
    db.flush()
    site = Site(name="集美区实训楼", organisation_id=organisation.id)
    db.add(site)
    db.flush()
    room = Room(site_id=site.id, name="第3考场（实操室A）")
    db.add(room)
    db.flush()
    rows = [Camera(room_id=room.id, name=f"摄像头{n}") for n in range(1, cameras + 1)]
    db.add_all(rows)
    db.flush()
    return [organisation.id, room.id, *(camera.id for camera in rows)]


def _draw(db: Session, batch: Batch) -> int:
    """Two supervisors drawn for the batch; returns the first one's user id."""
    draw = Draw(kind=DrawKind.SUPERVISORS, batch_id=batch.id, commitment=_digest("c"),
                seed=_digest("s"), snapshot="{}", snapshot_sha256=_digest("{}"),
                drawn_by="system:bench")
    db.add(draw)
    db.flush()
    users = [User(username=f"sup{n}", password_hash="!", role=Role.SUPERVISOR) for n in (1, 2)]
    db.add_all(users)
    db.flush()
    for user, name in zip(users, ("林晓燕", "陈志强"), strict=True):
        person = Supervisor(user_id=user.id, name=name, region_code="350200",
                            qualification_number=f"DD-{user.id:04d}")
        db.add(person)
        db.flush()
        db.add(Assignment(batch_id=batch.id, supervisor_id=person.id, draw_id=draw.id,
                          access_until=SESSION_START + timedelta(days=30)))
    return users[0].id


def _segments(db: Session, camera_ids: list[int], start: datetime, hours: int) -> None:
    first = int(start.timestamp() * 1000)
    count = hours * 3600 * 1000 // SEGMENT_MS
    db.execute(insert(Segment), [
        {"camera_id": camera, "start_ms": first + i * SEGMENT_MS,
         "end_ms": first + (i + 1) * SEGMENT_MS, "agent_start_ms": first + i * SEGMENT_MS,
         "clock_offset_ms": 0.0, "size": 1_000_000, "sha256": _digest(camera, i),
         "object_key": f"cameras/{camera}/{i}.ts", "version_id": "v1",
         "retain_until": start + timedelta(days=5 * 366), "prev_hash": _digest("p", camera, i),
         "chain_hash": _digest("h", camera, i)}
        for camera in camera_ids for i in range(count)])


def build_batch(db: Session, cameras: int, hours: int, findings: int) -> Batch:
    """The ended batch the bench reports on (see the module docstring)."""
    organisation_id, room_id, *camera_ids = _place(db, cameras)
    end = SESSION_START + timedelta(hours=hours)
    batch = Batch(organisation_id=organisation_id, occupation_name="电工",
                  occupation_code="6-31-01-03", level=Level.FOUR, mode=Mode.PRACTICAL,
                  state=BatchState.ENDED, filing_number="BA-350200-2026-0123",
                  created_by="system:bench")
    batch.sessions.append(ExamSession(
        name="第1场", starts_at=SESSION_START.astimezone(UTC), ends_at=end.astimezone(UTC),
        rooms=[SessionRoom(room_id=room_id, expected_examinees=40, present=38, absent=2)]))
    db.add(batch)
    db.flush()
    author = _draw(db, batch)
    _segments(db, camera_ids, SESSION_START, hours)
    window = hours * 3600 // max(findings, 1)
    items = list(CheckItem)
    db.add_all(Finding(batch_id=batch.id, author_id=author, camera_ids=camera_ids,
                       starts_at=SESSION_START + timedelta(seconds=(n - 1) * window),
                       ends_at=SESSION_START + timedelta(seconds=n * window),
                       category=items[n % len(items)], severity=Severity.MINOR,
                       note=f"第{n}个时段：考生离座，考评员未及时制止。")
               for n in range(1, findings + 1))
    db.flush()
    return batch


def _time_gate(db: Session, batch: Batch) -> tuple[float, bool]:
    """The gate on the signed batch in publicity: best of :data:`GATE_RUNS`, in ms."""
    batch.state, batch.publicity_started_on = BatchState.PUBLICITY, date(2026, 12, 9)
    rules, now = SupervisionSettings().deadline_rules(), SESSION_START + timedelta(days=10)
    times, decision = [], None
    for _ in range(GATE_RUNS):
        started = time.perf_counter()
        decision = check_gate(gate_facts(db, batch, load_calendar(db), rules, now))
        times.append((time.perf_counter() - started) * 1000)
    assert decision is not None
    return min(times), decision.open


def run_supervision_bench(out: Path, cameras: int = 8, hours: int = 4,
                          findings: int = 20) -> SupervisionBenchResult:
    """Build, compose, render and sign the report into ``out``; time the gate."""
    with tempfile.TemporaryDirectory(prefix="proctor-bench-supervision-") as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        upgrade_database(url)
        signer = PadesSigner(service_identity(Path(folder), create=True))  # before the clock
        engine = create_db_engine(url)
        try:
            with create_session_factory(engine)() as db:
                batch = build_batch(db, cameras, hours, findings)
                issued = SESSION_START + timedelta(hours=hours + 1)
                started = time.perf_counter()
                content = compose(db, batch, JUDGEMENT, Edition("DD-2026-00001", 1, issued))
                composed = time.perf_counter()
                pdf = signed_pdf(content, signer)
                signed = time.perf_counter()
                db.add(Report(batch_id=batch.id, number="DD-2026-00001", content={},
                              conclusion=content.conclusion, signed_at=issued,
                              pdf_sha256=hashlib.sha256(pdf).hexdigest(),
                              signed_by="system:bench", created_by="system:bench"))
                gate_ms, gate_open = _time_gate(db, batch)
        finally:
            engine.dispose()
    out.write_bytes(pdf)
    return SupervisionBenchResult(
        cameras=cameras, hours=hours, findings=findings,
        segment_hashes=sum(len(clip.segments) for _, clip in content.clips()),
        pdf_bytes=len(pdf), compose_seconds=round(composed - started, 3),
        render_sign_seconds=round(signed - composed, 3),
        report_seconds=round(signed - started, 3), gate_ms=round(gate_ms, 1),
        gate_open=gate_open)
