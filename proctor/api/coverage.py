"""Recording coverage of a batch and the explanations of its gaps.

For the batch's drawn supervisors (while their access lasts) and administrators; a batch
outside the caller's scope is 403 and one that does not exist 404, as on the batch routes.
Gaps shorter than ``coverage_gap_tolerance_seconds`` are not listed (docs/supervision.md).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status

from proctor.api.coverage_schemas import CoveragePublic, ExplanationPublic, GapExplanationCreate
from proctor.api.deps import CurrentScope, SessionDep, SettingsDep
from proctor.api.organisation_schemas import MAX_ID
from proctor.supervision import batch_coverage, gap_explanations

router = APIRouter(prefix="/api/batches/{batch_id}", tags=["coverage"])
RowId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.get("/coverage")
def get_coverage(batch_id: RowId, db: SessionDep, scope: CurrentScope,
                 settings: SettingsDep) -> CoveragePublic:
    """Covered seconds and every gap of every session window and camera of the batch."""
    tolerance = settings.coverage_gap_tolerance_seconds
    result = batch_coverage.batch_coverage(db, scope, batch_id, tolerance)
    return CoveragePublic.of(result, tolerance)


@router.post("/gaps/explanations", status_code=status.HTTP_201_CREATED)
def explain_gap(batch_id: RowId, body: GapExplanationCreate, db: SessionDep,
                scope: CurrentScope) -> ExplanationPublic:
    """Explain why a camera of the batch has no footage over a range (audited)."""
    row = gap_explanations.explain_gap(db, scope, batch_id, body.camera_id, body.starts_at,
                                       body.ends_at, body.explanation)
    return ExplanationPublic.of(row)
