"""A page of the batches of a region, with each batch's overdue steps, coverage ratio
(from the maintained aggregate, :mod:`.coverage_totals`) and alert count.

Filtering, sorting and paging are done by the database; the alert counts of the page's
batches come from one grouped query (events of the batch's cameras within its session
windows, as :mod:`proctor.supervision.batch_events` defines them).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    SQLColumnExpression,
    case,
    distinct,
    false,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session

from proctor.auth.scope import Scope
from proctor.db.base import utcnow
from proctor.db.models import Camera, Event
from proctor.db.organisations import Organisation
from proctor.oversight.access import overseen_region
from proctor.oversight.cutoffs import DueStep, Rules
from proctor.oversight.models import BatchCoverageTotal
from proctor.oversight.overdue_sql import overdue_conditions, session_span
from proctor.oversight.summary_service import load_cutoffs, within
from proctor.supervision.china_time import china_day
from proctor.supervision.records import Batch, ExamSession, SessionRoom
from proctor.supervision.report.terms import Level
from proctor.supervision.states import BatchState

MAX_PER_PAGE = 100


class BatchSort(enum.StrEnum):
    """The orders of a batch page; ``-`` first: descending."""

    ID = "id"
    ID_DESC = "-id"
    FIRST_SESSION = "first_session"
    FIRST_SESSION_DESC = "-first_session"
    COVERAGE = "coverage"
    COVERAGE_DESC = "-coverage"


@dataclass(frozen=True)
class BatchQuery:
    """What to list: optional state, only overdue (``True``) or only not overdue
    (``False``), the order and the page (from 1)."""

    state: BatchState | None = None
    overdue: bool | None = None
    sort: BatchSort = BatchSort.ID
    page: int = 1
    per_page: int = 50


@dataclass(frozen=True)
class BatchLine:
    """One batch as a region view lists it."""

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
    coverage_ratio: float | None  # None: not computed yet (or nothing expected yet)
    coverage_computed_at: datetime | None
    alerts: int


@dataclass(frozen=True)
class BatchPage:
    """A page of batches, the number matching in all, and why overdue steps are unknown."""

    items: list[BatchLine]
    total: int
    page: int
    per_page: int
    today: date
    deadlines_unavailable: str | None


def batch_page(db: Session, scope: Scope, code: str, rules: Rules, where: BatchQuery,
               now: datetime | None = None) -> BatchPage:
    """The page of the region's batches ``where`` asks for (see the module docstring)."""
    _region, tree = overseen_region(db, scope, code)
    today = china_day(now or utcnow())
    cut = load_cutoffs(db, rules, today)
    span = session_span()
    conditions = {} if isinstance(cut, str) else overdue_conditions(cut, span)
    any_overdue = or_(false(), *conditions.values())
    ratio = BatchCoverageTotal.recorded_seconds / func.nullif(
        BatchCoverageTotal.expected_seconds, 0)
    query = (select(Batch.id, Batch.organisation_id, Organisation.name,
                    Organisation.region_code, Batch.occupation_name, Batch.level, Batch.state,
                    span.c.first_start, span.c.last_end, ratio,
                    BatchCoverageTotal.computed_at,
                    *(case((c, 1), else_=0) for c in conditions.values()))
             .select_from(Batch).join(Organisation, Batch.organisation_id == Organisation.id)
             .outerjoin(span, span.c.batch_id == Batch.id)
             .outerjoin(BatchCoverageTotal, BatchCoverageTotal.batch_id == Batch.id)
             .where(within(tree)))
    if where.state is not None:
        query = query.where(Batch.state == where.state)
    if where.overdue is not None:
        query = query.where(any_overdue if where.overdue else ~any_overdue)
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows: Sequence[Any] = db.execute(
        _ordered(query, where.sort, span.c.first_start, ratio)
        .limit(where.per_page).offset((where.page - 1) * where.per_page)).all()
    alerts = alert_counts(db, [int(row[0]) for row in rows])
    items = [_line(row, list(conditions), alerts) for row in rows]
    return BatchPage(items, total, where.page, where.per_page, today,
                     cut if isinstance(cut, str) else None)


def _line(row: Any, steps: list[DueStep], alerts: dict[int, int]) -> BatchLine:
    """A row of the page query (its columns in :class:`BatchLine` order, the coverage
    pair, then one 0/1 per overdue step) as a line."""
    (id_, organisation_id, organisation_name, district_code, occupation_name, level, state,
     first, last, ratio, computed_at, *flags) = row
    return BatchLine(id_, organisation_id, organisation_name, district_code, occupation_name,
                     level, state, first, last,
                     [step for step, flag in zip(steps, flags, strict=True) if flag],
                     ratio, computed_at, alerts.get(id_, 0))


def _ordered(query: Select[Any], sort: BatchSort, first: ColumnElement[datetime],
             ratio: ColumnElement[float]) -> Select[Any]:
    column: SQLColumnExpression[Any] = {
        BatchSort.ID: Batch.id, BatchSort.FIRST_SESSION: first,
        BatchSort.COVERAGE: ratio}[BatchSort(sort.value.lstrip("-"))]
    ordered = column.desc() if sort.value.startswith("-") else column.asc()
    return query.order_by(ordered.nulls_last(), Batch.id)


def alert_counts(db: Session, batch_ids: list[int]) -> dict[int, int]:
    """The number of analysis events of each batch (its cameras, within its windows)."""
    if not batch_ids:
        return {}
    rows = db.execute(
        select(ExamSession.batch_id, func.count(distinct(Event.id)))
        .join(SessionRoom, SessionRoom.session_id == ExamSession.id)
        .join(Camera, Camera.room_id == SessionRoom.room_id)
        .join(Event, Event.camera_id == Camera.id)
        .where(ExamSession.batch_id.in_(batch_ids), Event.started_at < ExamSession.ends_at,
               or_(Event.ended_at.is_(None), Event.ended_at > ExamSession.starts_at))
        .group_by(ExamSession.batch_id))
    return {batch_id: count for batch_id, count in rows}
