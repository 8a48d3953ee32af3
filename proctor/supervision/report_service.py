"""A batch's 督导报告 in the database: draft, edit, amend, acknowledge, read.

A batch has one report number; each version is a :class:`~proctor.supervision.oversight.
Report` row. Version 1 is drafted while the batch is in progress or has ended; the drawn
supervisors (and administrators) edit the draft's :class:`~proctor.supervision.
report_draft.Judgement`, and the rest is composed from the records each time. Signing is
:mod:`~proctor.supervision.report_archive`'s. A signed version is immutable: any change is
409. An amendment is a new draft version citing the signed one (number, version, the
SHA-256 of its PDF, a reason) and must itself be signed. The organisation's head
acknowledges a signed version (谁主管、谁签字、谁负责): name and time are recorded.
Every change is audited. A verdict on an event or a manual finding refreshes the findings
of the batch's draft at once (:func:`refresh_findings`), so the draft shows a confirmed
event as a finding, and no longer once the confirmation is withdrawn.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from proctor import audit
from proctor.actor import Actor
from proctor.auth.scope import Scope
from proctor.db.base import utcnow
from proctor.db.organisations import Organisation
from proctor.errors import Conflict, InvalidInput, NotFound
from proctor.supervision.china_time import china_day
from proctor.supervision.notes import clean_note
from proctor.supervision.oversight import Report
from proctor.supervision.records import Batch
from proctor.supervision.report.content import Amendment, ChecklistEntry, SupervisionReport
from proctor.supervision.report.terms import Conclusion, Manner, Side
from proctor.supervision.report.text import Day, Line, Paragraph
from proctor.supervision.report_access import readable_batch
from proctor.supervision.report_draft import Edition, Judgement, compose, report_findings
from proctor.supervision.review_access import reviewable_batch
from proctor.supervision.states import STATE_LABELS, BatchState

DRAFTED, EDITED, AMENDED, ACKNOWLEDGED = ("report.draft", "report.edit", "report.amend",
                                          "report.acknowledge")
DRAFTABLE = frozenset({BatchState.IN_PROGRESS, BatchState.ENDED})
_LINE: TypeAdapter[str] = TypeAdapter(Line)


class JudgementChanges(BaseModel):
    """Changes to a draft's judgement: only the fields given change (``null`` clears the
    rectification deadline)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    checklist: list[ChecklistEntry] | None = None
    opinion: Paragraph | None = None
    rectification_deadline: Day | None = None
    conclusion: Conclusion | None = None
    side: Side | None = None
    manner: Manner | None = None


def second(now: datetime | None) -> datetime:
    """``now`` (default: the current time) to the second, as reports record times."""
    return (now or utcnow()).replace(microsecond=0)


def stored_content(row: Report) -> SupervisionReport:
    """The report a row holds."""
    return SupervisionReport.model_validate(row.content)


def keep(row: Report, content: SupervisionReport) -> None:
    """Store ``content`` on the row (a new dict: JSON columns track assignment)."""
    row.content = content.model_dump(mode="json")
    row.conclusion = content.conclusion


def refresh_findings(db: Session, batch: Batch) -> None:
    """Recompose the findings of the batch's unsigned versions from the records (the rest
    of a draft changes when it is edited or signed; signed versions never change)."""
    drafts = list(db.scalars(select(Report).where(Report.batch_id == batch.id,
                                                  Report.signed_at.is_(None))))
    if not drafts:
        return
    findings = report_findings(db, batch)
    for row in drafts:
        keep(row, stored_content(row).model_copy(update={"findings": findings}))
    db.flush()


def load_report(db: Session, report_id: int) -> Report:
    """The report version, or :class:`NotFound`."""
    row = db.get(Report, report_id)
    if row is None:
        raise NotFound(f"report {report_id} does not exist")
    return row


def writable_report(db: Session, scope: Scope, report_id: int) -> tuple[Report, Batch]:
    """The report version and its batch, if the scope's user may write the batch's reports."""
    row = load_report(db, report_id)
    return row, reviewable_batch(db, scope, row.batch_id)


def require_draft(row: Report) -> None:
    """:class:`Conflict` for a signed version: it is immutable."""
    if row.signed_at is not None:
        raise Conflict(f"report {row.number} version {row.version} was signed at "
                       f"{row.signed_at.isoformat()} and cannot change: amend it (a new "
                       "version citing this one)")


def get_report(db: Session, scope: Scope, report_id: int) -> Report:
    """The report version, if the scope's user may read its batch's reports."""
    row = load_report(db, report_id)
    readable_batch(db, scope, row.batch_id)
    return row


def list_reports(db: Session, scope: Scope, batch_id: int) -> list[Report]:
    """Every version of the batch's report, oldest first, if the scope's user may read the
    batch's reports (an empty list: none drafted yet)."""
    readable_batch(db, scope, batch_id)
    return list(db.scalars(select(Report).where(Report.batch_id == batch_id)
                           .order_by(Report.version, Report.id)))


