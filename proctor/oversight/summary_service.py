"""A region's summary from the database: batches by state, overdue steps and open and
overdue complaints, per child and in total, counted in SQL.

Every count is one grouped query over the organisations whose district code lies in the
region's code range (an indexed range on ``organisations.region_code``), grouped by the
child the district lies in: a province-sized database is summarised in a few queries,
never batch by batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, String, case, cast, func, select
from sqlalchemy.orm import Session

from proctor.auth.scope import Scope
from proctor.db.base import utcnow
from proctor.db.complaints import Complaint
from proctor.db.organisations import Organisation, Region
from proctor.oversight.access import overseen_region
from proctor.oversight.calendar_cache import current_cutoffs
from proctor.oversight.complaint_sql import is_open, is_overdue
from proctor.oversight.cutoffs import Cutoffs, DueStep, Rules
from proctor.oversight.overdue_sql import OVERDUE_STATES, overdue_conditions, session_span
from proctor.oversight.regions import Subtree
from proctor.oversight.summary import Child, Counts, Row, Tallies, fold
from proctor.supervision.calendar import YearNotEntered
from proctor.supervision.china_time import china_day
from proctor.supervision.records import Batch


@dataclass(frozen=True)
class RegionSummary:
    """A region's rows and total; ``deadlines_unavailable`` says why overdue steps could
    not be counted (a year missing from the working calendar), else ``None``."""

    region: Region
    today: date
    rows: list[Row]
    total: Counts
    deadlines_unavailable: str | None


def child_key(tree: Subtree) -> ColumnElement[str]:
    """The SQL key of the child a batch's organisation lies in (see :meth:`Subtree`)."""
    digits = tree.child_digits
    if digits is None:
        return cast(Organisation.id, String)
    return func.substr(Organisation.region_code, 1, digits)


def children(db: Session, tree: Subtree) -> list[Child]:
    """The child regions (or, of a district, organisations), keyed as :func:`child_key`."""
    digits = tree.child_digits
    if digits is None:
        return [Child(str(id_), name) for id_, name in db.execute(
            select(Organisation.id, Organisation.name)
            .where(Organisation.region_code == tree.code).order_by(Organisation.id))]
    return [Child(code[:digits], name) for code, name in db.execute(
        select(Region.code, Region.name).where(Region.parent_code == tree.code)
        .order_by(Region.code))]


def within(tree: Subtree) -> ColumnElement[bool]:
    """The organisation lies in the subtree."""
    return Organisation.region_code.between(tree.low, tree.high)


def load_cutoffs(db: Session, rules: Rules, today: date) -> Cutoffs | str:
    """Today's cut-offs, or why they cannot be computed (a year not entered)."""
    try:
        return current_cutoffs(db, rules, today)
    except YearNotEntered as error:
        return str(error)


def region_summary(db: Session, scope: Scope, code: str, rules: Rules,
                   now: datetime | None = None) -> RegionSummary:
    """The summary of a region the scope may oversee (see :mod:`.access`)."""
    region, tree = overseen_region(db, scope, code)
    today = china_day(now or utcnow())
    key = child_key(tree)
    states = db.execute(select(key, Batch.state, func.count()).select_from(Batch)
                        .join(Organisation, Batch.organisation_id == Organisation.id)
                        .where(within(tree)).group_by(key, Batch.state)).all()
    cut = load_cutoffs(db, rules, today)
    overdue = [] if isinstance(cut, str) else _overdue(db, tree, cut)
    complaints = db.execute(
        select(key, func.count(), func.sum(case((is_overdue(today), 1), else_=0)))
        .select_from(Complaint).join(Organisation, Complaint.organisation_id == Organisation.id)
        .where(within(tree), is_open()).group_by(key)).all()
    rows, total = fold(children(db, tree), Tallies(
        [(k, state, n) for k, state, n in states], overdue,
        [(k, n, late or 0) for k, n, late in complaints]))
    return RegionSummary(region, today, rows, total, cut if isinstance(cut, str) else None)


def _overdue(db: Session, tree: Subtree, cut: Cutoffs) -> list[tuple[str, DueStep, int]]:
    """Overdue batches per child and step: one query, a sum per step."""
    span = session_span()
    key = child_key(tree)
    conditions = overdue_conditions(cut, span)
    steps = list(conditions)
    rows = db.execute(select(key, *(func.sum(case((conditions[step], 1), else_=0))
                                    for step in steps))
                      .select_from(Batch)
                      .join(Organisation, Batch.organisation_id == Organisation.id)
                      .outerjoin(span, span.c.batch_id == Batch.id)
                      .where(within(tree), Batch.state.in_(OVERDUE_STATES)).group_by(key))
    return [(row[0], step, int(n or 0)) for row in rows
            for step, n in zip(steps, row[1:], strict=True) if n]
