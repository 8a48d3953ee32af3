"""The certification batch (认定批次) state machine (pure).

    draft ─file→ filed ─record_draw→ supervisors_drawn ─start→ in_progress ─end→ ended
      ─sign_report→ report_signed ─open_publicity→ publicity ─file_results→ results_filed
      ─accept→ accepted;   reject: report_signed | publicity | results_filed → not_accepted

Each transition (:data:`TRANSITIONS`) names its allowed from-states, its to-state and its
preconditions, which are :class:`~proctor.supervision.reasons.Rule` objects evaluated on a
typed :class:`BatchFacts` snapshot. :func:`check_transition` returns :class:`Allowed` or
:class:`Refused` with the current state and *every* missing precondition.

**Open complaints pause publicity as a derived flag, not a state.** The complaint wing is the
only source of truth for open complaints; a stored ``paused`` state would need pause/resume
transitions that the complaint wing must never forget to fire, and could go stale. Instead
:func:`publicity_paused` derives the pause from the facts, and the way out of publicity
(``file_results``) refuses while any complaint is open (the results gate's rule).

**Overrides.** Missed deadlines (plan filed late, results filed late) are refused like any
other precondition. An administrator may pass an :class:`Override` with a reason: if every
missing precondition is overridable, the result is ``Allowed`` carrying the overridden
reasons, so the caller records and flags them. Hard rules are never overridden.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from proctor.supervision import gate
from proctor.supervision.gate import GateFacts
from proctor.supervision.reasons import Reason, ReasonCode, Rule, failing


class BatchState(StrEnum):
    """Where a batch is in its life."""

    DRAFT = "draft"
    FILED = "filed"
    SUPERVISORS_DRAWN = "supervisors_drawn"
    IN_PROGRESS = "in_progress"
    ENDED = "ended"
    REPORT_SIGNED = "report_signed"
    PUBLICITY = "publicity"
    RESULTS_FILED = "results_filed"
    ACCEPTED = "accepted"
    NOT_ACCEPTED = "not_accepted"


STATE_LABELS: Mapping[BatchState, str] = {
    BatchState.DRAFT: "草稿", BatchState.FILED: "已备案",
    BatchState.SUPERVISORS_DRAWN: "已抽取督导员", BatchState.IN_PROGRESS: "认定进行中",
    BatchState.ENDED: "认定已结束", BatchState.REPORT_SIGNED: "督导报告已签署",
    BatchState.PUBLICITY: "公示中", BatchState.RESULTS_FILED: "结果已备案",
    BatchState.ACCEPTED: "结果已认可", BatchState.NOT_ACCEPTED: "结果不予认可",
}


class Action(StrEnum):
    """What someone asks to do to a batch."""

    FILE = "file"
    RECORD_DRAW = "record_draw"
    START = "start"
    END = "end"
    SIGN_REPORT = "sign_report"
    OPEN_PUBLICITY = "open_publicity"
    FILE_RESULTS = "file_results"
    ACCEPT = "accept"
    REJECT = "reject"


@dataclass(frozen=True)
class BatchFacts:
    """A snapshot of what is true about a batch, gathered by the service layer."""

    sessions: int
    sessions_without_rooms: int
    rooms_without_roster: int
    plan_filed_on_time: bool
    supervisors_required: int
    supervisors_drawn: int
    any_session_started: bool
    all_sessions_ended: bool
    results_filed_on_time: bool
    gate: GateFacts

    def __post_init__(self) -> None:
        counts = (self.sessions, self.sessions_without_rooms, self.rooms_without_roster,
                  self.supervisors_required, self.supervisors_drawn)
        if min(counts) < 0:
            raise ValueError("batch counts cannot be negative")


def _rule(code: ReasonCode, zh: str, en: str,
          holds: Callable[[BatchFacts], bool]) -> Rule[BatchFacts]:
    """A rule with a fixed sentence, failing when ``holds(facts)`` is false."""
    return Rule(code, lambda f: None if holds(f) else (zh, en))


def _on_gate(rule: Rule[GateFacts]) -> Rule[BatchFacts]:
    """Lift a results-gate rule onto the batch facts."""
    return Rule(rule.code, lambda f: rule.explain(f.gate))


def _supervisors(f: BatchFacts) -> tuple[str, str] | None:
    got, need = f.supervisors_drawn, max(f.supervisors_required, 1)
    if got >= need:
        return None
    return (f"督导员不足：已抽取 {got} 名，需 {need} 名",
            f"too few supervisors drawn: {got} of {need}")


HAS_SESSIONS = _rule(ReasonCode.NO_SESSIONS, "批次没有场次", "batch has no sessions",
                     lambda f: f.sessions > 0)
ROOMS = _rule(ReasonCode.SESSION_WITHOUT_ROOMS, "有场次未安排考场",
              "a session has no rooms", lambda f: f.sessions_without_rooms == 0)
ROSTERS = _rule(ReasonCode.ROOM_WITHOUT_ROSTER, "有考场没有名册",
                "a room has no roster", lambda f: f.rooms_without_roster == 0)
PLAN_ON_TIME = _rule(ReasonCode.PLAN_FILED_LATE, "实施计划备案逾期",
                     "implementation plan filed late", lambda f: f.plan_filed_on_time)
SUPERVISORS = Rule(ReasonCode.TOO_FEW_SUPERVISORS, _supervisors)
STARTED = _rule(ReasonCode.NO_SESSION_STARTED, "尚无场次开始", "no session has started",
                lambda f: f.any_session_started)
ENDED = _rule(ReasonCode.SESSIONS_NOT_ENDED, "仍有场次未结束", "sessions not all ended",
              lambda f: f.all_sessions_ended)
RESULTS_ON_TIME = _rule(ReasonCode.RESULTS_FILED_LATE, "结果备案逾期", "results filed late",
                        lambda f: f.results_filed_on_time)
SIGNED = _on_gate(gate.REPORT_SIGNED)
CONCLUDED = _on_gate(gate.CONCLUSION_PRESENT)
RECOGNISED = _on_gate(gate.CONCLUSION_RECOGNISED)
REVIEWED = _on_gate(gate.EVENTS_REVIEWED)
EXPLAINED = _on_gate(gate.GAPS_EXPLAINED)
GATE = tuple(_on_gate(r) for r in gate.GATE_RULES)


@dataclass(frozen=True)
class Transition:
    """One named step: from which states, to which state, under which preconditions."""

    action: Action
    sources: frozenset[BatchState]
    target: BatchState
    rules: tuple[Rule[BatchFacts], ...]


def _t(action: Action, sources: set[BatchState], target: BatchState,
       *rules: Rule[BatchFacts]) -> Transition:
    return Transition(action, frozenset(sources), target, rules)


_S = BatchState
TRANSITIONS: Mapping[Action, Transition] = {t.action: t for t in (
    _t(Action.FILE, {_S.DRAFT}, _S.FILED, HAS_SESSIONS, ROOMS, ROSTERS, PLAN_ON_TIME),
    _t(Action.RECORD_DRAW, {_S.FILED}, _S.SUPERVISORS_DRAWN, SUPERVISORS),
    _t(Action.START, {_S.SUPERVISORS_DRAWN}, _S.IN_PROGRESS, STARTED),
    _t(Action.END, {_S.IN_PROGRESS}, _S.ENDED, ENDED),
    # The report module refuses to sign with unreviewed events or unexplained gaps; checking
    # again here keeps a batch from reaching report_signed by any other path.
    _t(Action.SIGN_REPORT, {_S.ENDED}, _S.REPORT_SIGNED, SIGNED, CONCLUDED, REVIEWED, EXPLAINED),
    _t(Action.OPEN_PUBLICITY, {_S.REPORT_SIGNED}, _S.PUBLICITY, SIGNED, CONCLUDED, RECOGNISED),
    _t(Action.FILE_RESULTS, {_S.PUBLICITY}, _S.RESULTS_FILED, *GATE, RESULTS_ON_TIME),
    # A complaint may be opened after filing: acceptance re-checks the whole gate.
    _t(Action.ACCEPT, {_S.RESULTS_FILED}, _S.ACCEPTED, *GATE),
    _t(Action.REJECT, {_S.REPORT_SIGNED, _S.PUBLICITY, _S.RESULTS_FILED}, _S.NOT_ACCEPTED),
)}


@dataclass(frozen=True)
class Override:
    """An administrator's decision to proceed past missed deadlines, with the reason."""

    reason: str

    def __post_init__(self) -> None:
        if not self.reason.strip():
            raise ValueError("an override needs a reason")