def draft_report(db: Session, scope: Scope, batch_id: int, judgement: Judgement,
                 now: datetime | None = None) -> Report:
    """Draft version 1 of the batch's report (in progress or ended, none yet); audited."""
    batch = reviewable_batch(db, scope, batch_id)
    if batch.state not in DRAFTABLE:
        raise Conflict(f"batch {batch.id} is {STATE_LABELS[batch.state]} "
                       f"({batch.state.value}): a report is drafted while the batch is in "
                       "progress or has ended")
    existing = db.scalars(select(Report).where(Report.batch_id == batch.id)
                          .order_by(Report.version.desc()).limit(1)).first()
    if existing is not None:
        raise Conflict(f"batch {batch.id} already has report {existing.number} (report "
                       f"{existing.id}, version {existing.version}): edit the draft or "
                       "amend the signed version")
    moment = second(now)
    edition = Edition(f"DD-{china_day(moment).year}-{batch.id:05d}", 1, moment)
    return _add_version(db, scope, batch, compose(db, batch, judgement, edition), None,
                        DRAFTED)


def edit_report(db: Session, scope: Scope, report_id: int, changes: JudgementChanges,
                now: datetime | None = None) -> Report:
    """Change the draft's judgement (409 once signed); audited with the fields changed."""
    row, batch = writable_report(db, scope, report_id)
    require_draft(row)
    current = stored_content(row)
    given = changes.model_dump(exclude_unset=True)
    try:
        judgement = Judgement.model_validate(Judgement.of(current).model_dump() | given)
    except ValidationError as error:
        raise InvalidInput(f"the changes are not valid: {error.errors()[0]['msg']} "
                           f"({'.'.join(map(str, error.errors()[0]['loc']))})") from error
    edition = Edition(row.number, row.version, second(now), current.amends)
    keep(row, compose(db, batch, judgement, edition))
    db.flush()
    audit.record(db, Actor.user(scope.user_id), EDITED, f"batch:{batch.id}", report=row.id,
                 number=row.number, version=row.version, fields=sorted(given),
                 conclusion=row.conclusion.value)
    return row


def amend_report(db: Session, scope: Scope, report_id: int, reason: str,
                 now: datetime | None = None) -> Report:
    """A new draft version citing the signed version ``report_id`` (the latest); audited."""
    row, batch = writable_report(db, scope, report_id)
    if row.signed_at is None or row.pdf_sha256 is None:
        raise Conflict(f"report {row.number} version {row.version} is a draft: edit it")
    newer = db.scalar(select(Report.version).where(Report.number == row.number,
                                                   Report.version > row.version).limit(1))
    if newer is not None:
        raise Conflict(f"report {row.number} already has version {newer}: amend the latest")
    cited = Amendment(report_number=row.number, version=row.version,
                      pdf_sha256=row.pdf_sha256,
                      reason=clean_note(reason, "amendment reason", required=True))
    current = stored_content(row)
    edition = Edition(row.number, row.version + 1, second(now), cited)
    return _add_version(db, scope, batch, compose(db, batch, Judgement.of(current), edition),
                        row, AMENDED)


def _add_version(db: Session, scope: Scope, batch: Batch, content: SupervisionReport,
                 amends: Report | None, action: str) -> Report:
    actor = Actor.user(scope.user_id)
    row = Report(batch_id=batch.id, number=content.header.report_number,
                 version=content.version, amends_id=amends.id if amends else None,
                 created_by=str(actor), created_at=content.issued_at)
    keep(row, content)
    db.add(row)
    try:
        db.flush()
    except IntegrityError as error:  # the same version drafted twice at once
        raise Conflict(f"report {row.number} version {row.version} was created "
                       "concurrently; reload it") from error
    audit.record(db, actor, action, f"batch:{batch.id}", report=row.id, number=row.number,
                 version=row.version, conclusion=row.conclusion.value,
                 amends=amends.id if amends else None,
                 amends_pdf_sha256=amends.pdf_sha256 if amends else None)
    return row


def acknowledge_report(db: Session, scope: Scope, report_id: int, head_name: str,
                       now: datetime | None = None) -> Report:
    """Record that the organisation's head acknowledged the signed version; audited."""
    row, batch = writable_report(db, scope, report_id)
    if row.signed_at is None:
        raise Conflict(f"report {row.number} version {row.version} is not signed yet: "
                       "the organisation's head acknowledges the signed report")
    if row.acknowledged_at is not None:
        raise Conflict(f"report {row.number} version {row.version} was acknowledged by "
                       f"{row.acknowledged_by} at {row.acknowledged_at.isoformat()}")
    try:
        name = _LINE.validate_python(head_name)
    except ValidationError as error:
        raise InvalidInput(f"the head's name is refused: {error.errors()[0]['msg']}") \
            from error
    organisation = db.get(Organisation, batch.organisation_id)
    if organisation is not None and organisation.head_name and name != organisation.head_name:
        raise InvalidInput(f"the registered head (主管负责人) of {organisation.name} is "
                           f"{organisation.head_name}, not {name}")
    row.acknowledged_by, row.acknowledged_at = name, second(now)
    db.flush()
    audit.record(db, Actor.user(scope.user_id), ACKNOWLEDGED, f"batch:{batch.id}",
                 report=row.id, number=row.number, version=row.version, head=name,
                 pdf_sha256=row.pdf_sha256, at=row.acknowledged_at.isoformat())
    return row
