"""The results gate (结果备案) against the database: the facts, and the decision on them.

:func:`gate_facts` gathers a :class:`~proctor.supervision.gate.GateFacts` for a batch:

- the latest signed version of its report, and that version's conclusion;
- its unreviewed events (:func:`~proctor.supervision.review.unreviewed_events`: no drawn
  supervisor has confirmed or dismissed them);
- its unexplained coverage gaps (:func:`~proctor.supervision.batch_coverage.unexplained_gaps`);
- the working days publicity has run (counted in the working calendar, up to the day the
  results were filed, or today);
- its open complaints (:func:`open_complaints`), named by number, and those resolved with
  an amended report required that no later signed version answers (:func:`awaiting_amendment`).

The lifecycle (:mod:`~proctor.supervision.lifecycle`) decides ``file_results`` and
``accept`` on these facts (409 with every reason); :func:`batch_gate` shows the console
the same decision before anyone tries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from proctor.auth.scope import Scope
from proctor.db.base import utcnow
from proctor.db.complaints import OPEN_STATES, Complaint
from proctor.supervision import deadlines
from proctor.supervision.batch_coverage import DEFAULT_GAP_TOLERANCE_S, unexplained_gaps
from proctor.supervision.calendar import WorkingCalendar
from proctor.supervision.calendar_service import load_calendar
from proctor.supervision.china_time import china_day
from proctor.supervision.deadlines import DeadlineRules
from proctor.supervision.gate import GateDecision, GateFacts, check_gate
from proctor.supervision.oversight import Report
from proctor.supervision.records import Batch
from proctor.supervision.report_access import readable_batch
from proctor.supervision.review import unreviewed_events

NAMED = 20  # complaints named in a reason; the count says how many there are


def open_complaints(db: Session, batch_id: int) -> list[int]:
    """The complaints (投诉举报) about the batch not yet closed, by id (the complaint wing's
    rows, :mod:`proctor.db.complaints`, are the source of truth)."""
    return list(db.scalars(select(Complaint.id).where(
        Complaint.batch_id == batch_id, Complaint.state.in_(OPEN_STATES))
        .order_by(Complaint.id)))


def awaiting_amendment(db: Session, batch_id: int, report: Report | None) -> list[int]:
    """The batch's complaints resolved with an amended report required, and no report
    version signed after their resolution (``report``: the newest signed version)."""
    query = select(Complaint.id).where(Complaint.batch_id == batch_id,
                                       Complaint.requires_amended_report.is_(True))
    if report is not None and report.signed_at is not None:
        query = query.where(Complaint.resolved_at >= report.signed_at)
    return list(db.scalars(query.order_by(Complaint.id)))


def latest_signed_report(db: Session, batch_id: int) -> Report | None:
    """The newest signed version of the batch's report, if any."""
    return db.scalars(select(Report).where(Report.batch_id == batch_id,
                                           Report.signed_at.is_not(None))
                      .order_by(Report.version.desc(), Report.id.desc()).limit(1)).first()


def gate_facts(db: Session, batch: Batch, calendar: WorkingCalendar, rules: DeadlineRules,
               now: datetime, gap_tolerance_s: float = DEFAULT_GAP_TOLERANCE_S) -> GateFacts:
    """What the results gate needs to know about ``batch`` at ``now``."""
    report = latest_signed_report(db, batch.id)
    complaints = open_complaints(db, batch.id)
    started = batch.publicity_started_on
    elapsed = 0 if started is None else deadlines.publicity_days_elapsed(
        calendar, started, batch.results_filed_on or china_day(now))
    return GateFacts(
        report_signed=report is not None, conclusion=report.conclusion if report else None,
        unreviewed_events=len(unreviewed_events(db, batch.id)),
        unexplained_gaps=len(unexplained_gaps(db, batch.id, gap_tolerance_s, now)),
        publicity_days_elapsed=elapsed, publicity_days_required=rules.publicity_days,
        open_complaints=len(complaints), open_complaint_ids=tuple(complaints[:NAMED]),
        awaiting_amendment=tuple(awaiting_amendment(db, batch.id, report)[:NAMED]))


@dataclass(frozen=True)
class BatchGate:
    """The gate of one batch as the console shows it."""

    batch: Batch
    facts: GateFacts
    decision: GateDecision


def batch_gate(db: Session, scope: Scope, batch_id: int, rules: DeadlineRules,
               gap_tolerance_s: float = DEFAULT_GAP_TOLERANCE_S,
               now: datetime | None = None) -> BatchGate:
    """Whether the batch's results may be filed now, with every reason they may not."""
    batch = readable_batch(db, scope, batch_id)
    facts = gate_facts(db, batch, load_calendar(db), rules, now or utcnow(), gap_tolerance_s)
    return BatchGate(batch, facts, check_gate(facts))
