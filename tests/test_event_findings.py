"""Confirmed events become findings of the report draft (real SQLite): with their clip,
severity from the kind and the reviewer's note; dismissed ones and administrators' verdicts
do not; idempotent; withdrawn before signing, gone; manual findings beside them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session
from support.batches import World, at, build_world, database
from support.review import (
    END,
    START,
    add_event,
    add_segments,
    draw_also,
    drawn_for_both_rooms,
    ms,
    scope_of,
    user,
)

from proctor.auth.scope import Scope
from proctor.db.models import Event, Role
from proctor.supervision import report_service
from proctor.supervision.event_findings import KIND_TERMS, UNKNOWN_KIND, describe, terms_of
from proctor.supervision.findings import add_finding
from proctor.supervision.oversight import Report, ReviewDecision
from proctor.supervision.records import Batch
from proctor.supervision.report.content import SupervisionReport
from proctor.supervision.report.terms import CheckItem, Conclusion, Severity
from proctor.supervision.report_draft import Judgement
from proctor.supervision.review import review_event
from proctor.supervision.states import BatchState
from proctor.vision.kinds import EventKind

CONFIRMED, DISMISSED = ReviewDecision.CONFIRMED, ReviewDecision.DISMISSED
JUDGEMENT = Judgement(opinion="考场秩序良好。", conclusion=Conclusion.PASSED)


@dataclass
class Drafted:
    """An ended batch, two drawn supervisors and an administrator, both cameras recorded,
    two events (a phone on camera 0, a covered lens on camera 1) and a report draft."""

    db: Session
    world: World
    batch: int
    phone: int
    covered: int
    sup1: Scope
    sup2: Scope
    admin: Scope
    draft: Report

    def findings(self) -> SupervisionReport:
        self.db.refresh(self.draft)
        return report_service.stored_content(self.draft)

    def review(self, scope: Scope, event: int, decision: ReviewDecision, note: str) -> None:
        review_event(self.db, scope, self.batch, event, decision, note)


@pytest.fixture
def drafted(tmp_path: Path) -> Iterator[Drafted]:
    with database(tmp_path) as db:
        world = build_world(db)
        sup1, sup2 = user(db, "sup1", Role.SUPERVISOR), user(db, "sup2", Role.SUPERVISOR)
        admin = user(db, "admin", Role.ADMIN)
        batch = drawn_for_both_rooms(db, world, sup1.id)
        draw_also(db, batch, sup2.id)
        db.execute(update(Batch).where(Batch.id == batch).values(state=BatchState.ENDED))
        for camera in world.cameras:
            add_segments(db, camera, ms(START), ms(END))
        phone = add_event(db, world.cameras[0], "2026-03-02 09:30", kind="phone")
        covered = add_event(db, world.cameras[1], "2026-03-02 10:00", kind="covered")
        scopes = [scope_of(db, row) for row in (sup1, sup2, admin)]
        draft = report_service.draft_report(db, scopes[0], batch, JUDGEMENT)
        yield Drafted(db, world, batch, phone, covered, *scopes, draft)


def test_a_confirmed_event_is_a_finding_with_its_clip_and_note(drafted: Drafted) -> None:
    d = drafted
    assert d.findings().findings == []
    d.review(d.sup1, d.phone, CONFIRMED, "考生桌面放置手机。")
    d.review(d.sup1, d.covered, DISMISSED, "监考员调整镜头，非遮挡。")
    [finding] = d.findings().findings
    assert (finding.number, finding.item, finding.severity) == (1, CheckItem.ROOM,
                                                               Severity.GRAVE)
    assert finding.description == (f"分析事件 #{d.phone}「画面中出现手机」经督导员复核确认。\n"
                                   "复核意见：考生桌面放置手机。")
    [clip] = finding.clips
    assert (clip.camera_id, clip.start, clip.end) == (
        d.world.cameras[0], at("2026-03-02 09:30"), at("2026-03-02 09:31"))
    assert len(clip.segments) == 6  # the 10 s segments covering the minute


def test_only_drawn_supervisors_confirmations_count(drafted: Drafted) -> None:
    d = drafted
    d.review(d.admin, d.phone, CONFIRMED, "管理员确认")
    assert d.findings().findings == []


def test_confirming_again_or_twice_or_editing_makes_one_finding(drafted: Drafted) -> None:
    d = drafted
    d.review(d.sup1, d.phone, CONFIRMED, "手机")
    d.review(d.sup1, d.phone, CONFIRMED, "手机")
    d.review(d.sup1, d.phone, CONFIRMED, "桌上手机")
    d.review(d.sup2, d.phone, CONFIRMED, "桌上手机")
    report_service.edit_report(d.db, d.sup1, d.draft.id,
                               report_service.JudgementChanges(opinion="已提醒。"))
    [finding] = d.findings().findings
    assert finding.description.endswith("复核意见：桌上手机")  # the same note once


def test_withdrawing_a_confirmation_before_signing_removes_the_finding(drafted: Drafted
                                                                      ) -> None:
    d = drafted
    d.review(d.sup1, d.phone, CONFIRMED, "")
    d.review(d.sup1, d.covered, CONFIRMED, "")
    assert [f.severity for f in d.findings().findings] == [Severity.GRAVE, Severity.SERIOUS]
    d.review(d.sup1, d.phone, DISMISSED, "看错了，是计算器。")
    [left] = d.findings().findings
    assert (left.number, left.item, left.clips[0].camera_id) == (
        1, CheckItem.VIDEO, d.world.cameras[1])
    assert left.description == f"分析事件 #{d.covered}「镜头被遮挡」经督导员复核确认。"


def test_manual_findings_stay_and_are_ordered_with_events(drafted: Drafted) -> None:
    d = drafted
    d.review(d.sup1, d.covered, CONFIRMED, "遮挡约一分钟。")
    add_finding(d.db, d.sup1, d.batch, [d.world.cameras[0]], at("2026-03-02 09:10"),
                at("2026-03-02 09:11"), CheckItem.RULES, Severity.MINOR, "考前未宣读守则。")
    report = d.findings()
    assert [(f.number, f.item) for f in report.findings] == [(1, CheckItem.RULES),
                                                             (2, CheckItem.VIDEO)]


def test_an_open_event_runs_to_the_session_end_and_times_round_outwards(drafted: Drafted
                                                                        ) -> None:
    d = drafted
    event = d.db.get(Event, d.covered)
    assert event is not None
    event.started_at = at("2026-03-02 10:00") + timedelta(milliseconds=400)
    event.ended_at = None
    d.review(d.sup2, d.covered, CONFIRMED, "")
    [finding] = d.findings().findings
    assert (finding.clips[0].start, finding.clips[0].end) == (at("2026-03-02 10:00"), at(END))


def test_every_event_kind_has_report_terms() -> None:
    assert set(KIND_TERMS) == {kind.value for kind in EventKind}
    assert terms_of("no_such_kind") is UNKNOWN_KIND


def test_a_long_description_is_cut_to_a_report_paragraph() -> None:
    event = Event(id=7, kind="phone")
    text = describe(event, ["很" * 3999, "另一条"])
    assert len(text) == 4000 and text.endswith("…")
