"""Rule declarations: every event kind carries its spec, and the settings defaults and the
docs table derive from them."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from proctor.config import REPO_ROOT
from proctor.vision.kinds import EventKind, rules_table
from proctor.vision.rules import AnalysisRules


def test_the_docs_rule_table_is_the_declared_one() -> None:
    docs = (REPO_ROOT / "docs" / "vision.md").read_text()
    assert rules_table() in docs, f"update the rule table in docs/vision.md to:\n{rules_table()}"


def test_kinds_are_looked_up_by_their_value_and_carry_their_spec() -> None:
    assert EventKind("seat_empty") is EventKind.SEAT_EMPTY
    assert EventKind.SEAT_EMPTY.spec.timing.hold_s == 30
    assert [kind for kind in EventKind if kind.spec.uses_model] == [
        EventKind.EXTRA_PERSON, EventKind.PERSON_MISSING, EventKind.SEAT_EMPTY,
        EventKind.SEAT_SHARED, EventKind.INVIGILATOR_AWAY, EventKind.PHONE]
    with pytest.raises(ValueError):
        EventKind("seat_emtpy")


def test_settings_defaults_are_the_declared_timings_and_overrides_merge() -> None:
    rules = AnalysisRules.model_validate({"seat_empty": {"hold_s": 120}})
    changed, declared = rules.timing(EventKind.SEAT_EMPTY), EventKind.SEAT_EMPTY.spec.timing
    assert changed.hold_s == 120 and changed.confirm_k == declared.confirm_k == 4
    assert all(AnalysisRules().timing(kind) == kind.spec.timing for kind in EventKind)
    with pytest.raises(ValidationError, match="unknown rule"):
        AnalysisRules.model_validate({"gaze": {"hold_s": 1}})
