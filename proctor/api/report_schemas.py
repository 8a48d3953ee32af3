"""Response and request bodies of supervision reports (督导报告) and the results gate.

The draft and edit bodies are the service's own models
(:class:`~proctor.supervision.report_draft.Judgement`,
:class:`~proctor.supervision.report_service.JudgementChanges`): their text types refuse
hostile text with 422 before any service runs.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from pydantic import BaseModel, Field

from proctor.api.batch_schemas import MissingItem
from proctor.api.schema_base import Body
from proctor.supervision.gate import GateFacts
from proctor.supervision.oversight import Report
from proctor.supervision.report.content import SupervisionReport
from proctor.supervision.report.terms import Conclusion
from proctor.supervision.results_gate import BatchGate
from proctor.supervision.states import BatchState


class AmendRequest(Body):
    """Why a signed version is amended (printed in the new version)."""

    reason: str = Field(max_length=4000, description="修订说明")


class AcknowledgeRequest(Body):
    """The organisation's head who acknowledged the signed report."""

    head_name: str = Field(max_length=200, description="机构负责人")


class ReportPublic(BaseModel):
    """A version of a batch's report: its state and its whole content."""

    id: int
    batch_id: int
    number: str
    version: int
    amends_id: int | None
    conclusion: Conclusion
    signed: bool
    signed_by: str | None
    signed_at: datetime | None
    pdf_sha256: str | None
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    created_by: str
    created_at: datetime
    content: SupervisionReport

    @classmethod
    def of(cls, row: Report) -> ReportPublic:
        """The body of a report row."""
        return cls(id=row.id, batch_id=row.batch_id, number=row.number, version=row.version,
                   amends_id=row.amends_id, conclusion=row.conclusion,
                   signed=row.signed_at is not None, signed_by=row.signed_by,
                   signed_at=row.signed_at, pdf_sha256=row.pdf_sha256,
                   acknowledged_by=row.acknowledged_by, acknowledged_at=row.acknowledged_at,
                   created_by=row.created_by, created_at=row.created_at,
                   content=SupervisionReport.model_validate(row.content))


@dataclass(frozen=True)
class GatePublic(GateFacts):
    """The results gate of a batch: open, or every reason it is not (with the facts it
    decided on)."""

    batch_id: int
    state: BatchState
    open: bool
    missing: list[MissingItem]

    @classmethod
    def of(cls, gate: BatchGate) -> GatePublic:
        """The body of a gate decision."""
        return cls(**asdict(gate.facts), batch_id=gate.batch.id, state=gate.batch.state,
                   open=gate.decision.open,
                   missing=[MissingItem(code=r.code.value, zh=r.zh, en=r.en)
                            for r in gate.decision.missing])
