"""The supervision report (督导报告) as typed content: what is rendered, signed and kept.

Field names are English; each field's description carries the exact Chinese term that the
rendered report prints. Cross-field rules are named functions called by the model
validators, so each can be read (and tested) on its own.
"""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

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
from proctor.supervision.report.text import (
    Code,
    Count,
    Day,
    DocumentNumber,
    Line,
    Link,
    Moment,
    Paragraph,
    Second,
    Sha256,
)

MAX_CLIP_SECONDS = 24 * 3600
MAX_SEGMENTS = 200_000  # a day of 10 s segments on 20 cameras


class _Content(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Occupation(_Content):
    """职业/工种."""

    name: Line = Field(description="职业/工种名称")
    code: Code = Field(description="职业/工种编码")


class Supervisor(_Content):
    """A 质量督导员 and the draw that assigned them."""

    name: Line = Field(description="姓名")
    draw_id: Code = Field(description="抽取编号 (双随机 draw)")
    qualification_no: Code | None = Field(default=None, description="督导员资格证号")


class Header(_Content):
    """The report's 基本情况."""

    report_number: Code = Field(description="报告编号")
    batch: Line = Field(description="认定批次")
    filing_number: DocumentNumber | None = Field(description="备案号 (None: 未登记)")
    organisation: Line = Field(description="认定机构")
    occupation: Occupation
    level: Level = Field(description="等级")
    mode: Mode = Field(description="认定方式")
    site: Line = Field(description="考点")
    room: Line = Field(description="考场")
    session_date: Day = Field(description="日期")
    session: Line = Field(description="场次")
    planned: Count = Field(description="应考人数")
    present: Count | None = Field(description="实考人数 (None: attendance not recorded)")
    absent: Count | None = Field(description="缺考人数 (None: attendance not recorded)")
    side: Side = Field(description="督导类型: 外督/内督")
    manner: Manner = Field(description="督导方式: 现场/线上/回放")
    supervisors: Annotated[list[Supervisor], Field(min_length=1, max_length=20)]
    recusal_statement: Paragraph = Field(description="回避声明")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        attendance_adds_up(self)
        supervisors_drawn_once(self)
        return self


class ChecklistEntry(_Content):
    """One checklist item: 是 / 否 / 不适用, a remark (required for 否), evidence links."""

    item: CheckItem
    answer: Answer
    remark: Paragraph | None = Field(default=None, description="说明")
    evidence: Annotated[list[Link], Field(max_length=20, description="证据链接")] = []

    @model_validator(mode="after")
    def _explained(self) -> Self:
        if self.answer is Answer.NO and self.remark is None:
            raise ValueError(f"{self.item}: an answer 否 needs a remark (说明)")
        return self


class Clip(_Content):
    """A time range of one camera's recording, to the second, and its segments' hashes."""

    camera_id: int = Field(ge=1, le=2**31 - 1)
    camera: Line = Field(description="摄像头")
    start: Second
    end: Second
    segments: Annotated[list[Sha256], Field(min_length=1, max_length=MAX_SEGMENTS)]

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        seconds = (self.end - self.start).total_seconds()
        if not 0 < seconds <= MAX_CLIP_SECONDS:
            raise ValueError(f"clip of {self.camera}: end must be after start and within "
                             f"{MAX_CLIP_SECONDS // 3600} h of it")
        return self


class Finding(_Content):
    """发现问题: what was seen, under which checklist item, and the clips that show it."""

    number: int = Field(ge=1, description="序号")
    item: CheckItem
    severity: Severity = Field(description="严重程度")
    description: Paragraph = Field(description="问题描述")
    clips: Annotated[list[Clip], Field(max_length=100)] = []


class Amendment(_Content):
    """The version this report amends (an amendment is a new version citing the old)."""

    report_number: Code = Field(description="原报告编号")
    version: int = Field(ge=1, description="原版本")
    pdf_sha256: Sha256 = Field(description="原 PDF 的 SHA-256")
    reason: Paragraph = Field(description="修订说明")


class Acknowledgement(_Content):
    """机构负责人确认 (谁主管、谁签字、谁负责)."""

    name: Line = Field(description="机构负责人")
    at: Moment = Field(description="确认时间")


class SupervisionReport(_Content):
    """A whole 督导报告, version ``version``."""

    header: Header
    checklist: Annotated[list[ChecklistEntry], Field(min_length=len(CheckItem),
                                                     max_length=len(CheckItem))]
    findings: Annotated[list[Finding], Field(max_length=500)] = []
    opinion: Paragraph = Field(description="处理意见")
    rectification_deadline: Day | None = Field(default=None, description="整改期限")
    conclusion: Conclusion = Field(description="督导结论")
    version: int = Field(default=1, ge=1, le=1000, description="版本")
    amends: Amendment | None = None
    acknowledgement: Acknowledgement | None = None
    issued_at: Moment = Field(description="填报时间")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        checklist_complete(self)
        findings_numbered(self)
        deadline_fits_conclusion(self)
        amendment_cites_previous(self)
        segments_bounded(self)
        return self

    def clips(self) -> list[tuple[int, Clip]]:
        """Every clip with the number of its finding, in report order."""
        return [(finding.number, clip) for finding in self.findings for clip in finding.clips]


def attendance_adds_up(header: Header) -> None:
    """应考 = 实考 + 缺考, or neither is recorded (未登记)."""
    if header.present is None and header.absent is None:
        return
    if header.present is None or header.absent is None:
        raise ValueError("present and absent are recorded together, or neither is")
    if header.present + header.absent != header.planned:
        raise ValueError(f"present {header.present} + absent {header.absent} is not "
                         f"planned {header.planned}")


def supervisors_drawn_once(header: Header) -> None:
    """No draw id appears twice."""
    repeated = [draw for draw, n in Counter(s.draw_id for s in header.supervisors).items()
                if n > 1]
    if repeated:
        raise ValueError(f"draw id listed twice: {', '.join(repeated)}")


def checklist_complete(report: SupervisionReport) -> None:
    """Each checklist item answered exactly once, in the printed order."""
    if [entry.item for entry in report.checklist] != list(CheckItem):
        raise ValueError("the checklist must answer each item once, in order: "
                         + ", ".join(CheckItem))


def findings_numbered(report: SupervisionReport) -> None:
    """Findings are numbered 1, 2, 3 … without gaps."""
    if [f.number for f in report.findings] != list(range(1, len(report.findings) + 1)):
        raise ValueError("findings must be numbered 1, 2, 3 … in order")


def deadline_fits_conclusion(report: SupervisionReport) -> None:
    """整改后认可 needs a 整改 deadline; a deadline is not before the session."""
    deadline = report.rectification_deadline
    if report.conclusion is Conclusion.ACCEPTED_AFTER_RECTIFICATION and deadline is None:
        raise ValueError("conclusion 整改后认可 needs a rectification deadline (整改期限)")
    if deadline is not None and deadline < report.header.session_date:
        raise ValueError("the rectification deadline is before the session")


def amendment_cites_previous(report: SupervisionReport) -> None:
    """Version 1 amends nothing; every later version cites an earlier one."""
    if report.version == 1 and report.amends is not None:
        raise ValueError("version 1 cannot amend another report")
    if report.version > 1 and report.amends is None:
        raise ValueError(f"version {report.version} must cite the version it amends")
    if report.amends is not None and report.amends.version >= report.version:
        raise ValueError(f"version {report.version} cannot amend version "
                         f"{report.amends.version}")


def segments_bounded(report: SupervisionReport) -> None:
    """At most :data:`MAX_SEGMENTS` segment hashes in the whole report."""
    total = sum(len(clip.segments) for _, clip in report.clips())
    if total > MAX_SEGMENTS:
        raise ValueError(f"{total} segment hashes: at most {MAX_SEGMENTS} per report")
