"""Rows of a drawn supervisor, made directly through the ORM (batch CRUD is not this
test's subject): a region tree, an organisation, a batch whose sessions use given rooms,
and an assignment of a supervisor linked to a console user."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from proctor.actor import Actor
from proctor.db.organisations import OrganisationKind
from proctor.organisations.organisations import create_organisation
from proctor.organisations.regions import create_region
from proctor.supervision.oversight import Assignment, Draw, DrawKind, Supervisor
from proctor.supervision.records import Batch, ExamSession, SessionRoom
from proctor.supervision.report.terms import Level, Mode

ADMIN = Actor.cli("admin")
FUJIAN, XIAMEN, SIMING, HULI = "350000", "350200", "350203", "350206"


def xiamen_regions(db: Session) -> None:
    """福建省 → 厦门市 → 思明区, 湖里区."""
    for code, name in ((FUJIAN, "福建省"), (XIAMEN, "厦门市"), (SIMING, "思明区"),
                       (HULI, "湖里区")):
        create_region(db, ADMIN, code, name)


def organisation(db: Session, name: str = "厦门技师学院", district: str = SIMING) -> int:
    """A college in ``district``; returns its id."""
    return create_organisation(db, ADMIN, name, OrganisationKind.COLLEGE, district).id


@dataclass(frozen=True)
class SessionPlan:
    """One session window and the rooms it uses."""

    starts_at: datetime
    ends_at: datetime
    room_ids: Sequence[int]


def drawn_batch(db: Session, organisation_id: int, user_id: int, access_until: datetime,
                sessions: Sequence[SessionPlan], supervisor_active: bool = True) -> int:
    """A batch with ``sessions``, and the supervisor of ``user_id`` drawn for it; returns
    the assignment's id."""
    batch = Batch(organisation_id=organisation_id, occupation_name="电工",
                  occupation_code="6-31-01-03", level=Level.FOUR, mode=Mode.PRACTICAL,
                  created_by=str(ADMIN))
    for number, plan in enumerate(sessions, 1):
        batch.sessions.append(ExamSession(
            name=f"第{number}场", starts_at=plan.starts_at, ends_at=plan.ends_at,
            rooms=[SessionRoom(room_id=room_id) for room_id in plan.room_ids]))
    supervisor = Supervisor(user_id=user_id, name="督导员", region_code=XIAMEN,
                            qualification_number="Q-1", is_active=supervisor_active)
    db.add_all([batch, supervisor])
    db.flush()
    draw = Draw(kind=DrawKind.SUPERVISORS, batch_id=batch.id, commitment="0" * 64,
                snapshot="{}", snapshot_sha256="0" * 64, drawn_by=str(ADMIN))
    db.add(draw)
    db.flush()
    assignment = Assignment(batch_id=batch.id, supervisor_id=supervisor.id, draw_id=draw.id,
                            access_until=access_until)
    db.add(assignment)
    db.flush()
    return assignment.id
