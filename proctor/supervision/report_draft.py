"""A batch's 督导报告 composed from the database, around what the supervisors decide.

The supervisors' part is a :class:`Judgement` (checklist, 处理意见, 整改 deadline,
conclusion, supervision type). Everything else is read from the records each time the
report is composed, so a draft always shows the batch as it is and the signed version the
batch as it was when signed:

- the header from the batch (its filing number, 备案号), its organisation, sessions,
  rooms and sites; planned from the rosters, present / absent summed from the rooms'
  recorded attendance (:mod:`~proctor.supervision.attendance`): 未登记 (``None``) while a
  room has none, as is a missing filing number; a report is not signed with either
  missing; the drawn supervisors, each with ``DRAW-<draw>-<id>``; the recusal statement;
- the findings, by start: the manual ones (:class:`~proctor.supervision.oversight.Finding`)
  and the events a drawn supervisor confirmed (:mod:`~proctor.supervision.event_findings`),
  each with one clip per named camera: its range to the second and the SHA-256 of every
  covering segment of the recording index (a camera with no segment in the range has no
  clip: its gap is explained separately and listed by coverage).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from proctor.db.models import Camera, Room, Segment, Site
from proctor.db.organisations import Organisation
from proctor.errors import Conflict, InvalidInput
from proctor.supervision.china_time import CHINA, china_day
from proctor.supervision.event_findings import FindingSource, confirmed_event_findings
from proctor.supervision.oversight import Assignment, Finding, Supervisor
from proctor.supervision.records import Batch, ExamSession, SessionRoom
from proctor.supervision.report import content as rc
from proctor.supervision.report.terms import Answer, CheckItem, Conclusion, Manner, Side
from proctor.supervision.report.text import Day, Paragraph

MAX_LINE = 200
RECUSAL = ("督导员经双随机抽取产生（抽取编号见上表）。抽取时已按回避规则排除：被督导机构的人员，"
           "申报与该机构或其考生、考评人员有近亲属、师生、同事关系者，近期派驻过该机构者。"
           "督导员声明与被督导机构及其考生无利害关系。")


def default_checklist() -> list[rc.ChecklistEntry]:
    """Every checklist item answered 不适用, for the supervisors to change."""
    return [rc.ChecklistEntry(item=item, answer=Answer.NOT_APPLICABLE) for item in CheckItem]


class Judgement(BaseModel):
    """What the drawn supervisors decide; the rest of the report comes from the records."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    checklist: list[rc.ChecklistEntry] = Field(default_factory=default_checklist)
    opinion: Paragraph = Field(description="处理意见")
    rectification_deadline: Day | None = Field(default=None, description="整改期限")
    conclusion: Conclusion = Field(description="督导结论")
    side: Side = Field(default=Side.EXTERNAL, description="督导类型: 外督/内督")
    manner: Manner = Field(default=Manner.ONLINE, description="督导方式: 现场/线上/回放")

    @classmethod
    def of(cls, report: rc.SupervisionReport) -> Judgement:
        """The judgement a composed report holds."""
        return cls(checklist=report.checklist, opinion=report.opinion,
                   rectification_deadline=report.rectification_deadline,
                   conclusion=report.conclusion, side=report.header.side,
                   manner=report.header.manner)


@dataclass(frozen=True)
class Edition:
    """Which report this is: number, version, what it amends, when it was issued."""

    number: str
    version: int
    issued_at: datetime
    amends: rc.Amendment | None = None


def compose(db: Session, batch: Batch, judgement: Judgement,
            edition: Edition) -> rc.SupervisionReport:
    """The whole report of ``batch``; :class:`InvalidInput` naming every field the records
    or the judgement leave invalid."""
    try:
        return rc.SupervisionReport(
            header=_header(db, batch, judgement, edition.number),
            checklist=judgement.checklist, findings=report_findings(db, batch),
            opinion=judgement.opinion, rectification_deadline=judgement.rectification_deadline,
            conclusion=judgement.conclusion, version=edition.version, amends=edition.amends,
            issued_at=edition.issued_at)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'report'}: {e['msg']}"
                             for e in error.errors())
        raise InvalidInput(f"the report of batch {batch.id} is not valid: {problems}") \
            from error


def _listed(names: list[str], unit: str) -> str:
    """Names joined with 、, or the first and a count when that is too long for a line."""
    unique = list(dict.fromkeys(names))
    joined = "、".join(unique)
    return joined if len(joined) <= MAX_LINE else f"{unique[0][:150]} 等{len(unique)}{unit}"


def _session_label(session: ExamSession) -> str:
    start, end = session.starts_at.astimezone(CHINA), session.ends_at.astimezone(CHINA)
    return f"{session.name} {start:%m-%d %H:%M}–{end:%H:%M}"


def rooms_without_attendance(batch: Batch) -> list[SessionRoom]:
    """The rooms of the batch's sessions whose attendance is not recorded."""
    return [room for session in batch.sessions for room in session.rooms
            if room.present is None or room.absent is None]


