"""A 认定批次 for the console world: one session (场次) in one 考场 on a fixed day of a year
the calendar has, two supervisors in the city's pool, one drawn (双随机) by the real draw, the
batch ended with its attendance recorded, and the 督导报告 drafted by the drawn supervisor.
What the batches and report pages show in the screenshots; fixed dates keep the pictures the
same from run to run and keep the draw's report period inside an entered year."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from proctor import directory
from proctor.actor import Actor
from proctor.auth.scope import load_scope
from proctor.db.models import Role, Room, User
from proctor.supervision import batches, draw_service, report_service
from proctor.supervision.assignment_scope import assignment_grants
from proctor.supervision.draw_service import draw_rules
from proctor.supervision.oversight import Assignment, Supervisor
from proctor.supervision.report.terms import Conclusion, Level, Mode
from proctor.supervision.report_draft import Judgement
from proctor.supervision.settings import SupervisionSettings
from proctor.supervision.states import BatchState

CHINA = ZoneInfo("Asia/Shanghai")
SESSION = (datetime(2026, 3, 2, 9, 0, tzinfo=CHINA), datetime(2026, 3, 2, 11, 0, tzinfo=CHINA))
FILING_NUMBER = "BA-350203-2026-0001"
PLAN_FILED_ON = date(2026, 2, 2)  # due 3 February, 15 working days before the session
SUPERVISORS = (("李督导", "Q-350200-0001", "lidudao"), ("陈督导", "Q-350200-0002", "chendudao"))
OPINION = "考场秩序良好，考评员按规定履职；录像完整，未见违规。"


def seed_batch(db: Session, actor: str, organisation_id: int, site_id: int,
               password: str) -> int:
    """The ended batch in the first room of ``site_id`` with its drafted report; both
    supervisors of the pool log in with ``password``. Returns the batch's id."""
    who = Actor.cli(actor)
    room = db.scalars(select(Room.id).where(Room.site_id == site_id).order_by(Room.id)).first()
    if room is None:
        raise ValueError(f"site {site_id} has no room to hold the session in")
    for name, qualification, username in SUPERVISORS:
        user = directory.create_user(db, actor, username, password, Role.SUPERVISOR,
                                     display_name=name)
        db.add(Supervisor(name=name, region_code="350200", qualification_number=qualification,
                          user_id=user.id))
    batch = batches.create_batch(db, who, organisation_id, "电工", "6-31-01-03", Level.FOUR,
                                 Mode.PRACTICAL)
    session = batches.add_session(db, who, batch.id, "第一场", *SESSION)
    used = batches.add_room(db, who, session.id, room, 20)
    # filed on time, as the filing would leave it (the demo has no notice to wait for)
    batch.state, batch.filing_number, batch.plan_filed_on = (
        BatchState.FILED, FILING_NUMBER, PLAN_FILED_ON)
    db.flush()
    draw_service.draw_for_batch(db, who, batch.id, 1, draw_rules(SupervisionSettings()))
    batch.state, used.present, used.absent = BatchState.ENDED, 19, 1
    db.flush()
    drawn = db.scalars(select(User).join(Supervisor, Supervisor.user_id == User.id)
                       .join(Assignment, Assignment.supervisor_id == Supervisor.id)
                       .where(Assignment.batch_id == batch.id)).one()
    scope = load_scope(db, drawn, at=SESSION[1], sources=(assignment_grants(timedelta(0)),))
    report_service.draft_report(db, scope, batch.id,
                                Judgement(opinion=OPINION, conclusion=Conclusion.PASSED))
    return batch.id
