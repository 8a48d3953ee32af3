"""The complaint settings section: working days of each step, intake limits, and the
complaint channel the publicity notice announces (公布投诉及成绩复核方式, seed 003)."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field

from proctor.complaints.intake import AttachmentLimits
from proctor.complaints.workflow import DeadlineRules

_MAX_DAYS = 250  # about a year of working days: anything longer is a typo


class ComplaintSettings(BaseModel):
    """How complaints (投诉举报) are taken in and how long each step may take."""

    model_config = ConfigDict(extra="forbid")

    complaint_first_review_working_days: int = Field(
        default=3, ge=1, le=_MAX_DAYS, description="a complaint is first reviewed (初审) "
        "within this many working days after it is registered")
    complaint_resolution_working_days: int = Field(
        default=7, ge=1, le=_MAX_DAYS, description="a complaint's result is given within "
        "this many working days after its first review (extendable, with a reason)")
    complaint_max_attachments: int = Field(
        default=5, ge=0, le=20, description="the most attachments (images or PDF) one "
        "complaint may carry")
    complaint_attachment_max_bytes: int = Field(
        default=5 * 1024 * 1024, ge=1024, le=50 * 1024 * 1024,
        description="the largest attachment accepted, in bytes")
    complaint_intake_per_address: int = Field(
        default=5, ge=1, le=1000, description="online complaints accepted from one client "
        "address within complaint_intake_window_minutes; more get 429 with Retry-After")
    complaint_intake_window_minutes: float = Field(
        default=60, gt=0, le=7 * 24 * 60, description="the window of the intake limit")
    complaint_phone: str = Field(
        default="12333", max_length=50, description="the complaint telephone the publicity "
        "notice announces (12333: the human-resources and social-security hotline)")
    complaint_postal_address: str = Field(
        default="", max_length=300, description="where complaint letters go, as the "
        "publicity notice announces it (empty: not announced)")

    def complaint_deadlines(self) -> DeadlineRules:
        """The working days of first review and resolution."""
        return DeadlineRules(self.complaint_first_review_working_days,
                             self.complaint_resolution_working_days)

    def attachment_limits(self) -> AttachmentLimits:
        """How many attachments, how large."""
        return AttachmentLimits(self.complaint_max_attachments,
                                self.complaint_attachment_max_bytes)

    def intake_window(self) -> timedelta:
        """The window of the per-address intake limit."""
        return timedelta(minutes=self.complaint_intake_window_minutes)
