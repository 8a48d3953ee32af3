"""Response and request bodies of a batch's recording coverage and its gap explanations."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, Field

from proctor.api.params import RowId
from proctor.api.schema_base import Body, FromRow
from proctor.supervision.batch_coverage import BatchCoverage, Gap, WindowCoverage
from proctor.supervision.oversight import GapExplanation


class GapPublic(FromRow[Gap]):
    """A hole in one camera's recording of one session window, longer than the tolerance."""

    session_id: int
    camera_id: int
    start: datetime
    end: datetime
    explained: bool


class WindowPublic(BaseModel):
    """One camera over the elapsed part of one session window."""

    session_id: int
    session_name: str
    camera_id: int
    start: datetime
    end: datetime = Field(description="the window's end, or now while the session runs")
    covered_seconds: float
    gaps: list[GapPublic]

    @classmethod
    def of(cls, window: WindowCoverage) -> WindowPublic:
        """A computed window."""
        return cls(session_id=window.session_id, session_name=window.session_name,
                   camera_id=window.camera_id, start=window.start, end=window.end,
                   covered_seconds=window.covered_seconds,
                   gaps=[GapPublic.of(gap) for gap in window.gaps])


class ExplanationPublic(FromRow[GapExplanation]):
    """A stored gap explanation: the range it explains, the text, who and when."""

    id: int
    camera_id: int
    starts_at: datetime
    ends_at: datetime
    explanation: str
    explained_by: str
    explained_at: datetime


class CoveragePublic(BaseModel):
    """The batch's coverage: every window of every camera, and the explanations."""

    tolerance_seconds: float = Field(description="holes up to this long are segment "
                                     "boundaries, not gaps")
    unexplained_gaps: int
    windows: list[WindowPublic]
    explanations: list[ExplanationPublic]

    @classmethod
    def of(cls, result: BatchCoverage, tolerance_seconds: float) -> CoveragePublic:
        """The computed coverage."""
        windows = [WindowPublic.of(window) for window in result.windows]
        return cls(tolerance_seconds=tolerance_seconds,
                   unexplained_gaps=sum(not gap.explained for window in result.windows
                                        for gap in window.gaps),
                   windows=windows,
                   explanations=[ExplanationPublic.of(row) for row in result.explanations])


class GapExplanationCreate(Body):
    """Why a camera of the batch recorded nothing over a range of a session window."""

    camera_id: RowId
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    explanation: str = Field(max_length=4000)