def _attendance(batch: Batch) -> tuple[int | None, int | None]:
    """Present and absent over the batch's rooms, ``(None, None)`` while one has none."""
    if rooms_without_attendance(batch):
        return None, None
    rooms = [room for session in batch.sessions for room in session.rooms]
    return sum(room.present or 0 for room in rooms), sum(room.absent or 0 for room in rooms)


def _header(db: Session, batch: Batch, judgement: Judgement, number: str) -> rc.Header:
    sessions: list[ExamSession] = batch.sessions
    if not sessions:
        raise Conflict(f"batch {batch.id} has no sessions: there is nothing to report on")
    organisation = db.get(Organisation, batch.organisation_id)
    assert organisation is not None  # a foreign key
    rooms = [room for session in sessions for room in session.rooms]
    places = db.execute(select(Site.name, Room.name).join(Room, Room.site_id == Site.id)
                        .where(Room.id.in_([r.room_id for r in rooms])).order_by(Room.id)).all()
    present, absent = _attendance(batch)
    return rc.Header(
        report_number=number,
        batch=f"{batch.occupation_name}{batch.level.value}职业技能等级认定（批次 {batch.id}）",
        filing_number=batch.filing_number,
        organisation=organisation.name,
        occupation=rc.Occupation(name=batch.occupation_name, code=batch.occupation_code),
        level=batch.level, mode=batch.mode,
        site=_listed([site for site, _ in places], "个考点"),
        room=_listed([room for _, room in places], "个考场"),
        session_date=china_day(sessions[0].starts_at),
        session=_listed([_session_label(s) for s in sessions], "个场次"),
        planned=sum(room.expected_examinees for room in rooms), present=present,
        absent=absent,
        side=judgement.side, manner=judgement.manner,
        supervisors=_supervisors(db, batch), recusal_statement=RECUSAL)


def _supervisors(db: Session, batch: Batch) -> list[rc.Supervisor]:
    rows = db.execute(select(Supervisor, Assignment.draw_id)
                      .join(Assignment, Assignment.supervisor_id == Supervisor.id)
                      .where(Assignment.batch_id == batch.id).order_by(Supervisor.id)).all()
    if not rows:
        raise Conflict(f"batch {batch.id} has no drawn supervisors: draw them first")
    return [rc.Supervisor(name=person.name, draw_id=f"DRAW-{draw_id}-{person.id}",
                          qualification_no=person.qualification_number or None)
            for person, draw_id in rows]


def _camera_labels(db: Session, batch: Batch) -> dict[int, str]:
    rows = db.execute(select(Camera.id, Room.name, Camera.name)
                      .join(Room, Room.id == Camera.room_id)
                      .join(SessionRoom, SessionRoom.room_id == Room.id)
                      .join(ExamSession, ExamSession.id == SessionRoom.session_id)
                      .where(ExamSession.batch_id == batch.id))
    return {camera_id: f"{room} {camera}" for camera_id, room, camera in rows}


def report_findings(db: Session, batch: Batch) -> list[rc.Finding]:
    """The report's findings as the records stand: manual findings and confirmed events,
    by start (a manual finding first at the same start), numbered from 1."""
    labels = _camera_labels(db, batch)
    rows = db.scalars(select(Finding).where(Finding.batch_id == batch.id)
                      .order_by(Finding.starts_at, Finding.id))
    manual = [FindingSource(row.category, row.severity, row.note, row.camera_ids,
                            row.starts_at, row.ends_at) for row in rows]
    sources = sorted(manual + confirmed_event_findings(db, batch),
                     key=lambda source: source.start)  # stable: manual first, then by id
    return [rc.Finding(number=n, item=source.item, severity=source.severity,
                       description=source.description, clips=_clips(db, source, labels))
            for n, source in enumerate(sources, 1)]


def _segment_hashes(db: Session, camera_ids: list[int], start_ms: int,
                    end_ms: int) -> dict[int, list[str]]:
    """The SHA-256 of each camera's segments overlapping ``[start_ms, end_ms)``, in time
    order (the recording index, read as plain rows: a report holds thousands)."""
    hashes: dict[int, list[str]] = defaultdict(list)
    rows = db.execute(select(Segment.camera_id, Segment.sha256).where(
        Segment.camera_id.in_(camera_ids), Segment.end_ms > start_ms,
        Segment.start_ms < end_ms).order_by(Segment.camera_id, Segment.start_ms))
    for camera_id, sha256 in rows:
        hashes[camera_id].append(sha256)
    return hashes


def _clips(db: Session, finding: FindingSource, labels: dict[int, str]) -> list[rc.Clip]:
    hashes = _segment_hashes(db, finding.camera_ids, int(finding.start.timestamp() * 1000),
                             int(finding.end.timestamp() * 1000))
    return [rc.Clip(camera_id=camera_id, camera=labels.get(camera_id, f"摄像头 {camera_id}"),
                    start=finding.start, end=finding.end, segments=hashes[camera_id])
            for camera_id in finding.camera_ids if hashes[camera_id]]
