"""Request and response bodies of the supervisor pool, draws, inspection samples and the
public page of draw results (names only: see :mod:`proctor.supervision.public_draws`)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from proctor.api.organisation_schemas import CodeText, RowId, Text
from proctor.supervision.draw_service import MAX_SUPERVISORS
from proctor.supervision.inspection_service import MAX_SAMPLE
from proctor.supervision.oversight import DrawKind
from proctor.supervision.recusal import ConflictKind


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _FromOrm(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class SupervisorCreate(_Body):
    name: Text
    region_code: CodeText = Field(description="the region whose pool the supervisor is in")
    qualification_number: Text = Field(description="资格证号")
    organisation_id: RowId | None = Field(default=None, description="their own employer")
    user_id: RowId | None = Field(default=None, description="their console user (role "
                                  "supervisor): a draw gives it the batch's cameras")


class SupervisorPublic(_FromOrm):
    """A supervisor as administrators see them."""

    id: int
    name: str
    region_code: str
    qualification_number: str
    organisation_id: int | None
    user_id: int | None
    is_active: bool
    created_at: datetime


class Deactivation(_Body):
    reason: Text


class ConflictCreate(_Body):
    """A declared conflict: exactly one of ``organisation_id`` and ``person``."""

    kind: ConflictKind
    organisation_id: RowId | None = None
    person: Text | None = Field(default=None, description="the person's name as rosters "
                                "list it")


class ConflictPublic(_FromOrm):
    id: int
    supervisor_id: int
    kind: ConflictKind
    organisation_id: int | None
    person: str
    declared_at: datetime


class DrawCreate(_Body):
    supervisors: int = Field(ge=1, le=MAX_SUPERVISORS, description="how many to draw (N)")


class InspectionDrawCreate(_Body):
    first_day: date = Field(description="the period's first day (batch dates, China time)")
    last_day: date = Field(description="the period's last day, included")
    on_site: int = Field(ge=0, le=MAX_SAMPLE, description="batches to inspect on site")
    replay: int = Field(ge=0, le=MAX_SAMPLE, description="batches to inspect by replay")


class DrawPublic(_FromOrm):
    """A stored draw in full, for administrators and auditors: ``snapshot`` is the canonical
    JSON to verify with ``proctor supervision verify-draw --snapshot``."""

    id: int
    kind: DrawKind
    batch_id: int | None
    commitment: str
    seed: str | None
    snapshot_sha256: str
    snapshot: str
    result: list[str]
    drawn_by: str
    committed_at: datetime
    revealed_at: datetime | None


class PublicBatchView(_FromOrm):
    batch_id: int
    filing_number: str | None
    organisation: str
    occupation: str
    occupation_code: str
    level: str
    date: date | None


class PublicDrawView(_FromOrm):
    """One draw on the public page: no personal data beyond the drawn supervisors' names."""

    draw_id: int
    kind: DrawKind
    committed_at: datetime
    revealed_at: datetime | None
    commitment: str
    seed: str | None
    snapshot_sha256: str
    batch: PublicBatchView | None
    supervisors: list[str]
    period: str | None
    on_site: list[PublicBatchView]
    replay: list[PublicBatchView]
