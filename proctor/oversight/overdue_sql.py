"""The overdue conditions of :mod:`.cutoffs` as SQL expressions over batches, their
organisation and their session span (first start, last end), so a query counts or lists
overdue batches without loading them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time

from sqlalchemy import ColumnElement, Subquery, and_, false, func, or_, select

from proctor.db.organisations import Organisation
from proctor.oversight.cutoffs import Cutoffs, DueStep
from proctor.supervision.batch_facts import DEADLINE_KIND
from proctor.supervision.china_time import CHINA
from proctor.supervision.records import Batch, ExamSession
from proctor.supervision.states import BatchState

# the states a batch waits in for a step with a deadline
OVERDUE_STATES = (BatchState.DRAFT, BatchState.ENDED, BatchState.PUBLICITY)


def china_midnight(day: date) -> datetime:
    """00:00 of ``day`` in China, in UTC: a time before it falls on an earlier China day."""
    return datetime.combine(day, time(0), CHINA).astimezone(UTC)


def session_span() -> Subquery:
    """Each batch's first session start and last session end (columns ``batch_id``,
    ``first_start``, ``last_end``)."""
    return (select(ExamSession.batch_id, func.min(ExamSession.starts_at).label("first_start"),
                   func.max(ExamSession.ends_at).label("last_end"))
            .group_by(ExamSession.batch_id).subquery("session_span"))


def overdue_conditions(cut: Cutoffs, span: Subquery) -> Mapping[DueStep, ColumnElement[bool]]:
    """Per step, the condition that a batch (joined with its organisation and ``span``) is
    overdue on it."""
    plan = [and_(Organisation.kind == kind, span.c.first_start < china_midnight(
        cut.plan[DEADLINE_KIND[kind]])) for kind in DEADLINE_KIND]
    return {
        DueStep.PLAN_FILING: and_(Batch.state == BatchState.DRAFT, or_(false(), *plan)),
        DueStep.REPORT_SIGNING: and_(Batch.state == BatchState.ENDED,
                                     span.c.last_end < china_midnight(cut.report)),
        DueStep.RESULTS_FILING: and_(Batch.state == BatchState.PUBLICITY,
                                     Batch.publicity_started_on < cut.results),
    }
