"""Request and response bodies of the supervisor pool, draws and inspection samples (the
public page of draw results answers with :mod:`proctor.supervision.public_draws`' own
dataclasses: names only)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from proctor.api.organisation_schemas import CodeText, RowId, Text
from proctor.api.schema_base import Body, FromRow
from proctor.supervision.draw_service import MAX_SUPERVISORS
from proctor.supervision.inspection_service import MAX_SAMPLE
from proctor.supervision.oversight import Draw, DrawKind, Supervisor, SupervisorConflict
from proctor.supervision.recusal import ConflictKind


class SupervisorCreate(Body):
    name: Text
    region_code: CodeText = Field(description="the region whose pool the supervisor is in")
    qualification_number: Text = Field(description="资格证号")
    organisation_id: RowId | None = Field(default=None, description="their own employer")
    user_id: RowId | None = Field(default=None, description="their console user (role "
                                  "supervisor): a draw gives it the batch's cameras")


class SupervisorPublic(FromRow[Supervisor]):
    """A supervisor as administrators see them."""

    id: int
    name: str
    region_code: str
    qualification_number: str
    organisation_id: int | None
    user_id: int | None
    is_active: bool
    created_at: datetime


class Deactivation(Body):
    reason: Text


class ConflictCreate(Body):
    """A declared conflict: exactly one of ``organisation_id`` and ``person``."""

    kind: ConflictKind
    organisation_id: RowId | None = None
    person: Text | None = Field(default=None, description="the person's name as rosters "
                                "list it")


class ConflictPublic(FromRow[SupervisorConflict]):
    id: int
    supervisor_id: int
    kind: ConflictKind
    organisation_id: int | None
    person: str
    declared_at: datetime


class DrawCreate(Body):
    supervisors: int = Field(ge=1, le=MAX_SUPERVISORS, description="how many to draw (N)")


class InspectionDrawCreate(Body):
    first_day: date = Field(description="the period's first day (batch dates, China time)")
    last_day: date = Field(description="the period's last day, included")
    on_site: int = Field(ge=0, le=MAX_SAMPLE, description="batches to inspect on site")
    replay: int = Field(ge=0, le=MAX_SAMPLE, description="batches to inspect by replay")


class DrawPublic(FromRow[Draw]):
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
