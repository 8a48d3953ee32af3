"""The results gate: each reason alone, and every reason together (never only the first)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

import pytest

from proctor.supervision.gate import GATE_RULES, GateFacts, check_gate
from proctor.supervision.reasons import ReasonCode
from proctor.supervision.report.terms import Conclusion

R = ReasonCode
OPEN_GATE = GateFacts(report_signed=True, conclusion=Conclusion.PASSED, unreviewed_events=0,
                      unexplained_gaps=0, publicity_days_elapsed=5, publicity_days_required=5,
                      open_complaints=0)

# One way to break each gate rule, and nothing else.
BREAK: dict[ReasonCode, Callable[[GateFacts], GateFacts]] = {
    R.REPORT_NOT_SIGNED: lambda f: replace(f, report_signed=False),
    R.CONCLUSION_MISSING: lambda f: replace(f, conclusion=None),
    R.REPORT_NOT_RECOGNISED: lambda f: replace(f, conclusion=Conclusion.NOT_ACCEPTED),
    R.EVENTS_NOT_REVIEWED: lambda f: replace(f, unreviewed_events=3),
    R.GAPS_NOT_EXPLAINED: lambda f: replace(f, unexplained_gaps=2),
    R.PUBLICITY_NOT_ELAPSED: lambda f: replace(f, publicity_days_elapsed=4),
    R.COMPLAINTS_OPEN: lambda f: replace(f, open_complaints=1),
    R.AMENDED_REPORT_REQUIRED: lambda f: replace(f, awaiting_amendment=(7,)),
}


def codes(facts: GateFacts) -> list[ReasonCode]:
    return [r.code for r in check_gate(facts).missing]


def test_every_gate_rule_has_a_breaker() -> None:
    assert {rule.code for rule in GATE_RULES} == set(BREAK)


def test_open_when_everything_holds() -> None:
    decision = check_gate(OPEN_GATE)
    assert decision.open and decision.missing == ()


@pytest.mark.parametrize("conclusion", [Conclusion.PASSED, Conclusion.ACCEPTED_AFTER_RECTIFICATION])
def test_recognising_conclusions_pass(conclusion: Conclusion) -> None:
    assert check_gate(replace(OPEN_GATE, conclusion=conclusion)).open


@pytest.mark.parametrize("code", list(BREAK))
def test_each_reason_alone(code: ReasonCode) -> None:
    decision = check_gate(BREAK[code](OPEN_GATE))
    assert not decision.open
    assert codes(BREAK[code](OPEN_GATE)) == [code]
    (reason,) = decision.missing
    assert re.search(r"[\u4e00-\u9fff]", reason.zh) and re.search(r"[a-z]{3,}", reason.en)
    assert str(reason) == f"{reason.zh} / {reason.en}"


def test_reasons_carry_the_numbers() -> None:
    facts = replace(OPEN_GATE, unreviewed_events=7, publicity_days_elapsed=2, open_complaints=4)
    text = " | ".join(map(str, check_gate(facts).missing))
    assert "7 个事件未复核" in text and "7 event(s) not reviewed" in text
    assert "2 of 5 working days" in text and "4 complaint(s) still open" in text


def test_complaints_are_named_by_number() -> None:
    facts = replace(OPEN_GATE, open_complaints=2, open_complaint_ids=(3, 8),
                    awaiting_amendment=(5,))
    text = " | ".join(map(str, check_gate(facts).missing))
    assert "投诉 #3、#8" in text and "2 complaint(s) still open: #3, #8" in text
    assert "投诉 #5 要求修订督导报告" in text and "complaint(s) #5 require" in text


def test_all_reasons_together_signed_without_conclusion() -> None:
    facts = OPEN_GATE
    for code in BREAK:
        if code not in (R.REPORT_NOT_SIGNED, R.REPORT_NOT_RECOGNISED):
            facts = BREAK[code](facts)
    assert codes(facts) == [R.CONCLUSION_MISSING, R.EVENTS_NOT_REVIEWED, R.GAPS_NOT_EXPLAINED,
                            R.PUBLICITY_NOT_ELAPSED, R.COMPLAINTS_OPEN,
                            R.AMENDED_REPORT_REQUIRED]


def test_all_reasons_together_signed_not_recognised() -> None:
    facts = OPEN_GATE
    for code in BREAK:
        if code not in (R.REPORT_NOT_SIGNED, R.CONCLUSION_MISSING):
            facts = BREAK[code](facts)
    assert codes(facts) == [R.REPORT_NOT_RECOGNISED, R.EVENTS_NOT_REVIEWED,
                            R.GAPS_NOT_EXPLAINED, R.PUBLICITY_NOT_ELAPSED, R.COMPLAINTS_OPEN,
                            R.AMENDED_REPORT_REQUIRED]


def test_unsigned_report_is_one_reason_whatever_its_draft_conclusion() -> None:
    for conclusion in (None, Conclusion.NOT_ACCEPTED):
        facts = replace(OPEN_GATE, report_signed=False, conclusion=conclusion,
                        unreviewed_events=1, unexplained_gaps=1, publicity_days_elapsed=0,
                        open_complaints=2)
        assert codes(facts) == [R.REPORT_NOT_SIGNED, R.EVENTS_NOT_REVIEWED,
                                R.GAPS_NOT_EXPLAINED, R.PUBLICITY_NOT_ELAPSED,
                                R.COMPLAINTS_OPEN]


def test_configurable_publicity_length() -> None:
    three_days = replace(OPEN_GATE, publicity_days_elapsed=3, publicity_days_required=3)
    assert check_gate(three_days).open
    assert codes(replace(three_days, publicity_days_required=5)) == [R.PUBLICITY_NOT_ELAPSED]


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError):
        replace(OPEN_GATE, unreviewed_events=-1)
