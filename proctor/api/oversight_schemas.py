"""Response bodies of the 三级 oversight views and the notifications list."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel

from proctor.db.organisations import RegionLevel
from proctor.oversight.batch_page import BatchLine, BatchPage
from proctor.oversight.cutoffs import DueStep
from proctor.oversight.notice_service import NoticeList
from proctor.oversight.notices import ComplaintStep, Notice, Stage, Subject
from proctor.oversight.summary import Counts, Row
from proctor.oversight.summary_service import RegionSummary
from proctor.supervision.report.terms import Level
from proctor.supervision.states import BatchState


class CountsPublic(BaseModel):
    """Batches by state, overdue steps (``null``: the calendar lacks a year, see
    ``deadlines_unavailable``), open and overdue complaints."""

    batches: int
    batches_by_state: dict[BatchState, int]
    overdue: dict[DueStep, int] | None
    overdue_total: int | None
    complaints_open: int
    complaints_overdue: int

    @classmethod
    def of(cls, counts: Counts, deadlines_known: bool) -> CountsPublic:
        """The counts as the API shows them."""
        return cls(batches=counts.batches, batches_by_state=dict(counts.batches_by_state),
                   overdue=dict(counts.overdue) if deadlines_known else None,
                   overdue_total=counts.overdue_total if deadlines_known else None,
                   complaints_open=counts.complaints_open,
                   complaints_overdue=counts.complaints_overdue)


class ChildPublic(BaseModel):
    """A child of the region: a region code (of a province or city) or an organisation id
    (of a district), with its name and counts."""

    key: str
    name: str
    counts: CountsPublic


class RegionSummaryPublic(BaseModel):
    """A region's summary: a row per child and the total."""

    code: str
    name: str
    level: RegionLevel
    parent_code: str | None  # the region above (the console's "up one level")
    children_are: str  # "regions" or "organisations"
    today: date  # China's day the deadlines were judged on
    deadlines_unavailable: str | None
    children: list[ChildPublic]
    total: CountsPublic

    @classmethod
    def of(cls, summary: RegionSummary) -> RegionSummaryPublic:
        """The summary as the API shows it."""
        known = summary.deadlines_unavailable is None
        region = summary.region

        def child(row: Row) -> ChildPublic:
            return ChildPublic(key=row.child.key, name=row.child.name,
                               counts=CountsPublic.of(row.counts, known))

        return cls(code=region.code, name=region.name, level=region.level,
                   parent_code=region.parent_code,
                   children_are="organisations" if region.level is RegionLevel.DISTRICT
                   else "regions", today=summary.today,
                   deadlines_unavailable=summary.deadlines_unavailable,
                   children=[child(row) for row in summary.rows],
                   total=CountsPublic.of(summary.total, known))


class BatchLinePublic(BaseModel):
    """A batch in a region view."""

    id: int
    organisation_id: int
    organisation_name: str
    district_code: str
    occupation_name: str
    level: Level
    state: BatchState
    first_session_at: datetime | None
    last_session_end: datetime | None
    overdue: list[DueStep]
    coverage_ratio: float | None  # recorded / expected camera-time; null: not computed yet
    coverage_computed_at: datetime | None
    alerts: int

    @classmethod
    def of(cls, line: BatchLine) -> BatchLinePublic:
        """The line as the API shows it."""
        return cls.model_validate(line, from_attributes=True)


class BatchPagePublic(BaseModel):
    """A page of a region's batches."""

    items: list[BatchLinePublic]
    total: int
    page: int
    per_page: int
    today: date
    deadlines_unavailable: str | None

    @classmethod
    def of(cls, page: BatchPage) -> BatchPagePublic:
        """The page as the API shows it."""
        return cls(items=[BatchLinePublic.of(line) for line in page.items], total=page.total,
                   page=page.page, per_page=page.per_page, today=page.today,
                   deadlines_unavailable=page.deadlines_unavailable)


class NoticePublic(BaseModel):
    """Something due: a batch or complaint step near or past its deadline."""

    subject: Subject
    subject_id: int
    step: DueStep | ComplaintStep
    label: str
    due: date
    stage: Stage
    organisation_id: int
    message: str

    @classmethod
    def of(cls, notice: Notice) -> NoticePublic:
        """The notice as the API shows it."""
        return cls(subject=notice.subject, subject_id=notice.subject_id, step=notice.step,
                   label=notice.label, due=notice.due, stage=notice.stage,
                   organisation_id=notice.organisation_id, message=notice.message())


class NotificationsPublic(BaseModel):
    """What is due for the caller, most urgent first."""

    today: date
    deadlines_unavailable: str | None
    items: list[NoticePublic]

    @classmethod
    def of(cls, listed: NoticeList) -> NotificationsPublic:
        """The list as the API shows it."""
        return cls(today=listed.today, deadlines_unavailable=listed.deadlines_unavailable,
                   items=[NoticePublic.of(notice) for notice in listed.notices])
