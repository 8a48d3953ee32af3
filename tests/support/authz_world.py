"""The rows the authorisation matrix calls every route on (see ``support.route_rules``).

Site A (organisation A, 思明区) and site B (organisation B, 湖里区), each with a room, a
device and its camera; one user per role, every one but the administrator granted site A;
batch A at site A, running now, with the supervisor drawn for it; batch B at site B, with
another supervisor drawn; in each batch an event, a report draft, a legal hold and a scene
reference on its camera, and a complaint about its organisation.
Objects the administrator's calls may change are spares nobody else depends on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy.orm import Session

from proctor import directory
from proctor.auth.scope import Scope, load_scope
from proctor.complaints.intake import new_tracking_code
from proctor.db.complaints import Complaint, ComplaintChannel
from proctor.db.models import Event, LegalHold, Role, User
from proctor.organisations.grants import grant_region
from proctor.scenes.service import replace_reference
from proctor.supervision import report_service
from proctor.supervision.oversight import Assignment
from proctor.supervision.records import Batch
from proctor.supervision.report.terms import Conclusion
from proctor.supervision.report_draft import Judgement
from proctor.supervision.states import BatchState
from proctor.vision.pictures import encode_jpeg
from support.drawn import HULI, SIMING, SessionPlan, drawn_batch, organisation, xiamen_regions
from support.places import ADMIN, Place, add_user, build_place
from support.route_rules import DRAWN

LATER = datetime(2099, 1, 1, tzinfo=UTC)  # the drawn supervisor's access has not ended


@dataclass(frozen=True)
class World:
    """Who calls, and the path parameters naming objects in scope and out of it."""

    users: dict[str, int]  # role name -> user id
    device_token: str  # the token of site A's device
    params: dict[str, dict[str, str]]  # "in" / "out" / "-" -> path parameter -> value


def build_world(db: Session, now: datetime) -> World:
    """Build the rows (committed) around ``now``, the moment batch A's session runs."""
    xiamen_regions(db)
    organisations = organisation(db, "组织甲", SIMING), organisation(db, "组织乙", HULI)
    places = [build_place(db, name) for name in ("A", "B")]
    for place, organisation_id in zip(places, organisations, strict=True):
        place.site.organisation_id = organisation_id
    users = {role.value: add_user(db, role.value, role,
                                  [] if role is Role.ADMIN else [places[0].site]).id
             for role in Role}
    target = add_user(db, "target", Role.ORG_OPERATOR, [])  # of the user and grant routes
    grant_region(db, ADMIN, target.id, SIMING)
    outsider = add_user(db, "outsider", Role.SUPERVISOR, [])  # drawn for batch B
    spare, _token = directory.create_device(db, ADMIN, places[0].site.id, "spare")
    admin_user = db.get_one(User, users["admin"])
    admin = load_scope(db, admin_user)
    reference = encode_jpeg(np.full((96, 128), 128, np.uint8))
    for place in places:
        replace_reference(db, place.camera.id, reference, admin_user)
    drawn = [_drawn(db, organisation_id, user_id, place, now) for organisation_id, user_id, place
             in zip(organisations, (users[DRAWN.value], outsider.id), places, strict=True)]
    scoped = [_objects(db, admin, db.get_one(Batch, assignment.batch_id), place,
                       now - timedelta(minutes=30))
              for assignment, place in zip(drawn, places, strict=True)]
    assignment = drawn[0]
    unscoped = {"user_id": str(target.id), "device_id": str(spare.id), "region_code": SIMING,
                "supervisor_id": str(assignment.supervisor_id), "draw_id": str(assignment.draw_id),
                "action": "accept", "start_ms": "0", "year": "2026", "key": "0",
                "tracking_code": "NO-SUCH-CODE", "attachment_id": "1"}
    token = directory.rotate_device_token(db, ADMIN, places[0].device.id)
    db.commit()
    return World(users, token, {"in": scoped[0] | unscoped, "out": scoped[1] | unscoped,
                                "-": unscoped})


def _drawn(db: Session, organisation_id: int, user_id: int, place: Place,
           now: datetime) -> Assignment:
    """A batch in the place's room, running at ``now``, with the user's supervisor drawn."""
    window = SessionPlan(now - timedelta(hours=1), now + timedelta(hours=1),
                         [place.camera.room_id])
    return db.get_one(Assignment, drawn_batch(db, organisation_id, user_id, LATER, [window]))


def _objects(db: Session, admin: Scope, batch: Batch, place: Place,
             event_at: datetime) -> dict[str, str]:
    """The batch running, with an event at ``event_at``, a report draft and a hold on its
    camera; the path parameters naming them."""
    batch.state = BatchState.IN_PROGRESS
    event = Event(camera_id=place.camera.id, kind="phone", started_at=event_at,
                  ended_at=event_at + timedelta(minutes=1), severity=0.5)
    hold = LegalHold(camera_id=place.camera.id, from_ms=0, to_ms=60_000, reason="投诉 1",
                     placed_by=str(ADMIN))
    complaint = Complaint(tracking_code=new_tracking_code(), text="考场内有人代考",
                          organisation_id=place.site.organisation_id, registered_by=str(ADMIN),
                          channel=ComplaintChannel.PHONE)
    db.add_all([event, hold, complaint])
    db.flush()
    report = report_service.draft_report(db, admin, batch.id,
                                         Judgement(opinion="无", conclusion=Conclusion.PASSED))
    session = batch.sessions[0]
    return {"camera_id": str(place.camera.id), "batch_id": str(batch.id),
            "event_id": str(event.id), "hold_id": str(hold.id), "report_id": str(report.id),
            "session_id": str(session.id), "session_room_id": str(session.rooms[0].id),
            "site_id": str(place.site.id), "organisation_id": str(place.site.organisation_id),
            "complaint_id": str(complaint.id)}
