"""三级 oversight: a region's summary and its batches, and what is due for the caller.

A region view is for an administrator, or a user granted the region or one above it whose
role views the archive (403 otherwise, naming the regions granted; 404 for a region that
does not exist); the list of regions answers where the caller's oversight starts (perhaps
nowhere). The notifications list is every logged-in user's, filtered by their scope.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from proctor.api.deps import CurrentScope, SessionDep, SettingsDep
from proctor.api.organisation_schemas import RegionPublic
from proctor.api.oversight_schemas import (
    BatchPagePublic,
    NotificationsPublic,
    RegionSummaryPublic,
)
from proctor.oversight.access import overseen_roots
from proctor.oversight.batch_page import MAX_PER_PAGE, BatchQuery, BatchSort, batch_page
from proctor.oversight.cutoffs import Rules
from proctor.oversight.notice_service import due_notices
from proctor.oversight.summary_service import region_summary
from proctor.supervision.states import BatchState

router = APIRouter(prefix="/api", tags=["oversight"])
RegionCode = Annotated[str, Path(max_length=16, description="GB/T 2260 code, e.g. 350200")]


@router.get("/oversight/regions")
def my_regions(db: SessionDep, scope: CurrentScope) -> list[RegionPublic]:
    """Where the caller's oversight starts: every province for an administrator, else the
    highest regions granted (empty for site grants only or a role that does not oversee)."""
    return [RegionPublic.model_validate(region) for region in overseen_roots(db, scope)]


@router.get("/oversight/regions/{region_code}")
def region_view(region_code: RegionCode, db: SessionDep, scope: CurrentScope,
                settings: SettingsDep) -> RegionSummaryPublic:
    """Batches by state, overdue steps and complaints, per child region (or, of a
    district, per organisation) and in total."""
    return RegionSummaryPublic.of(region_summary(db, scope, region_code, Rules.of(settings)))


@router.get("/oversight/regions/{region_code}/batches")
def region_batches(
    region_code: RegionCode, db: SessionDep, scope: CurrentScope, settings: SettingsDep,
    state: BatchState | None = None,
    overdue: Annotated[bool | None, Query(description="only overdue (true) or only not "
                                          "overdue (false) batches")] = None,
    sort: BatchSort = BatchSort.ID,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = 50,
) -> BatchPagePublic:
    """A page of the region's batches with overdue steps, coverage ratio and alerts."""
    where = BatchQuery(state=state, overdue=overdue, sort=sort, page=page, per_page=per_page)
    return BatchPagePublic.of(batch_page(db, scope, region_code, Rules.of(settings), where))


@router.get("/notifications")
def notifications(db: SessionDep, scope: CurrentScope,
                  settings: SettingsDep) -> NotificationsPublic:
    """Batch steps and complaints due within the horizon or overdue, within the caller's
    scope, most urgent first."""
    return NotificationsPublic.of(due_notices(db, scope, Rules.of(settings),
                                              settings.notice_horizon_working_days))
