"""The results gate through the database: each reason alone, all together, and acceptance
recording who and when; plus ``proctor bench supervision`` at small sizes."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from support.batches import World, at, build_world
from support.review import END, START, add_event, add_segments, drawn_for_both_rooms, ms, user
from typer.testing import CliRunner

from proctor.actor import Actor
from proctor.cli.main import app
from proctor.db.complaints import Complaint, ComplaintChannel, ComplaintState
from proctor.db.models import AuditEntry, Role
from proctor.supervision import lifecycle
from proctor.supervision.lifecycle import BatchTransitionRefused
from proctor.supervision.oversight import Report
from proctor.supervision.records import Batch
from proctor.supervision.report.terms import Conclusion
from proctor.supervision.settings import SupervisionSettings
from proctor.supervision.states import Action, BatchState

RULES = SupervisionSettings().deadline_rules()
FILING = at("2026-03-13 09:00")  # publicity from Thursday 03-05 ran its 5 working days
ALL = ["report_not_signed", "events_not_reviewed", "gaps_not_explained",
       "publicity_not_elapsed", "complaints_open"]
ADMIN = Actor.cli("admin")


def in_publicity(db: Session, world: World, conclusion: Conclusion | None = Conclusion.PASSED,
                 event: bool = False, gap: bool = False) -> Batch:
    """A batch in publicity since 2026-03-05 whose gate is open unless told otherwise:
    ``conclusion`` None leaves the report unsigned, ``event`` adds an unreviewed event,
    ``gap`` leaves the second camera's last half hour unrecorded."""
    batch_id = drawn_for_both_rooms(db, world, user(db, "sup", Role.SUPERVISOR).id)
    batch = db.get(Batch, batch_id)
    assert batch is not None
    batch.state, batch.publicity_started_on = BatchState.PUBLICITY, date(2026, 3, 5)
    add_segments(db, world.cameras[0], ms(START), ms(END))
    add_segments(db, world.cameras[1], ms(START), ms("2026-03-02 10:30" if gap else END))
    if event:
        add_event(db, world.cameras[0], "2026-03-02 09:30")
    if conclusion is not None:
        db.add(Report(batch_id=batch_id, number="DD-2026-00001", content={},
                      conclusion=conclusion, signed_by="user:1",
                      signed_at=at("2026-03-03 10:00"), created_by="user:1"))
    db.flush()
    return batch


def refused(db: Session, batch: Batch, when: datetime = FILING) -> list[str]:
    with pytest.raises(BatchTransitionRefused) as caught:
        lifecycle.transition(db, ADMIN, batch.id, Action.FILE_RESULTS, RULES, now=when)
    return [reason.code.value for reason in caught.value.missing]


@pytest.mark.parametrize(("options", "code"), [
    ({"conclusion": None}, "report_not_signed"),
    ({"conclusion": Conclusion.NOT_ACCEPTED}, "report_not_recognised"),
    ({"event": True}, "events_not_reviewed"),
    ({"gap": True}, "gaps_not_explained"),
])
def test_each_reason_alone(db: Session, options: dict[str, object], code: str) -> None:
    batch = in_publicity(db, build_world(db), **options)  # type: ignore[arg-type]
    assert refused(db, batch) == [code]


def test_publicity_not_over_alone(db: Session) -> None:
    batch = in_publicity(db, build_world(db))
    assert refused(db, batch, at("2026-03-12 16:00")) == ["publicity_not_elapsed"]


def complain(db: Session, batch: Batch, state: ComplaintState = ComplaintState.REGISTERED,
             **fields: object) -> Complaint:
    """A complaint about ``batch`` as the complaint wing stores it."""
    row = Complaint(tracking_code=f"T{batch.id}X{len(fields)}{state.value[:3]}".upper(),
                    organisation_id=batch.organisation_id, batch_id=batch.id, text="有人代考",
                    channel=ComplaintChannel.PHONE, state=state, registered_by="cli:admin",
                    first_review_due=date(2026, 3, 9), **fields)
    db.add(row)
    db.flush()
    return row


def test_an_open_complaint_alone_is_named(db: Session) -> None:
    batch = in_publicity(db, build_world(db))
    complaint = complain(db, batch)
    complain(db, batch, ComplaintState.CLOSED)  # closed: no longer counts
    with pytest.raises(BatchTransitionRefused) as caught:
        lifecycle.transition(db, ADMIN, batch.id, Action.FILE_RESULTS, RULES, now=FILING)
    (reason,) = caught.value.missing
    assert reason.code.value == "complaints_open" and f"#{complaint.id}" in reason.zh


def test_an_amended_report_is_needed_after_such_a_resolution(db: Session) -> None:
    batch = in_publicity(db, build_world(db))
    complain(db, batch, ComplaintState.CLOSED, requires_amended_report=True,
             resolved_at=at("2026-03-10 09:00"))
    assert refused(db, batch) == ["amended_report_required"]
    db.add(Report(batch_id=batch.id, number="DD-2026-00001", version=2, content={},
                  conclusion=Conclusion.PASSED, signed_by="user:1",
                  signed_at=at("2026-03-11 10:00"), created_by="user:1"))
    db.flush()
    lifecycle.transition(db, ADMIN, batch.id, Action.FILE_RESULTS, RULES, now=FILING)
    assert batch.state is BatchState.RESULTS_FILED


def test_every_reason_together(db: Session) -> None:
    batch = in_publicity(db, build_world(db), conclusion=None, event=True, gap=True)
    complain(db, batch)
    complain(db, batch, ComplaintState.INVESTIGATING)
    assert refused(db, batch, at("2026-03-11 09:00")) == ALL


def test_filing_and_acceptance_record_who_and_when(db: Session) -> None:
    batch = in_publicity(db, build_world(db))
    lifecycle.transition(db, ADMIN, batch.id, Action.FILE_RESULTS, RULES, now=FILING)
    accepted_at = at("2026-03-16 09:00")
    lifecycle.transition(db, ADMIN, batch.id, Action.ACCEPT, RULES, reason="材料齐全",
                         now=accepted_at)
    assert batch.state is BatchState.ACCEPTED
    assert (batch.decided_by, batch.decided_at) == ("cli:admin", accepted_at)
    last = db.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).one()
    assert (last.actor, last.detail["to_state"], last.detail["reason"]) == (
        "cli:admin", "accepted", "材料齐全")


def test_the_bench_writes_a_verifiable_report_and_ends_with_json(tmp_path: Path) -> None:
    out = tmp_path / "bench.pdf"
    result = CliRunner().invoke(app, ["bench", "supervision", "--out", str(out),
                                      "--cameras", "2", "--hours", "1", "--findings", "3"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["segment_hashes"] == 2 * 360 and figures["gate_open"] is True
    assert figures["report_seconds"] > 0 and figures["gate_ms"] > 0
    verified = CliRunner().invoke(app, ["supervision", "verify-report", str(out)])
    assert verified.exit_code == 0, verified.output
