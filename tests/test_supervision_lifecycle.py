"""The lifecycle service on SQLite: every transition through the database with its facts,
audited with actor and reason; refusals with the state and every missing item; deadlines
from the working calendar, overrides flagged, and a year not entered failing closed."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from support.batches import ADMIN, World, at, build_world, planned_batch

from proctor.actor import Actor
from proctor.db.models import AuditEntry, Event, Role, User
from proctor.errors import Conflict, InvalidInput
from proctor.supervision import lifecycle
from proctor.supervision.calendar import YearNotEntered
from proctor.supervision.lifecycle import BatchTransitionRefused
from proctor.supervision.oversight import (
    Assignment,
    Draw,
    DrawKind,
    EventReview,
    GapExplanation,
    Report,
    Supervisor,
)
from proctor.supervision.records import Batch
from proctor.supervision.report.terms import Conclusion
from proctor.supervision.settings import SupervisionSettings
from proctor.supervision.states import Action, BatchState

RULES = SupervisionSettings().deadline_rules()
SESSION = ("2026-03-02 09:00", "2026-03-02 11:00")  # Monday; enterprise files by 2026-02-03


def step(db: Session, batch: Batch, action: Action, when: str, reason: str | None = None,
         override: str | None = None) -> Batch:
    number = f"BA-350203-2026-{batch.id:04d}" if action is Action.FILE else None
    return lifecycle.transition(db, ADMIN, batch.id, action, RULES, reason, override,
                                now=at(when), filing_number=number)


def refusal(db: Session, batch: Batch, action: Action, when: str,
            override: str | None = None) -> BatchTransitionRefused:
    with pytest.raises(BatchTransitionRefused) as caught:
        step(db, batch, action, when, override=override)
    return caught.value


def codes(error: BatchTransitionRefused) -> list[str]:
    return [reason.code.value for reason in error.missing]


def draw(db: Session, batch: Batch, needed: int, supervisors: int) -> None:
    """A revealed draw needing ``needed`` supervisors, ``supervisors`` of them assigned."""
    row = Draw(kind=DrawKind.SUPERVISORS, batch_id=batch.id, commitment="c" * 64, seed="0" * 64,
               snapshot=json.dumps({"supervisors_needed": needed}), snapshot_sha256="s" * 64,
               result=[], drawn_by="cli:admin")
    db.add(row)
    db.flush()
    for n in range(supervisors):
        person = Supervisor(name=f"督导{n}", region_code="350203", qualification_number=f"Q{n}")
        db.add(person)
        db.flush()
        db.add(Assignment(batch_id=batch.id, supervisor_id=person.id, draw_id=row.id,
                          access_until=at("2026-04-30 00:00")))
    db.flush()


def test_a_batch_goes_from_draft_to_accepted(db: Session, world: World) -> None:
    batch = planned_batch(db, world, *SESSION)
    step(db, batch, Action.FILE, "2026-02-03 17:00", reason="计划已报送")  # the last day
    assert batch.state is BatchState.FILED and str(batch.plan_filed_on) == "2026-02-03"
    draw(db, batch, needed=2, supervisors=1)
    assert codes(refusal(db, batch, Action.RECORD_DRAW, "2026-02-10 09:00")) == [
        "too_few_supervisors"]
    draw(db, batch, needed=2, supervisors=2)
    step(db, batch, Action.RECORD_DRAW, "2026-02-10 09:00")
    assert codes(refusal(db, batch, Action.START, "2026-03-02 08:59")) == ["no_session_started"]
    step(db, batch, Action.START, "2026-03-02 09:01")
    assert codes(refusal(db, batch, Action.END, "2026-03-02 10:59")) == ["sessions_not_ended"]
    step(db, batch, Action.END, "2026-03-02 11:05")
    _sign(db, world, batch)
    step(db, batch, Action.OPEN_PUBLICITY, "2026-03-05 09:00")  # Thursday
    assert str(batch.publicity_started_on) == "2026-03-05"
    early = refusal(db, batch, Action.FILE_RESULTS, "2026-03-12 16:00")  # its last day
    assert codes(early) == ["publicity_not_elapsed"] and "已 4 个工作日，需 5 个" in str(early)
    step(db, batch, Action.FILE_RESULTS, "2026-03-13 09:00")
    step(db, batch, Action.ACCEPT, "2026-03-16 09:00", reason="材料齐全")
    assert batch.state.value == "accepted" and batch.decided_by == "cli:admin"
    assert batch.flags == []  # nothing late, nothing overridden
    trail = db.scalars(select(AuditEntry).where(AuditEntry.action == lifecycle.TRANSITION)
                       .order_by(AuditEntry.seq)).all()
    assert [e.detail["to_state"] for e in trail] == [
        "filed", "supervisors_drawn", "in_progress", "ended", "report_signed", "publicity",
        "results_filed", "accepted"]
    assert {e.actor for e in trail} == {"cli:admin"}
    assert trail[0].detail["reason"] == "计划已报送" and trail[-1].detail["reason"] == "材料齐全"
    assert trail[5].detail["publicity_last_day"] == "2026-03-12"


def _sign(db: Session, world: World, batch: Batch) -> None:
    """Sign the report: refused until the event is reviewed, the gap explained and the
    report signed, each listed."""
    reviewer = User(username="sup", password_hash="x", role=Role.SUPERVISOR)
    event = Event(camera_id=world.cameras[0], kind="people_extra",
                  started_at=at("2026-03-02 10:00"), ended_at=at("2026-03-02 10:01"))
    outside = Event(camera_id=world.cameras[0], kind="people_extra",  # before the window
                    started_at=at("2026-03-02 08:00"), ended_at=at("2026-03-02 08:01"))
    db.add_all([reviewer, event, outside])
    db.flush()
    drawn = db.scalars(select(Supervisor).join(Assignment).where(
        Assignment.batch_id == batch.id)).first()
    assert drawn is not None
    drawn.user_id = reviewer.id  # only a drawn supervisor's verdict counts for the gate
    refused = refusal(db, batch, Action.SIGN_REPORT, "2026-03-03 09:00")
    assert codes(refused) == ["report_not_signed", "events_not_reviewed", "gaps_not_explained"]
    assert "1 个事件未复核" in str(refused) and "1 处录像缺口未说明" in str(refused)
    db.add_all([
        EventReview(event_id=event.id, user_id=reviewer.id, batch_id=batch.id,
                    decision="confirmed"),
        GapExplanation(batch_id=batch.id, camera_id=world.cameras[0],
                       starts_at=at("2026-03-02 09:00"), ends_at=at("2026-03-02 11:00"),
                       explanation="录像机故障，现场督导在场", explained_by="user:1"),
        Report(batch_id=batch.id, number="XM-2026-001", content={}, created_by="user:1",
               conclusion=Conclusion.PASSED, signed_by="user:1",
               signed_at=at("2026-03-03 09:00"))])
    db.flush()
    step(db, batch, Action.SIGN_REPORT, "2026-03-03 10:00")


def test_a_late_plan_is_refused_then_overridden_and_flagged(db: Session, world: World) -> None:
    batch = planned_batch(db, world, *SESSION)
    late = refusal(db, batch, Action.FILE, "2026-02-04 09:00")
    assert late.state is BatchState.DRAFT and codes(late) == ["plan_filed_late"]
    assert "当前状态 / current state: 草稿 (draft)" in str(late)
    step(db, batch, Action.FILE, "2026-02-04 09:00", override="上级批准补报")
    assert batch.state is BatchState.FILED
    (flag,) = batch.flags
    assert flag | {"at": None} == {
        "code": "plan_filed_late", "zh": "实施计划备案逾期", "en": "implementation plan filed late",
        "override_reason": "上级批准补报", "by": "cli:admin", "at": None,
        "step": "plan_filing", "status": "late", "due": "2026-02-03", "done_on": "2026-02-04",
        "working_days": 1, "verdict": "认定实施计划备案逾期 1 个工作日（期限 2026-02-03）"}
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == lifecycle.TRANSITION)).one()
    assert entry.detail["override"] == "上级批准补报" and entry.detail["flags"] == [flag]


def test_a_college_has_ten_working_days(db: Session) -> None:
    from proctor.db.organisations import OrganisationKind

    world = build_world(db, OrganisationKind.COLLEGE, "厦门某技工学校")
    batch = planned_batch(db, world, *SESSION)
    step(db, batch, Action.FILE, "2026-02-10 09:00")  # an enterprise would be 5 days late
    assert batch.state is BatchState.FILED


def test_an_override_never_lifts_a_hard_rule(db: Session, world: World) -> None:
    batch = planned_batch(db, world, *SESSION, roster=None)
    refused = refusal(db, batch, Action.FILE, "2026-02-04 09:00", override="急")
    assert codes(refused) == ["room_without_roster", "plan_filed_late"]


def test_a_year_not_entered_fails_closed(db: Session, world: World) -> None:
    batch = planned_batch(db, world, "2027-03-01 09:00", "2027-03-01 11:00")
    with pytest.raises(YearNotEntered, match="2027"):
        step(db, batch, Action.FILE, "2026-12-01 09:00")
    assert batch.state is BatchState.DRAFT


def test_late_results_are_refused_then_overridden(db: Session, world: World) -> None:
    batch = planned_batch(db, world, *SESSION)
    batch.state, batch.publicity_started_on = BatchState.PUBLICITY, at("2026-03-05 09:00").date()
    db.add(Report(batch_id=batch.id, number="XM-2026-002", content={}, created_by="user:1",
                  conclusion=Conclusion.PASSED, signed_at=at("2026-03-04 09:00")))
    db.add(GapExplanation(batch_id=batch.id, camera_id=world.cameras[0],
                          starts_at=at("2026-03-02 09:00"), ends_at=at("2026-03-02 11:00"),
                          explanation="停电", explained_by="user:1"))
    db.flush()
    assert codes(refusal(db, batch, Action.FILE_RESULTS, "2026-03-27 09:00")) == [
        "results_filed_late"]  # due 2026-03-26
    step(db, batch, Action.FILE_RESULTS, "2026-03-27 09:00", override="公示期投诉已办结")
    assert batch.flags[0]["code"] == "results_filed_late" and batch.flags[0]["due"] == "2026-03-26"


def test_wrong_state_and_rejection_rules(db: Session, world: World) -> None:
    batch = planned_batch(db, world, *SESSION)
    wrong = refusal(db, batch, Action.START, "2026-03-02 09:30", override="x")
    assert codes(wrong) == ["wrong_state"] and "已抽取督导员" in str(wrong)
    with pytest.raises(InvalidInput, match="needs a reason"):
        step(db, batch, Action.REJECT, "2026-03-02 09:30")
    with pytest.raises(InvalidInput, match="longer than 1000"):
        step(db, batch, Action.FILE, "2026-02-02 09:00", reason="长" * 1001)
    batch.state = BatchState.REPORT_SIGNED
    step(db, batch, Action.REJECT, "2026-03-04 09:00", reason="代考查实")
    assert batch.state is BatchState.NOT_ACCEPTED and batch.decided_at is not None


def test_transitions_take_a_typed_actor(db: Session, world: World) -> None:
    batch = planned_batch(db, world, *SESSION)
    lifecycle.transition(db, Actor.user(7), batch.id, Action.FILE, RULES,
                         now=at("2026-02-02 09:00"), filing_number="BA-1")
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == lifecycle.TRANSITION)).one()
    assert entry.actor == "user:7"


def _file(db: Session, batch: Batch, number: str | None) -> Batch:
    return lifecycle.transition(db, ADMIN, batch.id, Action.FILE, RULES,
                                now=at("2026-02-02 09:00"), filing_number=number)


def test_filing_records_a_unique_filing_number(db: Session, world: World) -> None:
    batch, other = planned_batch(db, world, *SESSION), planned_batch(
        db, world, "2026-03-03 09:00", "2026-03-03 11:00")
    for missing in (None, "", "  "):
        with pytest.raises(InvalidInput, match="needs the filing number"):
            _file(db, batch, missing)
    with pytest.raises(InvalidInput, match="is not a document number"):
        _file(db, batch, "厦人社认备 2026;12")
    assert batch.state is BatchState.DRAFT and batch.filing_number is None
    filed = _file(db, batch, " BA-350203-2026-0001 ")
    assert (filed.state, filed.filing_number) == (BatchState.FILED, "BA-350203-2026-0001")
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == lifecycle.TRANSITION)).one()
    assert entry.detail["filing_number"] == "BA-350203-2026-0001"
    with pytest.raises(Conflict, match=f"already batch {batch.id}'s"):
        _file(db, other, "BA-350203-2026-0001")
    assert other.state is BatchState.DRAFT and other.filing_number is None


def test_a_refused_filing_keeps_no_number(db: Session, world: World) -> None:
    batch = planned_batch(db, world, *SESSION, roster=None)
    with pytest.raises(BatchTransitionRefused):
        _file(db, batch, "BA-2")
    assert batch.filing_number is None
