"""A region's summary counted in SQL on a real (SQLite) database with the seeded working
calendar: 厦门市 by district (a district with nothing shows zeros), a district by
organisation; batches by state, a draft batch's plan filing overdue, open and overdue
complaints; the total the sum of the rows; without the calendar of today's year the overdue
steps are left out with the reason while everything else is counted; and a region outside
the user's oversight or not a region code is refused."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session
from support.batches import build_world, planned_batch
from support.drawn import ADMIN, HULI, SIMING, XIAMEN, organisation, xiamen_regions
from support.draws import RULES as DRAW_RULES
from support.places import add_user

from proctor.auth.scope import Scope, load_scope
from proctor.db.complaints import Complaint, ComplaintChannel, ComplaintState
from proctor.db.models import Role
from proctor.errors import Forbidden, InvalidInput
from proctor.organisations.grants import grant_region
from proctor.oversight.cutoffs import DueStep, Rules
from proctor.oversight.summary import Counts, Row
from proctor.oversight.summary_service import region_summary
from proctor.supervision.report_period import PeriodUnit
from proctor.supervision.states import BatchState

RULES = Rules(DRAW_RULES.deadlines, 10, PeriodUnit.WORKING_DAYS)
JUNE = datetime(2026, 6, 10, 2, 0, tzinfo=UTC)  # long after the draft's plan deadline


@dataclass(frozen=True)
class Region:
    """A draft batch of an organisation in 思明区, a complaint about one in 湖里区."""

    siming_org: int
    huli_org: int
    admin: Scope


def complaint(db: Session, organisation_id: int, state: ComplaintState,
              first_due: date | None) -> None:
    db.add(Complaint(tracking_code=f"TC-{state.value}-{first_due}",
                     organisation_id=organisation_id, text="考场内有人代考",
                     channel=ComplaintChannel.PHONE, registered_by="cli:test", state=state,
                     first_review_due=first_due))
    db.commit()


@pytest.fixture
def region(db: Session) -> Region:
    xiamen_regions(db)
    world = build_world(db)  # an enterprise in 思明区 with a site
    planned_batch(db, world)  # a draft: its plan filing was due in February
    huli = organisation(db, "湖里某学院", HULI)
    complaint(db, huli, ComplaintState.REGISTERED, date(2026, 6, 1))  # overdue on JUNE
    complaint(db, huli, ComplaintState.REGISTERED, date(2026, 6, 12))  # open, not yet due
    complaint(db, huli, ComplaintState.CLOSED, date(2026, 5, 1))  # closed: not counted
    admin = load_scope(db, add_user(db, "root", Role.ADMIN, []))
    return Region(world.organisation, huli, admin)


def by_name(rows: list[Row]) -> dict[str, Counts]:
    return {row.child.name: row.counts for row in rows}


def test_a_city_is_summarised_by_district_with_a_total(db: Session, region: Region) -> None:
    summary = region_summary(db, region.admin, XIAMEN, RULES, JUNE)
    assert (summary.region.code, summary.today, summary.deadlines_unavailable) == (
        XIAMEN, date(2026, 6, 10), None)
    rows = by_name(summary.rows)
    assert list(rows) == ["思明区", "湖里区"]
    siming, huli = rows["思明区"], rows["湖里区"]
    assert (siming.batches, siming.batches_by_state[BatchState.DRAFT]) == (1, 1)
    assert siming.overdue[DueStep.PLAN_FILING] == 1 and siming.overdue_total == 1
    assert (siming.complaints_open, huli.batches, huli.overdue_total) == (0, 0, 0)
    assert (huli.complaints_open, huli.complaints_overdue) == (2, 1)
    total = summary.total
    assert (total.batches, total.overdue_total, total.complaints_open,
            total.complaints_overdue) == (1, 1, 2, 1)


def test_a_district_is_summarised_by_organisation(db: Session, region: Region) -> None:
    summary = region_summary(db, region.admin, SIMING, RULES, JUNE)
    assert [row.child.key for row in summary.rows] == [str(region.siming_org)]
    assert summary.total.batches == 1
    huli = region_summary(db, region.admin, HULI, RULES, JUNE)
    assert [row.child.key for row in huli.rows] == [str(region.huli_org)]
    assert huli.total.batches == 0 and huli.total.complaints_open == 2


def test_before_the_plan_deadline_nothing_is_overdue(db: Session, region: Region) -> None:
    january = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
    summary = region_summary(db, region.admin, XIAMEN, RULES, january)
    assert summary.total.overdue_total == 0 and summary.total.batches == 1


def test_without_todays_calendar_overdue_steps_are_left_out_with_the_reason(
        db: Session, region: Region) -> None:
    summary = region_summary(db, region.admin, XIAMEN, RULES,
                             datetime(2031, 3, 3, 2, 0, tzinfo=UTC))
    assert summary.deadlines_unavailable is not None
    assert "2031" in summary.deadlines_unavailable
    assert summary.total.overdue_total == 0
    assert (summary.total.batches, summary.total.complaints_open) == (1, 2)


def test_a_neighbours_district_and_bad_codes_are_refused(db: Session, region: Region) -> None:
    officer = add_user(db, "huli", Role.COMPLAINT_OFFICER, [])
    grant_region(db, ADMIN, officer.id, HULI)
    db.commit()
    scope = load_scope(db, officer)
    assert region_summary(db, scope, HULI, RULES, JUNE).total.complaints_open == 2
    for code in (SIMING, XIAMEN):
        with pytest.raises(Forbidden, match=f"may not oversee region {code}"):
            region_summary(db, scope, code, RULES, JUNE)
    for bad in ("35020", "3502030", "35O2OO", "３５０２００", ""):
        with pytest.raises(InvalidInput):
            region_summary(db, region.admin, bad, RULES, JUNE)
