"""Signing a report version and keeping its PDF: render, sign, store under Object Lock.

Signing composes the version one last time (issued now), refuses while the batch has no
filing number (备案号), a room without recorded attendance, unreviewed events or
unexplained coverage gaps (409 naming them) or, for version 1, while the batch has not
ended; then renders it (:mod:`~proctor.supervision.report.render`),
signs it with the service's identity (:mod:`~proctor.supervision.report.signing`), stores
the PDF in the object store under COMPLIANCE retention for as long as footage
(``retention_years`` from the signing time, so never shorter than the footage of the batch
it reports on), records key, version and SHA-256, and moves the batch to
``report_signed`` through the lifecycle (version 1). The checks run before anything is
stored: a locked object cannot be taken back. Downloads are audited. The archive (the
object store) is asked for only after access and those checks are decided, so a caller
without access hears 403/404 on a server without a store, never 503.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import urllib3
from minio.error import S3Error
from sqlalchemy.orm import Session

from proctor import audit
from proctor.actor import Actor
from proctor.auth.scope import Scope
from proctor.errors import Conflict
from proctor.recording.retention import retain_until
from proctor.recording.store import (
    ObjectStore,
    StorageError,
    StoreNotConfigured,
    require_store,
)
from proctor.supervision import lifecycle
from proctor.supervision.batch_coverage import DEFAULT_GAP_TOLERANCE_S, Gap, unexplained_gaps
from proctor.supervision.deadlines import DeadlineRules
from proctor.supervision.lifecycle import BatchTransitionRefused
from proctor.supervision.oversight import Report
from proctor.supervision.reasons import Reason, ReasonCode
from proctor.supervision.records import Batch
from proctor.supervision.report.content import SupervisionReport
from proctor.supervision.report.identity import service_identity
from proctor.supervision.report.render import render_report
from proctor.supervision.report.signing import PadesSigner, ReportSigner, timestamper
from proctor.supervision.report.view import when
from proctor.supervision.report_draft import (
    Edition,
    Judgement,
    compose,
    rooms_without_attendance,
)
from proctor.supervision.report_service import (
    get_report,
    keep,
    require_draft,
    second,
    stored_content,
    writable_report,
)
from proctor.supervision.review import unreviewed_events
from proctor.supervision.states import STATE_LABELS, Action, BatchState, Refused

SIGNED, DOWNLOADED = "report.sign", "report.download"
SIGN_REASON = "督导报告签署"
LISTED = 20  # events or gaps named in a refusal; the rest are counted


@dataclass(frozen=True)
class ReportArchive:
    """Where signed reports go, who signs them, and for how long they are kept."""

    store: ObjectStore
    signer: ReportSigner
    retention_years: int

    @classmethod
    def build(cls, store: ObjectStore, data_dir: Path, retention_years: int,
              tsa_url: str = "") -> ReportArchive:
        """The service's archive: its identity in ``data_dir`` (created on first start,
        like the evidence key; back it up), footage's retention, and the timestamp
        authority at ``tsa_url`` (none when empty)."""
        return cls(store, PadesSigner(service_identity(data_dir, create=True),
                                      timestamper(tsa_url)), retention_years)


def signed_pdf(content: SupervisionReport, signer: ReportSigner) -> bytes:
    """``content`` rendered to PDF/A and signed."""
    return signer.sign(render_report(content), reason=SIGN_REASON,
                       location=content.header.site)


def _listed(items: list[str]) -> str:
    more = len(items) - LISTED
    return "、".join(items[:LISTED]) + (f" … (+{more})" if more > 0 else "")


def _gap(gap: Gap) -> str:
    return f"camera {gap.camera_id} {when(gap.start)}–{when(gap.end)}"


def _header_refusals(batch: Batch) -> list[Reason]:
    """What the report's header lacks: the filing number, rooms' attendance."""
    reasons = []
    if batch.filing_number is None:
        reasons.append(Reason(ReasonCode.FILING_NUMBER_MISSING, "批次没有备案号",
                              f"batch {batch.id} has no filing number"))
    rooms = [f"session room {room.id} ({room.session.name}, room {room.room_id})"
             for room in rooms_without_attendance(batch)]
    if rooms:
        reasons.append(Reason(ReasonCode.ATTENDANCE_NOT_RECORDED,
                              f"{len(rooms)} 个考场未登记实考/缺考人数：{_listed(rooms)}",
                              f"{len(rooms)} room(s) without recorded attendance: "
                              f"{_listed(rooms)}"))
    return reasons


def _refusals(db: Session, batch: Batch, version: int, now: datetime,
              gap_tolerance_s: float) -> list[Reason]:
    reasons = []
    if version == 1 and batch.state is not BatchState.ENDED:
        reasons.append(Reason(ReasonCode.WRONG_STATE,
                              f"「{STATE_LABELS[batch.state]}」状态下不能签署督导报告（需处于："
                              f"{STATE_LABELS[BatchState.ENDED]}）",
                              f"the report is signed once the batch has ended, not in state "
                              f"'{batch.state.value}'"))
    reasons += _header_refusals(batch)
    events = [str(event) for event in unreviewed_events(db, batch.id)]
    if events:
        reasons.append(Reason(ReasonCode.EVENTS_NOT_REVIEWED,
                              f"{len(events)} 个事件未复核：{_listed(events)}",
                              f"{len(events)} event(s) not reviewed: {_listed(events)}"))
    gaps = [_gap(gap) for gap in unexplained_gaps(db, batch.id, gap_tolerance_s, now)]
    if gaps:
        reasons.append(Reason(ReasonCode.GAPS_NOT_EXPLAINED,
                              f"{len(gaps)} 处录像缺口未说明：{_listed(gaps)}",
                              f"{len(gaps)} coverage gap(s) not explained: {_listed(gaps)}"))
    return reasons


def sign_report(db: Session, scope: Scope, report_id: int, archive: ReportArchive | None,
                rules: DeadlineRules, gap_tolerance_s: float = DEFAULT_GAP_TOLERANCE_S,
                now: datetime | None = None) -> Report:
    """Sign the draft version and archive its PDF (see the module docstring); audited."""
    row, batch = writable_report(db, scope, report_id)
    require_draft(row)
    moment = second(now)
    reasons = _refusals(db, batch, row.version, moment, gap_tolerance_s)
    if reasons:
        raise BatchTransitionRefused(Refused(batch.state, Action.SIGN_REPORT, tuple(reasons)))
    if archive is None:
        raise StoreNotConfigured("signed reports")
    current = stored_content(row)
    content = compose(db, batch, Judgement.of(current),
                      Edition(row.number, row.version, moment, current.amends))
    pdf = signed_pdf(content, archive.signer)
    until = retain_until(moment, archive.retention_years)
    stored = archive.store.put_locked(f"reports/{row.number}/v{row.version}.pdf", pdf, until,
                                      "application/pdf")
    actor = Actor.user(scope.user_id)
    keep(row, content)
    row.pdf_key, row.pdf_version = stored.key, stored.version_id
    row.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    row.signed_by, row.signed_at = str(actor), moment
    db.flush()
    if row.version == 1:
        lifecycle.transition(db, actor, batch.id, Action.SIGN_REPORT, rules, now=moment,
                             gap_tolerance_s=gap_tolerance_s)
    audit.record(db, actor, SIGNED, f"batch:{batch.id}", report=row.id, number=row.number,
                 version=row.version, conclusion=row.conclusion.value,
                 pdf_sha256=row.pdf_sha256, pdf_key=row.pdf_key, pdf_version=row.pdf_version,
                 retain_until=until.isoformat(), certificate=archive.signer.fingerprint)
    return row


@dataclass(frozen=True)
class ReportPdf:
    """A signed report's PDF and the name to save it under."""

    filename: str
    data: bytes


def report_pdf(db: Session, scope: Scope, report_id: int,
               store: ObjectStore | None) -> ReportPdf:
    """The signed PDF of the version, checked against its recorded SHA-256; audited."""
    row = get_report(db, scope, report_id)
    if row.pdf_key is None or row.pdf_version is None:
        raise Conflict(f"report {row.number} version {row.version} is not signed: "
                       "it has no PDF yet")
    archived = require_store(store, "signed reports")
    try:
        data = archived.read(row.pdf_key, row.pdf_version)
    except (S3Error, urllib3.exceptions.HTTPError, OSError) as error:
        raise StorageError(f"reading {row.pdf_key} failed: {error}") from error
    if hashlib.sha256(data).hexdigest() != row.pdf_sha256:
        raise StorageError(f"{row.pdf_key} (version {row.pdf_version}) does not match the "
                           "SHA-256 recorded when it was signed")
    audit.record(db, Actor.user(scope.user_id), DOWNLOADED, f"batch:{row.batch_id}",
                 report=row.id, number=row.number, version=row.version,
                 pdf_sha256=row.pdf_sha256)
    return ReportPdf(f"{row.number}-v{row.version}.pdf", data)
