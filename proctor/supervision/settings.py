"""The supervision settings section: working-day rules of certification batches."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from proctor.supervision.deadlines import DeadlineRules, OrganisationKind

_MAX_DAYS = 250  # about a year of working days: anything longer is a typo


class SupervisionSettings(BaseModel):
    """Deadlines in working days (docs/supervision.md, "How working days are counted")."""

    model_config = ConfigDict(extra="forbid")

    plan_lead_working_days_enterprise: int = Field(
        default=15, ge=1, le=_MAX_DAYS, description="an enterprise files its implementation "
        "plan (认定实施计划) at least this many working days before the first session")
    plan_lead_working_days_college: int = Field(
        default=10, ge=1, le=_MAX_DAYS, description="a college (院校) files its "
        "implementation plan at least this many working days before the first session")
    plan_lead_working_days_social_org: int = Field(
        default=15, ge=1, le=_MAX_DAYS, description="a social training organisation "
        "(社会培训评价组织) files its plan at least this many working days ahead")
    publicity_working_days: int = Field(
        default=5, ge=1, le=_MAX_DAYS, description="results are published (公示) for this "
        "many working days before they may be filed; some pilot rules say 3")
    results_filing_working_days: int = Field(
        default=10, ge=1, le=_MAX_DAYS, description="results are filed (结果备案) within this "
        "many working days after publicity's last day")
    assignment_access_margin_minutes: float = Field(
        default=30, ge=0, le=24 * 60, description="a drawn supervisor watches live, and "
        "replays the footage of, the batch's session windows widened by this many minutes "
        "on both sides")
    draw_recusal_window_days: int = Field(
        default=90, ge=0, le=3660, description="a supervisor assigned to an organisation "
        "within this many days before or after a batch's date is recused from its draw")
    report_period_days: int = Field(
        default=10, ge=1, le=_MAX_DAYS, description="a drawn supervisor may open the batch's "
        "footage until this many days after the day its last session ends (the report period)")
    report_period_unit: Literal["working_days", "calendar_days"] = Field(
        default="working_days", description="how report_period_days is counted; working "
        "days use the working calendar and fail closed for a year not entered")
    coverage_gap_tolerance_seconds: float = Field(
        default=2.0, ge=0, le=60, description="a hole in a camera's recording of a session "
        "window no longer than this is a segment boundary, not a coverage gap: it needs no "
        "explanation")
    report_tsa_url: str = Field(
        default="", max_length=2000, pattern=r"^(https?://\S+)?$",
        description="an RFC 3161 timestamp authority (HTTP POST): signed reports carry its "
        "signature timestamp; empty: no timestamp")

    def deadline_rules(self) -> DeadlineRules:
        """The rule values as the pure deadlines module takes them."""
        return DeadlineRules(
            plan_lead={OrganisationKind.ENTERPRISE: self.plan_lead_working_days_enterprise,
                       OrganisationKind.COLLEGE: self.plan_lead_working_days_college,
                       OrganisationKind.SOCIAL_TRAINING_ORG:
                           self.plan_lead_working_days_social_org},
            publicity_days=self.publicity_working_days,
            results_days=self.results_filing_working_days)
