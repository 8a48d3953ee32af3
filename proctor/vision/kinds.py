"""The rules, one declaration each: an :class:`EventKind` member names the rule and carries
its :class:`RuleSpec` (description, condition, default timing, evaluation), as
:class:`http.HTTPStatus` members carry their phrases.

Everything else derives from these declarations: the settings defaults
(:class:`proctor.vision.rules.AnalysisRules`), what the camera monitor evaluates, which
explanations name the model, and the rule table of docs/vision.md (:func:`rules_table`,
checked by a test). Adding a rule means one member here and its evaluation function in
:mod:`proctor.vision.evaluation`.
"""

from __future__ import annotations

import enum

from proctor.vision import evaluation as rule
from proctor.vision.rule_spec import RuleSpec, RuleTiming
from proctor.vision.tamper import TamperKind


class EventKind(enum.StrEnum):
    """Something a supervisor wants flagged."""

    spec: RuleSpec

    def __new__(cls, value: str, spec: RuleSpec | None = None) -> EventKind:
        # ``spec`` is optional in the signature only: ``EventKind("phone")`` is a look-up
        # that never comes here, and type checkers read this signature for it
        if spec is None:
            raise TypeError(f"event kind {value!r} is declared without its RuleSpec")
        member = str.__new__(cls, value)
        member._value_ = value
        member.spec = spec
        return member

    EXTRA_PERSON = "extra_person", RuleSpec(
        "more people in view than expected", "people > expected headcount",
        RuleTiming(confirm_k=3, confirm_n=4), rule.extra_person, uses_model=True)
    PERSON_MISSING = "person_missing", RuleSpec(
        "fewer people in view than expected", "people < expected headcount",
        RuleTiming(confirm_k=4, confirm_n=5, hold_s=5), rule.person_missing, uses_model=True)
    SEAT_EMPTY = "seat_empty", RuleSpec(
        "nobody in the seat zone", "nobody in a seat zone",
        RuleTiming(confirm_k=4, confirm_n=5, hold_s=30), rule.seat_empty, uses_model=True)
    SEAT_SHARED = "seat_shared", RuleSpec(
        "two or more people in one seat zone", "two or more people in one seat zone",
        RuleTiming(confirm_k=3, confirm_n=4), rule.seat_shared, uses_model=True)
    INVIGILATOR_AWAY = "invigilator_away", RuleSpec(
        "nobody in the invigilator zone", "nobody in the invigilator zone",
        RuleTiming(confirm_k=4, confirm_n=5, hold_s=60), rule.invigilator_away,
        uses_model=True)
    PHONE = "phone", RuleSpec(
        "a mobile phone in view", "a phone detected (models with a phone class only)",
        RuleTiming(confirm_k=2, confirm_n=3), rule.phone, uses_model=True)
    COVERED = "covered", RuleSpec(
        "picture dark or uniform: the lens may be covered", "picture dark or uniform",
        RuleTiming(confirm_k=3, confirm_n=3, clear_n=2), rule.tamper(TamperKind.COVERED))
    DEFOCUSED = "defocused", RuleSpec(
        "picture much less sharp than the camera's baseline",
        "sharpness below 25 % of baseline",
        RuleTiming(confirm_k=5, confirm_n=5), rule.tamper(TamperKind.DEFOCUSED))
    MOVED = "moved", RuleSpec(
        "scene shifted or changed against the reference frame",
        "shifted or dissimilar against the reference",
        RuleTiming(confirm_k=5, confirm_n=5), rule.tamper(TamperKind.MOVED))
    FROZEN = "frozen", RuleSpec(
        "picture identical from sample to sample", "picture identical to the previous sample",
        RuleTiming(confirm_k=1, confirm_n=1, hold_s=10, clear_n=2),
        rule.tamper(TamperKind.FROZEN))
    STREAM_LOST = "stream_lost", RuleSpec(
        "no video frames from the camera", "no new frame since the previous sample",
        RuleTiming(confirm_k=1, confirm_n=1, hold_s=5, clear_n=1, cooldown_s=0),
        rule.stream_lost)
    NOT_ANALYSED = "not_analysed", RuleSpec(
        "the detector is unavailable: video continues but is not analysed",
        "picture present, detector down",
        RuleTiming(confirm_k=1, confirm_n=1, clear_n=1, cooldown_s=0), rule.not_analysed)


def rules_table() -> str:
    """The default rule table of docs/vision.md, in Markdown."""
    lines = ["| event kind | condition | k of n | hold_s | clear_n | cooldown_s |",
             "|---|---|---|---|---|---|"]
    for kind in EventKind:
        timing = kind.spec.timing
        lines.append(f"| `{kind.value}` | {kind.spec.condition} | {timing.confirm_k} of "
                     f"{timing.confirm_n} | {timing.hold_s:g} | {timing.clear_n} | "
                     f"{timing.cooldown_s:g} |")
    return "\n".join(lines) + "\n"