@dataclass(frozen=True)
class Allowed:
    """The transition may happen; ``overridden`` lists deadline misses to flag on the batch."""

    source: BatchState
    target: BatchState
    overridden: tuple[Reason, ...] = ()


@dataclass(frozen=True)
class Refused:
    """The transition may not happen: the current state and everything that is missing."""

    current_state: BatchState
    action: Action
    missing: tuple[Reason, ...]

    @property
    def message(self) -> str:
        """One line for a 409 body: current state, then every missing precondition."""
        state = f"{STATE_LABELS[self.current_state]} ({self.current_state.value})"
        return f"当前状态 / current state: {state}; " + "; ".join(map(str, self.missing))


def _wrong_state(state: BatchState, action: Action) -> Reason:
    sources = TRANSITIONS[action].sources
    allowed = "、".join(STATE_LABELS[s] for s in BatchState if s in sources)
    return Reason(ReasonCode.WRONG_STATE,
                  f"「{STATE_LABELS[state]}」状态下不能执行此操作（需处于：{allowed}）",
                  f"'{action.value}' is not allowed in state '{state.value}'")


def check_transition(state: BatchState, action: Action, facts: BatchFacts,
                     override: Override | None = None) -> Allowed | Refused:
    """Decide whether ``action`` may move a batch in ``state`` on, given ``facts``.

    With an ``override``, missing preconditions that are all overridable (deadline misses)
    are allowed and returned in ``Allowed.overridden``; any other missing one refuses.
    """
    transition = TRANSITIONS[action]
    if state not in transition.sources:
        return Refused(state, action, (_wrong_state(state, action),))
    missing = failing(transition.rules, facts)
    if not missing:
        return Allowed(state, transition.target)
    if override is not None and all(r.overridable for r in missing):
        return Allowed(state, transition.target, missing)
    return Refused(state, action, missing)


def publicity_paused(state: BatchState, open_complaints: int) -> bool:
    """Publicity is paused while the batch is in publicity and a complaint is open."""
    return state is BatchState.PUBLICITY and open_complaints > 0
