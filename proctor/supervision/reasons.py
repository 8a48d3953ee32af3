"""Bilingual reasons why a batch step is refused, and the named rules that produce them.

A :class:`Reason` is what the API puts in a 409 body: a stable machine ``code`` plus a
Chinese and an English sentence. A :class:`Rule` is one named precondition over a typed
snapshot of facts; the state machine (``states``) and the results gate (``gate``) are both
tables of rules, so every refusal lists *every* failing rule, never only the first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar


class ReasonCode(StrEnum):
    """Stable identifiers of refusal reasons (API clients switch on these)."""

    WRONG_STATE = "wrong_state"
    NO_SESSIONS = "no_sessions"
    SESSION_WITHOUT_ROOMS = "session_without_rooms"
    ROOM_WITHOUT_ROSTER = "room_without_roster"
    PLAN_FILED_LATE = "plan_filed_late"
    TOO_FEW_SUPERVISORS = "too_few_supervisors"
    NO_SESSION_STARTED = "no_session_started"
    SESSIONS_NOT_ENDED = "sessions_not_ended"
    REPORT_NOT_SIGNED = "report_not_signed"
    CONCLUSION_MISSING = "conclusion_missing"
    REPORT_NOT_RECOGNISED = "report_not_recognised"
    EVENTS_NOT_REVIEWED = "events_not_reviewed"
    GAPS_NOT_EXPLAINED = "gaps_not_explained"
    PUBLICITY_NOT_ELAPSED = "publicity_not_elapsed"
    COMPLAINTS_OPEN = "complaints_open"
    AMENDED_REPORT_REQUIRED = "amended_report_required"
    RESULTS_FILED_LATE = "results_filed_late"
    FILING_NUMBER_MISSING = "filing_number_missing"
    ATTENDANCE_NOT_RECORDED = "attendance_not_recorded"


# Deadline misses only: an administrator may proceed past them with a recorded reason, and
# the miss stays flagged. Every other reason is a hard rule that no override lifts.
OVERRIDABLE: frozenset[ReasonCode] = frozenset(
    {ReasonCode.PLAN_FILED_LATE, ReasonCode.RESULTS_FILED_LATE}
)


@dataclass(frozen=True)
class Reason:
    """One thing that is missing, in Chinese and English."""

    code: ReasonCode
    zh: str
    en: str

    @property
    def overridable(self) -> bool:
        """An administrator override with a recorded reason may proceed past this one."""
        return self.code in OVERRIDABLE

    def __str__(self) -> str:
        return f"{self.zh} / {self.en}"


F = TypeVar("F")


@dataclass(frozen=True)
class Rule(Generic[F]):
    """A named precondition: ``explain(facts)`` is ``None`` when it holds, else ``(zh, en)``."""

    code: ReasonCode
    explain: Callable[[F], tuple[str, str] | None]

    def check(self, facts: F) -> Reason | None:
        """The reason this rule fails on ``facts``, or ``None`` when it holds."""
        text = self.explain(facts)
        return None if text is None else Reason(self.code, *text)


def failing(rules: Iterable[Rule[F]], facts: F) -> tuple[Reason, ...]:
    """Every reason among ``rules`` that fails on ``facts``, in rule order."""
    return tuple(r for r in (rule.check(facts) for rule in rules) if r is not None)
