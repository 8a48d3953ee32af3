"""What is due: a notice per batch step or complaint step near or past its deadline (pure).

A notice is *due soon* from the horizon (N working days ahead) until its deadline, and
*overdue* after it. Its :meth:`Notice.key` names the subject, the step, the deadline and
the stage, so each stage of each deadline is handed to the notifier once; a deadline that
moves (an extension) makes a new key. A notice carries ids, steps and dates only: never a
complainant, a contact or a complaint's text.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from proctor.oversight.cutoffs import STEP_LABELS, DueStep


class Subject(enum.StrEnum):
    """What a notice is about."""

    BATCH = "batch"
    COMPLAINT = "complaint"


class ComplaintStep(enum.StrEnum):
    """A complaint step with a deadline."""

    FIRST_REVIEW = "first_review"  # 初审, 3 working days
    RESOLUTION = "resolution"  # 办理结果, 7 working days (extendable)


class Stage(enum.StrEnum):
    """How near the deadline is."""

    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


_COMPLAINT_LABELS = {ComplaintStep.FIRST_REVIEW: "投诉初审",
                     ComplaintStep.RESOLUTION: "投诉办理"}


@dataclass(frozen=True)
class Notice:
    """A deadline someone must act on."""

    subject: Subject
    subject_id: int
    step: DueStep | ComplaintStep
    due: date
    stage: Stage
    organisation_id: int
    district_code: str

    @property
    def key(self) -> str:
        """What identifies this notice across restarts (see the module docstring)."""
        return f"{self.subject}:{self.subject_id}:{self.step}:{self.due}:{self.stage}"

    @property
    def label(self) -> str:
        """The step's Chinese name."""
        if isinstance(self.step, DueStep):
            return STEP_LABELS[self.step]
        return _COMPLAINT_LABELS[self.step]

    def message(self) -> str:
        """One line in Chinese, e.g. ``批次 12 认定结果备案 逾期（期限 2026-12-01）``."""
        what = "批次" if self.subject is Subject.BATCH else "投诉"
        when = "逾期" if self.stage is Stage.OVERDUE else "即将到期"
        return f"{what} {self.subject_id} {self.label} {when}（期限 {self.due}）"


def stage_of(due: date, today: date, horizon: date) -> Stage | None:
    """Overdue after the deadline, due soon from today up to ``horizon`` (inclusive),
    else nothing yet."""
    if due < today:
        return Stage.OVERDUE
    return Stage.DUE_SOON if due <= horizon else None
