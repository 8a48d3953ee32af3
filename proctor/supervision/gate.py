"""The results gate (结果备案): may this batch's results be filed? (pure)

Filing is refused unless **all** of these hold; a refusal lists every failing one:

1. the supervision report (督导报告) is signed;
2. the signed report has a conclusion, and it is not 不予认可;
3. every event of the batch is reviewed (confirmed or dismissed);
4. every coverage gap of every session window and camera is explained;
5. publicity (公示) has run its working days (counted by the deadlines module);
6. no complaint (投诉) about the batch is open (each is named by its number);
7. no complaint resolved with an amended report required waits for it: a report version
   signed after the resolution must exist.

The conclusion rules apply to a *signed* report only: an unsigned draft's conclusion is not
final, so an unsigned report gives one reason, not two. The caller gathers the facts
(database, calendar, complaint wing) into a :class:`GateFacts`; this module only decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from proctor.supervision.reasons import Reason, ReasonCode, Rule, failing
from proctor.supervision.report.terms import Conclusion


@dataclass(frozen=True)
class GateFacts:
    """What the gate needs to know about one batch."""

    report_signed: bool
    conclusion: Conclusion | None
    unreviewed_events: int
    unexplained_gaps: int
    publicity_days_elapsed: int
    publicity_days_required: int
    open_complaints: int
    # keyword-only, so views extending these facts may add fields without defaults
    open_complaint_ids: tuple[int, ...] = field(default=(), kw_only=True)  # named (some)
    awaiting_amendment: tuple[int, ...] = field(default=(), kw_only=True)  # want a new report

    def __post_init__(self) -> None:
        counts = (self.unreviewed_events, self.unexplained_gaps, self.publicity_days_elapsed,
                  self.publicity_days_required, self.open_complaints)
        if min(counts) < 0:
            raise ValueError("gate counts cannot be negative")


def _report_signed(f: GateFacts) -> tuple[str, str] | None:
    return None if f.report_signed else ("督导报告未签署", "supervision report not signed")


def _conclusion_present(f: GateFacts) -> tuple[str, str] | None:
    if not f.report_signed or f.conclusion is not None:
        return None
    return "督导报告没有结论", "supervision report has no conclusion"


def _conclusion_recognised(f: GateFacts) -> tuple[str, str] | None:
    if not f.report_signed or f.conclusion is not Conclusion.NOT_ACCEPTED:
        return None
    return "督导报告结论为不予认可", "supervision report concludes 不予认可 (not recognised)"


def _events_reviewed(f: GateFacts) -> tuple[str, str] | None:
    n = f.unreviewed_events
    return None if n == 0 else (f"{n} 个事件未复核", f"{n} event(s) not reviewed")


def _gaps_explained(f: GateFacts) -> tuple[str, str] | None:
    n = f.unexplained_gaps
    return None if n == 0 else (f"{n} 处录像缺口未说明", f"{n} coverage gap(s) not explained")


def _publicity_elapsed(f: GateFacts) -> tuple[str, str] | None:
    done, need = f.publicity_days_elapsed, f.publicity_days_required
    if done >= need:
        return None
    return (f"公示期未满：已 {done} 个工作日，需 {need} 个",
            f"publicity not over: {done} of {need} working days")


def _numbers(ids: tuple[int, ...]) -> str:
    return "、".join(f"#{i}" for i in ids)


def _no_open_complaints(f: GateFacts) -> tuple[str, str] | None:
    n = f.open_complaints
    if n == 0:
        return None
    if not f.open_complaint_ids:
        return f"{n} 件投诉未办结", f"{n} complaint(s) still open"
    named = _numbers(f.open_complaint_ids)
    return (f"{n} 件投诉未办结（投诉 {named}）",
            f"{n} complaint(s) still open: {named.replace('、', ', ')}")


def _amended_report(f: GateFacts) -> tuple[str, str] | None:
    if not f.awaiting_amendment:
        return None
    named = _numbers(f.awaiting_amendment)
    return (f"投诉 {named} 要求修订督导报告，尚无其处理后签署的报告版本",
            f"complaint(s) {named.replace('、', ', ')} require an amended report: no report "
            "version signed after the resolution yet")


REPORT_SIGNED = Rule(ReasonCode.REPORT_NOT_SIGNED, _report_signed)
CONCLUSION_PRESENT = Rule(ReasonCode.CONCLUSION_MISSING, _conclusion_present)
CONCLUSION_RECOGNISED = Rule(ReasonCode.REPORT_NOT_RECOGNISED, _conclusion_recognised)
EVENTS_REVIEWED = Rule(ReasonCode.EVENTS_NOT_REVIEWED, _events_reviewed)
GAPS_EXPLAINED = Rule(ReasonCode.GAPS_NOT_EXPLAINED, _gaps_explained)
PUBLICITY_ELAPSED = Rule(ReasonCode.PUBLICITY_NOT_ELAPSED, _publicity_elapsed)
NO_OPEN_COMPLAINTS = Rule(ReasonCode.COMPLAINTS_OPEN, _no_open_complaints)
AMENDED_REPORT = Rule(ReasonCode.AMENDED_REPORT_REQUIRED, _amended_report)

GATE_RULES: tuple[Rule[GateFacts], ...] = (
    REPORT_SIGNED, CONCLUSION_PRESENT, CONCLUSION_RECOGNISED, EVENTS_REVIEWED,
    GAPS_EXPLAINED, PUBLICITY_ELAPSED, NO_OPEN_COMPLAINTS, AMENDED_REPORT,
)


@dataclass(frozen=True)
class GateDecision:
    """The gate's answer: open when nothing is missing."""

    missing: tuple[Reason, ...]

    @property
    def open(self) -> bool:
        """Results may be filed."""
        return not self.missing


def check_gate(facts: GateFacts) -> GateDecision:
    """Decide whether results may be filed, listing every reason they may not."""
    return GateDecision(failing(GATE_RULES, facts))
