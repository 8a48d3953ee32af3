"""The batch state machine, generated from its own table.

Every (state, action) pair is checked, and every precondition of every transition is broken
alone and all together, so a new state, action or precondition is covered without new tests
(a new precondition without a way to break it below fails ``test_every_rule_can_be_broken``).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import replace

import pytest

from proctor.supervision.gate import GateFacts
from proctor.supervision.reasons import ReasonCode
from proctor.supervision.report.terms import Conclusion
from proctor.supervision.states import (
    STATE_LABELS,
    TRANSITIONS,
    Action,
    Allowed,
    BatchFacts,
    BatchState,
    Override,
    Refused,
    check_transition,
    publicity_paused,
)

R = ReasonCode
GOOD = BatchFacts(
    sessions=2, sessions_without_rooms=0, rooms_without_roster=0, plan_filed_on_time=True,
    supervisors_required=2, supervisors_drawn=2, any_session_started=True,
    all_sessions_ended=True, results_filed_on_time=True,
    gate=GateFacts(report_signed=True, conclusion=Conclusion.PASSED, unreviewed_events=0,
                   unexplained_gaps=0, publicity_days_elapsed=5, publicity_days_required=5,
                   open_complaints=0),
)


def _gate(**changes: object) -> Callable[[BatchFacts], BatchFacts]:
    return lambda f: replace(f, gate=replace(f.gate, **changes))  # type: ignore[arg-type]


BREAK: dict[ReasonCode, Callable[[BatchFacts], BatchFacts]] = {
    R.NO_SESSIONS: lambda f: replace(f, sessions=0),
    R.SESSION_WITHOUT_ROOMS: lambda f: replace(f, sessions_without_rooms=1),
    R.ROOM_WITHOUT_ROSTER: lambda f: replace(f, rooms_without_roster=2),
    R.PLAN_FILED_LATE: lambda f: replace(f, plan_filed_on_time=False),
    R.TOO_FEW_SUPERVISORS: lambda f: replace(f, supervisors_drawn=1),
    R.NO_SESSION_STARTED: lambda f: replace(f, any_session_started=False),
    R.SESSIONS_NOT_ENDED: lambda f: replace(f, all_sessions_ended=False),
    R.RESULTS_FILED_LATE: lambda f: replace(f, results_filed_on_time=False),
    R.REPORT_NOT_SIGNED: _gate(report_signed=False),
    R.CONCLUSION_MISSING: _gate(conclusion=None),
    R.REPORT_NOT_RECOGNISED: _gate(conclusion=Conclusion.NOT_ACCEPTED),
    R.EVENTS_NOT_REVIEWED: _gate(unreviewed_events=1),
    R.GAPS_NOT_EXPLAINED: _gate(unexplained_gaps=1),
    R.PUBLICITY_NOT_ELAPSED: _gate(publicity_days_elapsed=1),
    R.COMPLAINTS_OPEN: _gate(open_complaints=1),
    R.AMENDED_REPORT_REQUIRED: _gate(awaiting_amendment=(1,)),
}
# Reasons that hide others when combined: an unsigned report's conclusion is not checked,
# and a report without a conclusion cannot conclude 不予认可.
MASKS = {R.REPORT_NOT_SIGNED: {R.CONCLUSION_MISSING, R.REPORT_NOT_RECOGNISED},
         R.CONCLUSION_MISSING: {R.REPORT_NOT_RECOGNISED}}

PAIRS = list(itertools.product(BatchState, Action))
RULES = [(t.action, rule.code) for t in TRANSITIONS.values() for rule in t.rules]


def codes(result: Allowed | Refused) -> list[ReasonCode]:
    assert isinstance(result, Refused), result
    return [r.code for r in result.missing]


def test_every_action_has_a_transition() -> None:
    assert set(TRANSITIONS) == set(Action)


def test_every_rule_can_be_broken() -> None:
    assert {code for _, code in RULES} <= set(BREAK)


@pytest.mark.parametrize(("state", "action"), PAIRS)
def test_every_state_action_pair(state: BatchState, action: Action) -> None:
    transition = TRANSITIONS[action]
    result = check_transition(state, action, GOOD)
    if state in transition.sources:
        assert result == Allowed(state, transition.target)
    else:
        assert isinstance(result, Refused) and result.current_state is state
        assert codes(result) == [R.WRONG_STATE]
        assert STATE_LABELS[state] in result.missing[0].zh
        assert action.value in result.missing[0].en


@pytest.mark.parametrize(("action", "code"), RULES)
def test_each_precondition_alone(action: Action, code: ReasonCode) -> None:
    transition = TRANSITIONS[action]
    for state in transition.sources:
        assert codes(check_transition(state, action, BREAK[code](GOOD))) == [code]


@pytest.mark.parametrize(("state", "action"), [(s, a) for s, a in PAIRS
                                               if s in TRANSITIONS[a].sources])
def test_unrelated_facts_do_not_refuse(state: BatchState, action: Action) -> None:
    own = {rule.code for rule in TRANSITIONS[action].rules}
    for code in set(BREAK) - own:
        assert isinstance(check_transition(state, action, BREAK[code](GOOD)), Allowed), code


@pytest.mark.parametrize("action", list(Action))
def test_all_preconditions_together_are_all_reported(action: Action) -> None:
    transition = TRANSITIONS[action]
    facts, expected = GOOD, list[ReasonCode]()
    for code in (rule.code for rule in transition.rules):
        if not any(code in MASKS.get(done, ()) for done in expected):
            facts, expected = BREAK[code](facts), [*expected, code]
    for state in transition.sources:
        result = check_transition(state, action, facts)
        assert codes(result) == expected if expected else isinstance(result, Allowed)


def test_every_state_is_reachable_and_only_outcomes_are_final() -> None:
    reached, frontier = {BatchState.DRAFT}, [BatchState.DRAFT]
    while frontier:
        state = frontier.pop()
        for t in TRANSITIONS.values():
            if state in t.sources and t.target not in reached:
                reached.add(t.target)
                frontier.append(t.target)
    assert reached == set(BatchState)
    final = {s for s in BatchState if not any(s in t.sources for t in TRANSITIONS.values())}
    assert final == {BatchState.ACCEPTED, BatchState.NOT_ACCEPTED}
    assert set(STATE_LABELS) == set(BatchState)


OVERRIDABLE_RULES = [(a, c) for a, c in RULES if c in (R.PLAN_FILED_LATE, R.RESULTS_FILED_LATE)]


@pytest.mark.parametrize(("action", "code"), OVERRIDABLE_RULES)
def test_a_missed_deadline_needs_an_override_and_stays_flagged(action: Action,
                                                                code: ReasonCode) -> None:
    (state,) = TRANSITIONS[action].sources
    late = BREAK[code](GOOD)
    assert codes(check_transition(state, action, late)) == [code]
    result = check_transition(state, action, late, Override("考点停电，经中心同意延后备案"))
    assert isinstance(result, Allowed) and result.target is TRANSITIONS[action].target
    assert [r.code for r in result.overridden] == [code]


def test_overrides_exist_for_both_deadlines() -> None:
    assert {a for a, _ in OVERRIDABLE_RULES} == {Action.FILE, Action.FILE_RESULTS}


@pytest.mark.parametrize(("action", "code"), [rc for rc in RULES if rc not in OVERRIDABLE_RULES])
def test_an_override_never_lifts_a_hard_rule(action: Action, code: ReasonCode) -> None:
    for state in TRANSITIONS[action].sources:
        result = check_transition(state, action, BREAK[code](GOOD), Override("请批准"))
        assert codes(result) == [code]


def test_an_override_with_a_hard_rule_missing_lists_both() -> None:
    facts = BREAK[R.COMPLAINTS_OPEN](BREAK[R.RESULTS_FILED_LATE](GOOD))
    result = check_transition(BatchState.PUBLICITY, Action.FILE_RESULTS, facts, Override("x"))
    assert codes(result) == [R.COMPLAINTS_OPEN, R.RESULTS_FILED_LATE]


def test_an_override_cannot_make_a_wrong_state_right() -> None:
    late = BREAK[R.PLAN_FILED_LATE](GOOD)
    result = check_transition(BatchState.FILED, Action.FILE, late, Override("再备案一次"))
    assert codes(result) == [R.WRONG_STATE]


@pytest.mark.parametrize("reason", ["", "   "])
def test_an_override_needs_a_reason(reason: str) -> None:
    with pytest.raises(ValueError):
        Override(reason)


def test_the_409_message_names_the_state_and_everything_missing() -> None:
    facts = replace(GOOD, sessions=0, rooms_without_roster=1)
    result = check_transition(BatchState.DRAFT, Action.FILE, facts)
    assert isinstance(result, Refused)
    assert result.message == ("当前状态 / current state: 草稿 (draft); "
                              "批次没有场次 / batch has no sessions; "
                              "有考场没有名册 / a room has no roster")


def test_a_whole_life_from_draft_to_accepted() -> None:
    state = BatchState.DRAFT
    for action in (Action.FILE, Action.RECORD_DRAW, Action.START, Action.END,
                   Action.SIGN_REPORT, Action.OPEN_PUBLICITY, Action.FILE_RESULTS,
                   Action.ACCEPT):
        result = check_transition(state, action, GOOD)
        assert isinstance(result, Allowed)
        state = result.target
    assert state is BatchState.ACCEPTED


def test_a_signed_not_recognised_report_cannot_go_to_publicity_but_can_be_rejected() -> None:
    facts = BREAK[R.REPORT_NOT_RECOGNISED](GOOD)
    signed = check_transition(BatchState.ENDED, Action.SIGN_REPORT, facts)
    assert signed == Allowed(BatchState.ENDED, BatchState.REPORT_SIGNED)
    assert codes(check_transition(BatchState.REPORT_SIGNED, Action.OPEN_PUBLICITY, facts)) == [
        R.REPORT_NOT_RECOGNISED]
    assert check_transition(BatchState.REPORT_SIGNED, Action.REJECT, facts) == Allowed(
        BatchState.REPORT_SIGNED, BatchState.NOT_ACCEPTED)


def test_supervisors_required_is_at_least_one() -> None:
    facts = replace(GOOD, supervisors_required=0, supervisors_drawn=0)
    assert codes(check_transition(BatchState.FILED, Action.RECORD_DRAW, facts)) == [
        R.TOO_FEW_SUPERVISORS]


@pytest.mark.parametrize(("state", "complaints", "paused"), [
    (BatchState.PUBLICITY, 1, True), (BatchState.PUBLICITY, 0, False),
    (BatchState.RESULTS_FILED, 1, False), (BatchState.REPORT_SIGNED, 2, False)])
def test_publicity_is_paused_by_open_complaints(state: BatchState, complaints: int,
                                                paused: bool) -> None:
    assert publicity_paused(state, complaints) is paused


@pytest.mark.parametrize("field", ["sessions", "rooms_without_roster", "supervisors_drawn"])
def test_negative_counts_are_refused(field: str) -> None:
    with pytest.raises(ValueError):
        replace(GOOD, **{field: -1})  # type: ignore[arg-type]
