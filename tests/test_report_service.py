"""The report's life on real SQLite and a real SeaweedFS: draft → sign → archived under
COMPLIANCE retention and verifiable offline; refusals; immutability; amendment; the
head's acknowledgement; who may read and write."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from minio import Minio
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from support.batches import World, at, build_world, database
from support.review import (
    END,
    START,
    add_event,
    add_segments,
    drawn_for_both_rooms,
    ms,
    scope_of,
    user,
)
from typer.testing import CliRunner

from proctor.auth.scope import Scope
from proctor.cli.main import app
from proctor.db.models import AuditEntry, Role, Segment
from proctor.db.organisations import Organisation
from proctor.errors import Conflict, Forbidden, InvalidInput
from proctor.recording.retention import retain_until
from proctor.recording.store import ObjectStore
from proctor.supervision import report_archive, report_service
from proctor.supervision.lifecycle import BatchTransitionRefused
from proctor.supervision.oversight import Finding, Report, ReviewDecision
from proctor.supervision.records import Batch, SessionRoom
from proctor.supervision.report.identity import service_identity
from proctor.supervision.report.signing import PadesSigner
from proctor.supervision.report.terms import Answer, CheckItem, Conclusion, Severity
from proctor.supervision.report_archive import ReportArchive
from proctor.supervision.report_draft import Judgement
from proctor.supervision.report_service import JudgementChanges
from proctor.supervision.review import review_event
from proctor.supervision.settings import SupervisionSettings
from proctor.supervision.states import BatchState
from proctor_dev.seaweed import EmbeddedSeaweedFS

RULES = SupervisionSettings().deadline_rules()
SIGNED_AT = at("2026-03-03 10:00")
JUDGEMENT = Judgement(opinion="考场秩序良好。", conclusion=Conclusion.PASSED)
FILING_NUMBER = "BA-350203-2026-0001"


@pytest.fixture(scope="module")
def archive(seaweed: EmbeddedSeaweedFS, tmp_path_factory: pytest.TempPathFactory) -> ReportArchive:
    client = Minio(seaweed.endpoint, seaweed.access_key, seaweed.secret_key, secure=False,
                   region="us-east-1")
    store = ObjectStore(client, "reports")
    store.ensure_bucket()
    identity = service_identity(tmp_path_factory.mktemp("identity"), create=True)
    return ReportArchive(store, PadesSigner(identity), retention_years=5)


@dataclass
class Ended:
    db: Session
    world: World
    batch_id: int
    scope: Scope


@pytest.fixture
def ended(tmp_path: Path) -> Iterator[Ended]:
    """An ended batch over both rooms, its supervisor drawn, both cameras fully recorded
    (distinct segment hashes) and one finding on the first camera."""
    with database(tmp_path) as db:
        world = build_world(db)
        supervisor = user(db, "sup", Role.SUPERVISOR)
        batch_id = drawn_for_both_rooms(db, world, supervisor.id)
        db.execute(update(Batch).where(Batch.id == batch_id).values(
            state=BatchState.ENDED, filing_number=FILING_NUMBER))
        for room in db.scalars(select(SessionRoom)):
            room.expected_examinees, room.present, room.absent = 20, 19, 1
        for camera in world.cameras:
            add_segments(db, camera, ms(START), ms(END))
        for row in db.scalars(select(Segment)):
            row.sha256 = hashlib.sha256(f"{row.camera_id}/{row.start_ms}".encode()).hexdigest()
        db.add(Finding(batch_id=batch_id, author_id=supervisor.id,
                       camera_ids=[world.cameras[0]], starts_at=at("2026-03-02 09:10"),
                       ends_at=at("2026-03-02 09:11"), category=CheckItem.RULES,
                       severity=Severity.MINOR, note="考前未宣读考场守则。"))
        db.flush()
        yield Ended(db, world, batch_id, scope_of(db, supervisor, SIGNED_AT))


def _signed(e: Ended, archive: ReportArchive) -> Report:
    draft = report_service.draft_report(e.db, e.scope, e.batch_id, JUDGEMENT)
    return report_archive.sign_report(e.db, e.scope, draft.id, archive, RULES, now=SIGNED_AT)


def _actions(db: Session) -> list[str]:
    return list(db.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))


def test_a_signed_report_is_archived_locked_and_verifies(ended: Ended, archive: ReportArchive,
                                                         tmp_path: Path) -> None:
    e = ended
    draft = report_service.draft_report(e.db, e.scope, e.batch_id, JUDGEMENT)
    clip = draft.content["findings"][0]["clips"][0]  # type: ignore[index]
    expected = [hashlib.sha256(f"{e.world.cameras[0]}/{ms('2026-03-02 09:10', i * 10_000)}"
                               .encode()).hexdigest() for i in range(6)]
    assert clip["segments"] == expected
    header = report_service.stored_content(draft).header
    assert (header.filing_number, header.present, header.absent) == (
        FILING_NUMBER, header.planned - 2, 2)
    checklist = [{"item": item, "answer": Answer.YES} for item in CheckItem]
    report_service.edit_report(e.db, e.scope, draft.id, JudgementChanges.model_validate(
        {"checklist": checklist, "opinion": "整改考场守则宣读。"}))
    row = report_archive.sign_report(e.db, e.scope, draft.id, archive, RULES, now=SIGNED_AT)
    batch = e.db.get(Batch, e.batch_id)
    assert batch is not None and batch.state is BatchState.REPORT_SIGNED
    assert row.pdf_key and row.pdf_version and row.signed_at == SIGNED_AT
    mode, until = archive.store.retention(row.pdf_key, row.pdf_version)
    footage = max(e.db.scalars(select(Segment.retain_until)))
    assert mode == "COMPLIANCE" and until >= retain_until(SIGNED_AT, 5) and until >= footage
    pdf = archive.store.read(row.pdf_key, row.pdf_version)
    assert hashlib.sha256(pdf).hexdigest() == row.pdf_sha256
    downloaded = report_archive.report_pdf(e.db, e.scope, row.id, archive.store)
    assert downloaded.data == pdf and downloaded.filename == f"{row.number}-v1.pdf"
    file = tmp_path / "report.pdf"
    file.write_bytes(pdf)
    verified = CliRunner().invoke(app, ["supervision", "verify-report", str(file),
                                        "--cert-fingerprint", archive.signer.fingerprint])
    assert verified.exit_code == 0, verified.output
    assert _actions(e.db)[-5:] == ["report.draft", "report.edit", "batch.transition",
                                   "report.sign", "report.download"]


def test_signing_names_unreviewed_events_and_unexplained_gaps(tmp_path: Path,
                                                             archive: ReportArchive) -> None:
    with database(tmp_path) as db:
        world = build_world(db)
        supervisor = user(db, "sup", Role.SUPERVISOR)
        batch_id = drawn_for_both_rooms(db, world, supervisor.id)
        db.execute(update(Batch).where(Batch.id == batch_id)
                   .values(state=BatchState.IN_PROGRESS))  # not ended: a third reason
        add_segments(db, world.cameras[0], ms(START), ms(END))
        add_segments(db, world.cameras[1], ms(START), ms("2026-03-02 10:30"))
        event = add_event(db, world.cameras[0], "2026-03-02 09:30")
        scope = scope_of(db, supervisor, SIGNED_AT)
        draft = report_service.draft_report(db, scope, batch_id, JUDGEMENT)
        with pytest.raises(BatchTransitionRefused) as refused:
            report_archive.sign_report(db, scope, draft.id, archive, RULES, now=SIGNED_AT)
    assert [r.code.value for r in refused.value.missing] == [
        "wrong_state", "filing_number_missing", "attendance_not_recorded",
        "events_not_reviewed", "gaps_not_explained"]
    header = report_service.stored_content(draft).header
    assert (header.filing_number, header.present, header.absent) == (None, None, None)  # 未登记
    text = str(refused.value)
    assert "2 个考场未登记实考/缺考人数：session room" in text
    assert f"1 个事件未复核：{event}" in text
    assert f"camera {world.cameras[1]} 2026-03-02 10:30:00–2026-03-02 11:00:00" in text
    assert draft.pdf_key is None and draft.signed_at is None  # nothing stored


def test_a_signed_version_is_immutable_and_an_amendment_cites_it(
        ended: Ended, archive: ReportArchive) -> None:
    e = ended
    first = _signed(e, archive)
    with pytest.raises(Conflict, match="cannot change"):
        report_service.edit_report(e.db, e.scope, first.id,
                                   JudgementChanges(conclusion=Conclusion.NOT_ACCEPTED))
    with pytest.raises(Conflict, match="cannot change"):
        report_archive.sign_report(e.db, e.scope, first.id, archive, RULES, now=SIGNED_AT)
    second = report_service.amend_report(e.db, e.scope, first.id, "更正处理意见。")
    assert (second.number, second.version, second.amends_id) == (first.number, 2, first.id)
    assert second.content["amends"] == {
        "report_number": first.number, "version": 1, "pdf_sha256": first.pdf_sha256,
        "reason": "更正处理意见。"}
    with pytest.raises(Conflict, match="already has version 2"):
        report_service.amend_report(e.db, e.scope, first.id, "again")
    with pytest.raises(Conflict, match="is a draft"):
        report_service.amend_report(e.db, e.scope, second.id, "too early")
    report_service.edit_report(e.db, e.scope, second.id, JudgementChanges(
        conclusion=Conclusion.ACCEPTED_AFTER_RECTIFICATION,
        rectification_deadline=at("2026-03-20 00:00").date()))
    signed = report_archive.sign_report(e.db, e.scope, second.id, archive, RULES,
                                        now=SIGNED_AT + timedelta(hours=1))
    assert signed.pdf_sha256 != first.pdf_sha256
    batch = e.db.get(Batch, e.batch_id)
    assert batch is not None and batch.state is BatchState.REPORT_SIGNED  # no second move


def test_the_heads_acknowledgement_is_recorded_once(ended: Ended,
                                                   archive: ReportArchive) -> None:
    e = ended
    draft = report_service.draft_report(e.db, e.scope, e.batch_id, JUDGEMENT)
    with pytest.raises(Conflict, match="not signed yet"):
        report_service.acknowledge_report(e.db, e.scope, draft.id, "王建国")
    signed = report_archive.sign_report(e.db, e.scope, draft.id, archive, RULES, now=SIGNED_AT)
    organisation = e.db.get(Organisation, e.world.organisation)
    assert organisation is not None
    organisation.head_name = "王建国"
    with pytest.raises(InvalidInput, match="registered head"):
        report_service.acknowledge_report(e.db, e.scope, signed.id, "李四")
    with pytest.raises(InvalidInput):
        report_service.acknowledge_report(e.db, e.scope, signed.id, "王\u202e建国")
    moment = SIGNED_AT + timedelta(days=1)
    report_service.acknowledge_report(e.db, e.scope, signed.id, "王建国", now=moment)
    assert (signed.acknowledged_by, signed.acknowledged_at) == ("王建国", moment)
    with pytest.raises(Conflict, match="acknowledged by 王建国"):
        report_service.acknowledge_report(e.db, e.scope, signed.id, "王建国")
    entry = e.db.scalars(select(AuditEntry).where(AuditEntry.action == "report.acknowledge")
                         ).one()
    assert entry.detail["head"] == "王建国" and entry.actor == f"user:{e.scope.user_id}"


def test_auditors_read_others_may_not_write(ended: Ended) -> None:
    e = ended
    draft = report_service.draft_report(e.db, e.scope, e.batch_id, JUDGEMENT)
    with pytest.raises(Conflict, match="already has report"):
        report_service.draft_report(e.db, e.scope, e.batch_id, JUDGEMENT)
    auditor = scope_of(e.db, user(e.db, "aud", Role.AUDITOR, (e.world.site,)), SIGNED_AT)
    assert report_service.get_report(e.db, auditor, draft.id).id == draft.id
    with pytest.raises(Forbidden):
        report_service.edit_report(e.db, auditor, draft.id, JudgementChanges(opinion="改"))
    stranger = scope_of(e.db, user(e.db, "other", Role.SUPERVISOR, (e.world.site,)), SIGNED_AT)
    with pytest.raises(Forbidden):
        report_service.get_report(e.db, stranger, draft.id)
    with pytest.raises(InvalidInput, match="rectification deadline"):
        report_service.edit_report(e.db, e.scope, draft.id, JudgementChanges(
            conclusion=Conclusion.ACCEPTED_AFTER_RECTIFICATION))


def test_a_confirmed_event_is_signed_as_a_finding_and_the_signed_version_keeps_it(
        ended: Ended, archive: ReportArchive) -> None:
    e = ended
    event = add_event(e.db, e.world.cameras[1], "2026-03-02 10:00", kind="covered")
    draft = report_service.draft_report(e.db, e.scope, e.batch_id, JUDGEMENT)
    review_event(e.db, e.scope, e.batch_id, event, ReviewDecision.CONFIRMED, "镜头被遮挡。")
    row = report_archive.sign_report(e.db, e.scope, draft.id, archive, RULES, now=SIGNED_AT)
    signed = report_service.stored_content(row).findings
    assert [(f.item, f.clips[0].camera_id) for f in signed] == [
        (CheckItem.RULES, e.world.cameras[0]), (CheckItem.VIDEO, e.world.cameras[1])]
    review_event(e.db, e.scope, e.batch_id, event, ReviewDecision.DISMISSED, "改判。")
    assert report_service.stored_content(row).findings == signed  # signed: immutable
