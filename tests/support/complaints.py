"""A running stack made ready for complaints: organisations for sites A and B, an operator of
organisation A, an officer who must recuse from it, and a batch of A in publicity whose
session holds site A's cameras around the segments' time (``support.ingest.T0``). Its
publicity starts today and complaints are registered now, so the calendar has every year up
to three months ahead (a deadline counted into a year not entered is left blank)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from proctor import directory
from proctor.db.base import utcnow
from proctor.db.models import Role, Site
from proctor.supervision.china_time import china_day
from proctor.supervision.oversight import Supervisor
from proctor.supervision.records import Batch, ExamSession, SessionRoom
from proctor.supervision.report.terms import Level, Mode
from proctor.supervision.states import BatchState
from support.calendar_years import enter_years_through
from support.drawn import ADMIN, HULI, SIMING, XIAMEN, organisation, xiamen_regions
from support.ingest import T0
from support.stack import PASSWORD, Stack

FILING_NUMBER = "厦人社认定备〔2026〕17号"


@dataclass(frozen=True)
class ComplaintWorld:
    """Ids of what the complaint tests use."""

    organisation_a: int
    organisation_b: int
    batch_id: int


def complaint_world(stack: Stack) -> ComplaintWorld:
    """Build it in the stack's database (committed)."""
    assert stack.site_a is not None and stack.site_b is not None
    start, today = datetime.fromtimestamp(T0 / 1000, UTC), china_day(utcnow())
    with stack.db() as db:
        enter_years_through(db, today, today + timedelta(days=90))
        xiamen_regions(db)
        org_a, org_b = organisation(db, "组织甲", SIMING), organisation(db, "组织乙", HULI)
        db.get_one(Site, stack.site_a.site_id).organisation_id = org_a
        db.get_one(Site, stack.site_b.site_id).organisation_id = org_b
        directory.create_user(db, ADMIN, "operator_a", PASSWORD, Role.ORG_OPERATOR,
                              site_ids=[stack.site_a.site_id])
        recused = directory.create_user(db, ADMIN, "officer_a_staff", PASSWORD,
                                        Role.COMPLAINT_OFFICER, site_ids=[stack.site_a.site_id])
        db.add(Supervisor(user_id=recused.id, name="组织甲职工", region_code=XIAMEN,
                          organisation_id=org_a))
        batch = Batch(organisation_id=org_a, occupation_name="电工",
                      occupation_code="6-31-01-03", level=Level.FOUR, mode=Mode.PRACTICAL,
                      state=BatchState.PUBLICITY, filing_number=FILING_NUMBER,
                      publicity_started_on=today, created_by=str(ADMIN))
        batch.sessions.append(ExamSession(
            name="第1场", starts_at=start - timedelta(minutes=5),
            ends_at=start + timedelta(minutes=30),
            rooms=[SessionRoom(room_id=stack.site_a.room_id, expected_examinees=20)]))
        db.add(batch)
        db.flush()
        return ComplaintWorld(org_a, org_b, batch.id)
