"""Handling a complaint on a real (SQLite) database: the first review sets the resolution
deadline in working days (or leaves it blank when the calendar lacks the year), a rejection
resolves it, every step is refused in a state that does not allow it (409 naming the state),
an extension moves the deadline and is recorded, a clip must be of the organisation's
cameras and in order before any legal hold is placed, and each step is audited."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import cast

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from support.drawn import organisation, xiamen_regions
from support.places import add_user, build_place

from proctor.auth.scope import Scope, load_scope
from proctor.complaints import handling
from proctor.complaints.handling import ClipRequest, Resolution
from proctor.complaints.workflow import ComplaintStepRefused, DeadlineRules
from proctor.db.complaints import (
    Complaint,
    ComplaintChannel,
    ComplaintClip,
    ComplaintExtension,
    ComplaintState,
)
from proctor.db.models import AuditEntry, Camera, LegalHold, Role
from proctor.errors import Conflict, InvalidInput, NotFound
from proctor.recording.store import ObjectStore, StoreNotConfigured
from proctor.supervision.calendar import WorkingCalendar
from proctor.supervision.china_time import china_day

NOW = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)  # a Tuesday in China
CALENDAR = WorkingCalendar([2026, 2027], [])  # weekdays only: no holidays entered
RULES = DeadlineRules()


@dataclass(frozen=True)
class Desk:
    """A complaint about organisation A (no batch), its officer, A's camera and B's."""

    complaint: int
    officer: Scope
    camera: Camera
    other_camera: Camera


@pytest.fixture
def desk(db: Session) -> Desk:
    xiamen_regions(db)
    ours, theirs = organisation(db, "组织甲"), organisation(db, "组织乙")
    place, other = build_place(db, "A"), build_place(db, "B")
    place.site.organisation_id, other.site.organisation_id = ours, theirs
    complaint = Complaint(tracking_code="TC-9", organisation_id=ours, text="考场内有人代考",
                          channel=ComplaintChannel.LETTER, registered_by="cli:admin")
    db.add(complaint)
    officer = add_user(db, "officer", Role.COMPLAINT_OFFICER, [place.site, other.site])
    db.commit()
    return Desk(complaint.id, load_scope(db, officer), place.camera, other.camera)


def audited(db: Session, complaint: int) -> list[str]:
    """The audit actions on the complaint, oldest first."""
    return list(db.scalars(select(AuditEntry.action).where(
        AuditEntry.target == f"complaint:{complaint}").order_by(AuditEntry.id)))


def accepted(db: Session, desk: Desk, calendar: WorkingCalendar = CALENDAR) -> Complaint:
    """The complaint after an accepting first review on NOW."""
    return handling.review(db, desk.officer, calendar, RULES, desk.complaint, True, "受理", NOW)


class HoldStore:
    """Legal-hold flags set on stored versions (no segment here, so none is expected)."""

    def __init__(self) -> None:
        self.held: list[str] = []

    def set_legal_hold(self, key: str, version_id: str, on: bool) -> None:
        self.held.append(key)


def test_an_accepted_review_counts_the_resolution_in_working_days(db: Session,
                                                                  desk: Desk) -> None:
    complaint = accepted(db, desk)
    assert complaint.state is ComplaintState.FIRST_REVIEW
    assert complaint.handling_officer_id == desk.officer.user_id
    assert (complaint.first_reviewed_at, complaint.first_review_note) == (NOW, "受理")
    assert complaint.resolved_at is None and complaint.resolution == ""
    due = complaint.resolution_due
    assert due is not None and due.weekday() < 5
    assert CALENDAR.working_days_between(china_day(NOW), due) == RULES.resolution_days
    assert (due - china_day(NOW)).days > RULES.resolution_days  # a weekend lies between
    assert audited(db, desk.complaint) == ["complaint.review"]


def test_a_review_needing_a_year_not_entered_leaves_the_deadline_blank(db: Session,
                                                                       desk: Desk) -> None:
    late_december = datetime(2026, 12, 28, 2, 0, tzinfo=UTC)
    complaint = handling.review(db, desk.officer, WorkingCalendar([2026], []), RULES,
                                desk.complaint, True, "受理", late_december)
    assert complaint.state is ComplaintState.FIRST_REVIEW  # never refused for the calendar
    assert complaint.resolution_due is None
    with pytest.raises(Conflict, match="no countable resolution deadline yet"):
        handling.extend(db, desk.officer, CALENDAR, desk.complaint, 3, "需要调取录像")


def test_a_rejection_resolves_with_the_note_and_nothing_else_follows(db: Session,
                                                                     desk: Desk) -> None:
    complaint = handling.review(db, desk.officer, CALENDAR, RULES, desk.complaint, False,
                                "不属于受理范围", NOW)
    assert complaint.state is ComplaintState.RESOLVED
    assert (complaint.resolved_at, complaint.resolution) == (NOW, "不属于受理范围")
    assert complaint.resolution_due is None
    for step in (lambda: handling.investigate(db, desk.officer, desk.complaint, "x"),
                 lambda: handling.extend(db, desk.officer, CALENDAR, desk.complaint, 1, "x")):
        with pytest.raises(ComplaintStepRefused, match="已处理"):
            step()
    assert handling.close(db, desk.officer, desk.complaint, NOW).state is ComplaintState.CLOSED
    assert audited(db, desk.complaint) == ["complaint.review", "complaint.close"]


def test_each_step_is_refused_out_of_order_naming_the_state(db: Session, desk: Desk) -> None:
    officer, number = desk.officer, desk.complaint
    refused: list[Callable[[], object]] = [
        lambda: handling.investigate(db, officer, number, "调查"),
        lambda: handling.resolve(db, officer, number, Resolution("属实", True), NOW),
        lambda: handling.close(db, officer, number, NOW),
        lambda: handling.attach_clip(db, None, officer, number,
                                     ClipRequest(desk.camera.id, NOW, NOW + timedelta(1))),
    ]
    for step in refused:
        with pytest.raises(ComplaintStepRefused, match="已登记"):
            step()
    accepted(db, desk)
    with pytest.raises(ComplaintStepRefused, match="'review'"):
        accepted(db, desk)
    assert audited(db, desk.complaint) == ["complaint.review"]


def test_an_unknown_complaint_is_not_found(db: Session, desk: Desk) -> None:
    with pytest.raises(NotFound, match="complaint 2147483648"):
        handling.investigate(db, desk.officer, 2**31, "调查")


def test_an_extension_moves_the_deadline_and_is_recorded(db: Session, desk: Desk) -> None:
    first = accepted(db, desk).resolution_due
    assert first is not None
    row = handling.extend(db, desk.officer, CALENDAR, desk.complaint, 5, "需要调取录像")
    again = handling.extend(db, desk.officer, CALENDAR, desk.complaint, 1, "再次延期")
    assert (row.previous_due, row.new_due) == (first, again.previous_due)
    assert CALENDAR.working_days_between(first, row.new_due) == 5
    assert CALENDAR.working_days_between(row.new_due, again.new_due) == 1
    complaint = db.get_one(Complaint, desk.complaint)
    assert complaint.resolution_due == again.new_due
    db.flush()
    rows = db.scalars(select(ComplaintExtension).where(
        ComplaintExtension.complaint_id == desk.complaint)).all()
    assert [(r.working_days, r.reason) for r in rows] == [(5, "需要调取录像"), (1, "再次延期")]
    assert audited(db, desk.complaint).count("complaint.extend") == 2


@pytest.mark.parametrize("days", [0, -3])
def test_an_extension_of_no_working_day_is_refused(db: Session, desk: Desk, days: int) -> None:
    due = accepted(db, desk).resolution_due
    with pytest.raises(ValueError, match="at least one working day"):
        handling.extend(db, desk.officer, CALENDAR, desk.complaint, days, "x")
    assert db.get_one(Complaint, desk.complaint).resolution_due == due


def test_an_extension_past_the_entered_years_says_which_year(db: Session, desk: Desk) -> None:
    accepted(db, desk)
    with pytest.raises(Conflict, match="no entry for 2028"):
        handling.extend(db, desk.officer, CALENDAR, desk.complaint, 400, "x")


def test_only_a_batch_complaint_may_require_an_amended_report(db: Session, desk: Desk) -> None:
    accepted(db, desk)
    with pytest.raises(InvalidInput, match="only a complaint about a batch"):
        handling.resolve(db, desk.officer, desk.complaint,
                         Resolution("属实", True, requires_amended_report=True), NOW)
    assert db.get_one(Complaint, desk.complaint).state is ComplaintState.FIRST_REVIEW
    later = NOW + timedelta(days=2)
    complaint = handling.resolve(db, desk.officer, desk.complaint, Resolution("不属实", False),
                                 later)
    assert (complaint.state, complaint.resolved_at, complaint.resolution) == (
        ComplaintState.RESOLVED, later, "不属实")
    assert complaint.substantiated is False and complaint.requires_amended_report is False
    closed = handling.close(db, desk.officer, desk.complaint, later + timedelta(days=1))
    assert closed.closed_at == later + timedelta(days=1)
    assert audited(db, desk.complaint) == [
        "complaint.review", "complaint.resolve", "complaint.close"]


def investigating(db: Session, desk: Desk) -> None:
    """Reviewed and under investigation."""
    accepted(db, desk)
    handling.investigate(db, desk.officer, desk.complaint, "调取录像")


def holds(db: Session) -> int:
    """How many legal holds are recorded."""
    return len(db.scalars(select(LegalHold)).all())


def test_a_clip_of_another_organisations_camera_is_refused_before_any_hold(
        db: Session, desk: Desk) -> None:
    investigating(db, desk)
    store = cast(ObjectStore, HoldStore())
    with pytest.raises(InvalidInput, match="not at a site of organisation"):
        handling.attach_clip(db, store, desk.officer, desk.complaint,
                             ClipRequest(desk.other_camera.id, NOW, NOW + timedelta(minutes=5)))
    for starts, ends in ((NOW, NOW), (NOW, NOW - timedelta(minutes=5))):
        with pytest.raises(InvalidInput, match="must end after it starts"):
            handling.attach_clip(db, store, desk.officer, desk.complaint,
                                 ClipRequest(desk.camera.id, starts, ends))
    with pytest.raises(NotFound, match="camera 999999"):
        handling.attach_clip(db, store, desk.officer, desk.complaint,
                             ClipRequest(999_999, NOW, NOW + timedelta(minutes=5)))
    assert holds(db) == 0


def test_a_clip_needs_the_object_store(db: Session, desk: Desk) -> None:
    investigating(db, desk)
    with pytest.raises(StoreNotConfigured, match="legal holds"):
        handling.attach_clip(db, None, desk.officer, desk.complaint,
                             ClipRequest(desk.camera.id, NOW, NOW + timedelta(minutes=5)))
    assert holds(db) == 0


def test_an_attached_clip_is_held_at_once_and_audited(db: Session, desk: Desk) -> None:
    investigating(db, desk)
    ends = NOW + timedelta(minutes=7, milliseconds=250)
    clip = handling.attach_clip(db, cast(ObjectStore, HoldStore()), desk.officer,
                                desk.complaint, ClipRequest(desk.camera.id, NOW, ends, "座位A1"))
    hold = db.get_one(LegalHold, clip.legal_hold_id)
    assert (hold.camera_id, hold.to_ms - hold.from_ms) == (desk.camera.id, 7 * 60_000 + 250)
    assert hold.from_ms == int(NOW.timestamp() * 1000)
    assert str(desk.complaint) in hold.reason
    assert (clip.note, clip.attached_by) == ("座位A1", str(desk.officer.actor))
    db.rollback()  # committed: nothing is lost
    assert [c.id for c in db.scalars(select(ComplaintClip))] == [clip.id]
    assert audited(db, desk.complaint)[-1] == "complaint.attach_clip"


def test_the_deadline_counts_from_the_china_day(db: Session, desk: Desk) -> None:
    sunday_night = datetime(2026, 12, 13, 17, 0, tzinfo=UTC)  # Monday 01:00 in China
    complaint = handling.review(db, desk.officer, CALENDAR, RULES, desk.complaint, True, "受理",
                                sunday_night)
    monday, sunday = date(2026, 12, 14), date(2026, 12, 13)
    assert complaint.resolution_due == CALENDAR.add_working_days(monday, RULES.resolution_days)
    assert complaint.resolution_due != CALENDAR.add_working_days(sunday, RULES.resolution_days)
