"""A realistic supervision report for the report tests (render, content, signing, timestamp):
many findings whose clips together cover every camera for the whole session, in 10 s segments.

Dev-only: the product composes reports from its records (``supervision.report_draft``) and
``proctor bench supervision`` builds its batch in a database; nothing in ``proctor`` uses this."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from proctor.supervision.report.content import (
    Acknowledgement,
    ChecklistEntry,
    Clip,
    Finding,
    Header,
    Occupation,
    SupervisionReport,
    Supervisor,
)
from proctor.supervision.report.terms import (
    Answer,
    CheckItem,
    Conclusion,
    Level,
    Manner,
    Mode,
    Severity,
    Side,
)
from proctor.supervision.report.text import BEIJING

SESSION_START = datetime(2026, 12, 8, 9, 0, tzinfo=BEIJING)


def sample_header(report_number: str = "DD-2026-0001") -> Header:
    """The 基本情况 of a plausible batch."""
    return Header(
        report_number=report_number, batch="2026年第12批次电工职业技能等级认定",
        filing_number="BA-350200-2026-0123", organisation="厦门市某职业技术学院",
        occupation=Occupation(name="电工", code="6-31-01-03"), level=Level.FOUR,
        mode=Mode.PRACTICAL, site="厦门市集美区实训楼", room="第3考场（实操室A）",
        session_date=SESSION_START.date(), session="第1场 09:00–13:00", planned=40,
        present=38, absent=2, side=Side.EXTERNAL, manner=Manner.ONLINE,
        supervisors=[Supervisor(name="林晓燕", draw_id="DRAW-2026-0456",
                                qualification_no="DD-0789"),
                     Supervisor(name="陈志强", draw_id="DRAW-2026-0457")],
        recusal_statement="本人与被督导机构及考生无近亲属、师生、同事等利害关系，无需回避。")


def sample_clip(camera: int, start: datetime, seconds: int, segment_seconds: int = 10) -> Clip:
    """A clip of ``camera`` with made-up (but well-formed) segment hashes."""
    first = int((start - SESSION_START).total_seconds()) // segment_seconds
    hashes = [hashlib.sha256(f"camera {camera} segment {first + i}".encode()).hexdigest()
              for i in range(seconds // segment_seconds)]
    return Clip(camera_id=camera, camera=f"第3考场 摄像头{camera}", start=start,
                end=start + timedelta(seconds=seconds), segments=hashes)


def sample_checklist() -> list[ChecklistEntry]:
    """Every item 是, except 守则宣读: 否, with a remark and an event link."""
    return [ChecklistEntry(item=item, answer=Answer.NO, remark="考前未完整宣读考场守则。",
                           evidence=["/api/events/41"]) if item is CheckItem.RULES
            else ChecklistEntry(item=item, answer=Answer.YES) for item in CheckItem]


def sample_report(findings: int = 20, cameras: int = 8, hours: int = 4) -> SupervisionReport:
    """A report whose ``findings`` split ``hours`` into equal windows, each with one clip per
    camera: 20 × 8 × 4 h gives 11,520 segment hashes."""
    window = hours * 3600 // max(findings, 1)
    items = list(CheckItem)
    return SupervisionReport(
        header=sample_header(),
        checklist=sample_checklist(),
        findings=[Finding(number=n, item=items[n % len(items)], severity=Severity.MINOR,
                          description=f"第{n}个时段：考生离座，考评员未及时制止。",
                          clips=[sample_clip(c, SESSION_START + timedelta(seconds=(n - 1) * window),
                                             window) for c in range(1, cameras + 1)])
                  for n in range(1, findings + 1)],
        opinion="责令认定机构对考场守则宣读和巡视制度进行整改，并提交整改报告。",
        rectification_deadline=SESSION_START.date() + timedelta(days=10),
        conclusion=Conclusion.ACCEPTED_AFTER_RECTIFICATION,
        acknowledgement=Acknowledgement(name="王建国", at=SESSION_START + timedelta(hours=6)),
        issued_at=SESSION_START + timedelta(hours=5))
