"""Supervision reports (督导报告) and the results gate of a batch.

The batch's drawn supervisors (while their access lasts) and administrators draft, edit,
sign, amend and record the acknowledgement; they and auditors read reports, download the
signed PDF (audited) and see the gate. A signed version is immutable (409); signing is
refused with 409 naming unreviewed events and unexplained gaps. Signing and downloads
need the object store (503 without one, once access is decided).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status
from fastapi.responses import Response

from proctor.api.batch_schemas import TransitionRefusedBody
from proctor.api.deps import CurrentScope, ServicesDep, SessionDep, SettingsDep, StoreDep
from proctor.api.params import Id
from proctor.api.report_schemas import AcknowledgeRequest, AmendRequest, GatePublic, ReportPublic
from proctor.supervision import report_archive, report_service, results_gate
from proctor.supervision.report_archive import ReportArchive
from proctor.supervision.report_draft import Judgement
from proctor.supervision.report_service import JudgementChanges

router = APIRouter(prefix="/api", tags=["reports"])
REFUSED: dict[int | str, dict[str, object]] = {409: {"model": TransitionRefusedBody}}


def get_report_archive(services: ServicesDep) -> ReportArchive | None:
    """Where signed reports are kept; ``None`` without an object store (the service answers
    503 once access is decided)."""
    return services.reports


ArchiveDep = Annotated[ReportArchive | None, Depends(get_report_archive)]


@router.post("/batches/{batch_id}/reports", status_code=status.HTTP_201_CREATED)
def draft_report(batch_id: Id, body: Judgement, db: SessionDep,
                 scope: CurrentScope) -> ReportPublic:
    """Draft the batch's report (version 1) with the supervisors' judgement."""
    return ReportPublic.of(report_service.draft_report(db, scope, batch_id, body))


@router.get("/batches/{batch_id}/reports")
def list_reports(batch_id: Id, db: SessionDep, scope: CurrentScope) -> list[ReportPublic]:
    """Every version of the batch's report, oldest first (empty before the first draft)."""
    return [ReportPublic.of(row) for row in report_service.list_reports(db, scope, batch_id)]


@router.patch("/reports/{report_id}")
def edit_report(report_id: Id, body: JudgementChanges, db: SessionDep,
                scope: CurrentScope) -> ReportPublic:
    """Change a draft's judgement; 409 once signed."""
    return ReportPublic.of(report_service.edit_report(db, scope, report_id, body))


@router.post("/reports/{report_id}/sign", responses=REFUSED)
def sign_report(report_id: Id, db: SessionDep, scope: CurrentScope, archive: ArchiveDep,
                settings: SettingsDep) -> ReportPublic:
    """Render, sign and archive the draft under Object Lock; 409 with every reason not to."""
    row = report_archive.sign_report(db, scope, report_id, archive, settings.deadline_rules(),
                                     settings.coverage_gap_tolerance_seconds)
    return ReportPublic.of(row)


@router.post("/reports/{report_id}/amend", status_code=status.HTTP_201_CREATED)
def amend_report(report_id: Id, body: AmendRequest, db: SessionDep,
                 scope: CurrentScope) -> ReportPublic:
    """A new draft version citing the signed one."""
    return ReportPublic.of(report_service.amend_report(db, scope, report_id, body.reason))


@router.post("/reports/{report_id}/acknowledge")
def acknowledge_report(report_id: Id, body: AcknowledgeRequest, db: SessionDep,
                       scope: CurrentScope) -> ReportPublic:
    """Record the organisation's head's acknowledgement of the signed version."""
    row = report_service.acknowledge_report(db, scope, report_id, body.head_name)
    return ReportPublic.of(row)


@router.get("/reports/{report_id}")
def get_report(report_id: Id, db: SessionDep, scope: CurrentScope) -> ReportPublic:
    """A report version with its content."""
    return ReportPublic.of(report_service.get_report(db, scope, report_id))


@router.get("/reports/{report_id}/pdf", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}}})
def report_pdf(report_id: Id, db: SessionDep, scope: CurrentScope, store: StoreDep,
               inline: bool = False) -> Response:
    """The signed PDF, as archived (the download is audited); ``inline=true`` asks the
    browser to show it in the page (the console's preview) instead of saving it."""
    pdf = report_archive.report_pdf(db, scope, report_id, store)
    disposition = "inline" if inline else "attachment"
    return Response(pdf.data, media_type="application/pdf", headers={
        "Content-Disposition": f'{disposition}; filename="{pdf.filename}"'})


@router.get("/batches/{batch_id}/gate")
def batch_gate(batch_id: Id, db: SessionDep, scope: CurrentScope,
               settings: SettingsDep) -> GatePublic:
    """Whether the batch's results may be filed now, and every reason they may not."""
    gate = results_gate.batch_gate(db, scope, batch_id, settings.deadline_rules(),
                                   settings.coverage_gap_tolerance_seconds)
    return GatePublic.of(gate)
