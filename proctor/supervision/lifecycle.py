"""Moving a batch through its states: gather the facts, ask the state machine, apply, audit.

A refused transition raises :class:`BatchTransitionRefused` (HTTP 409 with the current
state and every missing item). A missed deadline is refused like any other precondition;
an administrator may proceed with an override reason, and then each overridden miss is
flagged on the batch (``Batch.flags``) and in the audit entry. The dates a step happened
(plan filed, publicity started, results filed) are the day of the transition in China.
Filing needs the centre's filing number (备案号, :mod:`~proctor.supervision.filing`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from proctor import audit
from proctor.actor import Actor
from proctor.db.base import utcnow
from proctor.errors import Conflict, InvalidInput
from proctor.supervision import deadlines
from proctor.supervision.batch_coverage import DEFAULT_GAP_TOLERANCE_S
from proctor.supervision.batch_facts import Gathered, gather
from proctor.supervision.batches import get_batch
from proctor.supervision.calendar_service import load_calendar
from proctor.supervision.china_time import china_day
from proctor.supervision.deadlines import DeadlineRules, StepCheck
from proctor.supervision.filing import assign_filing_number, checked_filing_number
from proctor.supervision.reasons import Reason
from proctor.supervision.records import Batch
from proctor.supervision.states import (
    Action,
    Allowed,
    BatchState,
    Override,
    Refused,
    check_transition,
)

TRANSITION = "batch.transition"
MAX_REASON = 1000


class BatchTransitionRefused(Conflict):
    """The state machine refused: the current state and every missing precondition."""

    def __init__(self, refused: Refused) -> None:
        self.refused = refused
        super().__init__(refused.message)

    @property
    def state(self) -> BatchState:
        """The batch's current state."""
        return self.refused.current_state

    @property
    def missing(self) -> tuple[Reason, ...]:
        """Every missing precondition."""
        return self.refused.missing

    def details(self) -> dict[str, object]:
        """The 409 body's fields besides ``detail``: the state and every missing item."""
        return {"state": self.state.value,
                "missing": [{"code": r.code.value, "zh": r.zh, "en": r.en}
                            for r in self.missing]}


def _text(value: str | None, what: str) -> str | None:
    text = (value or "").strip()
    if len(text) > MAX_REASON:
        raise InvalidInput(f"the {what} is longer than {MAX_REASON} characters")
    if any(not char.isprintable() and char not in "\n\t" for char in text):
        raise InvalidInput(f"the {what} holds a character that is not printable text")
    return text or None


def _flag(overridden: Reason, check: StepCheck | None, override: str, actor: Actor,
          now: datetime) -> dict[str, object]:
    """What the batch keeps of a deadline an administrator let pass."""
    flag: dict[str, object] = {"code": overridden.code.value, "zh": overridden.zh,
                               "en": overridden.en, "override_reason": override,
                               "by": str(actor), "at": now.isoformat()}
    if check is not None:
        flag |= {"step": check.step.value, "status": check.status.value,
                 "due": check.due.isoformat() if check.due else None,
                 "done_on": check.done_on.isoformat() if check.done_on else None,
                 "working_days": check.working_days, "verdict": check.describe()[0]}
    return flag


def _record_step(db: Session, batch: Batch, action: Action, rules: DeadlineRules,
                 actor: Actor, now: datetime) -> dict[str, object]:
    """Set the dates and decision the step records; returns what the audit adds."""
    today = china_day(now)
    if action is Action.FILE:
        batch.plan_filed_on = today
        return {"filing_number": batch.filing_number}
    elif action is Action.OPEN_PUBLICITY:
        batch.publicity_started_on = today
        last = deadlines.publicity_last_day(load_calendar(db), rules, today)  # fails closed
        return {"publicity_last_day": last.isoformat()}
    elif action is Action.FILE_RESULTS:
        batch.results_filed_on = today
    elif action in (Action.ACCEPT, Action.REJECT):
        batch.decided_at, batch.decided_by = now, str(actor)
    return {}


def transition(db: Session, actor: Actor, batch_id: int, action: Action, rules: DeadlineRules,
               reason: str | None = None, override: str | None = None,
               now: datetime | None = None,
               gap_tolerance_s: float = DEFAULT_GAP_TOLERANCE_S,
               filing_number: str | None = None) -> Batch:
    """Apply ``action`` to the batch if the state machine allows it (else
    :class:`BatchTransitionRefused`); ``override`` is an administrator's reason to proceed
    past missed deadlines. A rejection needs a ``reason``, filing the ``filing_number``
    (备案号: unique, recorded on the batch and in the audit entry). ``gap_tolerance_s`` is
    the configured ``coverage_gap_tolerance_seconds`` the results gate counts gaps with."""
    moment = now or utcnow()
    why, override_reason = _text(reason, "reason"), _text(override, "override reason")
    if action is Action.REJECT and why is None:
        raise InvalidInput("a rejection (不予认可) needs a reason")
    batch = get_batch(db, batch_id)
    number = (checked_filing_number(db, batch.id, filing_number)
              if action is Action.FILE else None)
    gathered = gather(db, batch, action, rules, moment, gap_tolerance_s)
    decision = check_transition(batch.state, action, gathered.facts,
                                Override(override_reason) if override_reason else None)
    if isinstance(decision, Refused):
        raise BatchTransitionRefused(decision)
    if number is not None:
        assign_filing_number(db, batch, number)
    return _apply(db, actor, batch, action, decision, gathered, rules, why, override_reason,
                  moment)


def _apply(db: Session, actor: Actor, batch: Batch, action: Action, decision: Allowed,
           gathered: Gathered, rules: DeadlineRules, reason: str | None, override: str | None,
           now: datetime) -> Batch:
    checks = {"plan_filed_late": gathered.plan, "results_filed_late": gathered.results}
    flags = [_flag(r, checks.get(r.code.value), override or "", actor, now)
             for r in decision.overridden]
    extra = _record_step(db, batch, action, rules, actor, now)
    batch.state = decision.target
    batch.flags = [*batch.flags, *flags]  # a new list: JSON columns track assignment
    db.flush()
    audit.record(db, actor, TRANSITION, f"batch:{batch.id}", step=action.value,
                 from_state=decision.source.value, to_state=decision.target.value, reason=reason,
                 override=override, flags=flags, **extra)
    return batch
