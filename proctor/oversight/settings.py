"""The oversight settings section: notices and the coverage aggregate."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class OversightSettings(BaseModel):
    """When notices fall due and how often the background rounds run."""

    model_config = ConfigDict(extra="forbid")

    notice_horizon_working_days: int = Field(
        default=3, ge=1, le=60, description="a deadline this many working days ahead or "
        "nearer is listed as due soon (GET /api/notifications) and handed to the notifier")
    notice_interval_seconds: float = Field(
        default=300, ge=1, le=86_400, description="how often the server hands newly due "
        "notices to the notifier (mail/SMS hook; by default a log line)")
    notice_since_days: int = Field(
        default=30, ge=0, le=3660, description="the notifier is not handed deadlines older "
        "than this many days (the in-app list shows them all)")
    coverage_refresh_seconds: float = Field(
        default=300, ge=1, le=86_400, description="how often the per-batch coverage "
        "aggregate of the region views is recomputed for batches not yet settled")
    coverage_settle_hours: float = Field(
        default=24, ge=0, le=24 * 30, description="a batch's coverage aggregate is final "
        "once computed this long after its last session ended (late uploads included)")
