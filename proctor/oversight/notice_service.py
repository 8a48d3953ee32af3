"""The notices (:mod:`.notices`) of a user's scope, or of everyone (the dispatcher).

Batches: a user sees the batches of their scope (:func:`~proctor.supervision.batch_access.
scoped_batches`: their sites and regions, and a drawn supervisor's batches). Candidates are
selected in SQL with the cut-off of the horizon (deadline on or before it), then each
candidate's exact deadline is computed with the same rule. Complaints: only roles that
handle complaints get complaint notices, for organisations with a site in their scope or
batches in it; the accused organisation's operators never get them (they read complaints
in the complaint wing, which decides what they see).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from proctor.auth.scope import Permission, Scope
from proctor.db.base import utcnow
from proctor.db.complaints import Complaint, ComplaintState
from proctor.db.models import Site
from proctor.db.organisations import Organisation
from proctor.oversight.calendar_cache import current_calendar
from proctor.oversight.cutoffs import DueStep, Rules, cutoffs, deadline_function
from proctor.oversight.notices import ComplaintStep, Notice, Subject, stage_of
from proctor.oversight.overdue_sql import OVERDUE_STATES, overdue_conditions, session_span
from proctor.supervision.batch_access import scoped_batches
from proctor.supervision.batch_facts import DEADLINE_KIND
from proctor.supervision.calendar import WorkingCalendar, YearNotEntered
from proctor.supervision.china_time import china_day
from proctor.supervision.records import Batch
from proctor.supervision.states import BatchState

MAX_CANDIDATES = 5000
_STEP_OF_STATE = {BatchState.DRAFT: DueStep.PLAN_FILING,
                  BatchState.ENDED: DueStep.REPORT_SIGNING,
                  BatchState.PUBLICITY: DueStep.RESULTS_FILING}


@dataclass(frozen=True)
class NoticeList:
    """The notices, most urgent first, and why batch deadlines are unknown (if so)."""

    notices: list[Notice]
    today: date
    deadlines_unavailable: str | None = None


def due_notices(db: Session, scope: Scope | None, rules: Rules, horizon_working_days: int,
                now: datetime | None = None, since_days: int | None = None) -> NoticeList:
    """Notices due within ``horizon_working_days`` or overdue, for ``scope`` (``None``:
    everyone); with ``since_days``, only deadlines from that many days ago on. Without
    the calendar of a year needed, batch notices are left out (the list says why) and
    complaints are looked ahead by calendar days."""
    today = china_day(now or utcnow())
    since = today - timedelta(days=since_days) if since_days is not None else None
    try:
        calendar = current_calendar(db)
        horizon = calendar.add_working_days(today, horizon_working_days)
        notices = _batches(db, scope, calendar, rules, today, horizon, since)
        unavailable = None
    except YearNotEntered as error:
        horizon = today + timedelta(days=horizon_working_days)
        notices, unavailable = [], str(error)
    notices += _complaints(db, scope, today, horizon, since)
    notices.sort(key=lambda n: (n.due, n.subject, n.subject_id))
    return NoticeList(notices, today, unavailable)


def _batches(db: Session, scope: Scope | None, calendar: WorkingCalendar, rules: Rules,
             today: date, horizon: date, since: date | None) -> list[Notice]:
    span = session_span()
    due_by = overdue_conditions(cutoffs(calendar, rules, horizon + timedelta(days=1)), span)
    query = (select(Batch.id, Batch.state, Batch.organisation_id, Organisation.region_code,
                    Organisation.kind, span.c.first_start, span.c.last_end,
                    Batch.publicity_started_on)
             .select_from(Batch).join(Organisation, Batch.organisation_id == Organisation.id)
             .outerjoin(span, span.c.batch_id == Batch.id)
             .where(Batch.state.in_(OVERDUE_STATES), or_(*due_by.values()))
             .order_by(Batch.id).limit(MAX_CANDIDATES))
    if since is not None:
        early = overdue_conditions(cutoffs(calendar, rules, since), span)
        query = query.where(~or_(*early.values()))
    if scope is not None and not scope.everywhere:
        query = query.where(Batch.id.in_(_ids(scoped_batches(scope))))
    found = []
    for id_, state, organisation_id, district, kind, first, last, publicity in db.execute(query):
        step = _STEP_OF_STATE[state]
        anchor = {DueStep.PLAN_FILING: first and china_day(first),
                  DueStep.REPORT_SIGNING: last and china_day(last),
                  DueStep.RESULTS_FILING: publicity}[step]
        due = deadline_function(calendar, rules, step, DEADLINE_KIND[kind])(anchor)
        stage = stage_of(due, today, horizon)
        if stage is not None:
            found.append(Notice(Subject.BATCH, id_, step, due, stage, organisation_id, district))
    return found


def _ids(query: Select[Batch]) -> Select[int]:
    return query.with_only_columns(Batch.id).order_by(None)


def _complaints(db: Session, scope: Scope | None, today: date, horizon: date,
                since: date | None) -> list[Notice]:
    if scope is not None and not scope.can(Permission.HANDLE_COMPLAINTS):
        return []
    registered = Complaint.state == ComplaintState.REGISTERED
    investigated = Complaint.state.in_((ComplaintState.FIRST_REVIEW,
                                        ComplaintState.INVESTIGATING))
    first, resolution = Complaint.first_review_due, Complaint.resolution_due
    lowest = since or date.min
    query = (select(Complaint.id, Complaint.state, first, resolution,
                    Complaint.organisation_id, Organisation.region_code)
             .join(Organisation, Complaint.organisation_id == Organisation.id)
             .where(or_(and_(registered, first.between(lowest, horizon)),
                        and_(investigated, resolution.between(lowest, horizon))))
             .order_by(Complaint.id).limit(MAX_CANDIDATES))
    if scope is not None and not scope.everywhere:
        sites = select(Site.organisation_id).where(Site.id.in_(scope.site_ids))
        query = query.where(or_(Complaint.organisation_id.in_(sites),
                                Complaint.batch_id.in_(_ids(scoped_batches(scope)))))
    found = []
    for id_, state, first_due, resolution_due, organisation_id, district in db.execute(query):
        step, due = ((ComplaintStep.FIRST_REVIEW, first_due) if state is ComplaintState.REGISTERED
                     else (ComplaintStep.RESOLUTION, resolution_due))
        stage = stage_of(due, today, horizon) if due is not None else None
        if due is not None and stage is not None:
            found.append(Notice(Subject.COMPLAINT, id_, step, due, stage, organisation_id,
                                district))
    return found
