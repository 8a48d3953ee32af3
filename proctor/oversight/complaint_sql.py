"""Open and overdue complaints (投诉举报) as SQL conditions over the complaint rows.

A complaint is open until it is closed (办结). It is overdue when it waits for its first
review past ``first_review_due`` (3 working days), or is under review or investigation
past ``resolution_due`` (7 working days, extendable): the due dates are stored by the
complaint wing, so only today's China day is compared here. A resolved complaint waits only
for closing and is not overdue.

Fail closed, as the complaint wing's ``deadline_flag``: a step whose due day could not be
counted (its year not entered in the calendar, so the date is empty) is counted overdue, never
on time, until the year is entered.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, and_, or_

from proctor.db.complaints import Complaint, ComplaintState

_INVESTIGATED = (ComplaintState.FIRST_REVIEW, ComplaintState.INVESTIGATING)


def is_open() -> ColumnElement[bool]:
    """The complaint is not closed."""
    return Complaint.state != ComplaintState.CLOSED


def is_overdue(today: date) -> ColumnElement[bool]:
    """The complaint's current step is past its due date, or its due date is unknown."""
    return or_(and_(Complaint.state == ComplaintState.REGISTERED,
                    or_(Complaint.first_review_due.is_(None), Complaint.first_review_due < today)),
               and_(Complaint.state.in_(_INVESTIGATED),
                    or_(Complaint.resolution_due.is_(None), Complaint.resolution_due < today)))
