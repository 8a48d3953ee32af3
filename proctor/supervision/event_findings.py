"""Confirmed analysis events as findings of the batch's 督导报告.

An event of the batch (:mod:`~proctor.supervision.batch_events`) is a finding of the report
when a supervisor drawn for the batch has confirmed it (their current verdict; as for the
gate, an administrator's verdict does not count). Such findings are derived each time the
report is composed, never stored as rows of their own, so:

- confirming twice, two supervisors confirming, or drafting again still make one finding;
- a dismissed event is no finding, and changing a confirmation to a dismissal before the
  report is signed removes it (the signed version keeps what was confirmed when signed);
- manual findings (:mod:`~proctor.supervision.findings`) stay as they are, beside them.

The finding's checklist item and severity come from the event kind (:data:`KIND_TERMS`;
a kind it does not know is 考场布置/一般), its text names the event and carries the
confirming supervisors' notes, and its clip is the event's camera from its start (down to
the second) to its end (up to the second); an event still open runs to the end of the
batch's last session window.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from proctor.db.models import Event
from proctor.supervision.batch_events import events_of_batch_query
from proctor.supervision.oversight import EventReview, ReviewDecision
from proctor.supervision.records import Batch
from proctor.supervision.report.content import MAX_CLIP_SECONDS
from proctor.supervision.report.terms import CheckItem, Severity
from proctor.supervision.review_access import drawn_user_ids

MAX_DESCRIPTION = 4000  # a report paragraph's limit


@dataclass(frozen=True)
class KindTerms:
    """How the report names an event kind, files it and weighs it."""

    label: str
    item: CheckItem
    severity: Severity


KIND_TERMS: dict[str, KindTerms] = {
    "extra_person": KindTerms("画面人数多于应到人数", CheckItem.IDENTITY, Severity.SERIOUS),
    "person_missing": KindTerms("画面人数少于应到人数", CheckItem.SIGN_IN, Severity.MINOR),
    "seat_empty": KindTerms("座位无人", CheckItem.SIGN_IN, Severity.MINOR),
    "seat_shared": KindTerms("一个座位多人", CheckItem.IDENTITY, Severity.SERIOUS),
    "invigilator_away": KindTerms("监考区无人", CheckItem.EXAMINERS, Severity.SERIOUS),
    "phone": KindTerms("画面中出现手机", CheckItem.ROOM, Severity.GRAVE),
    "covered": KindTerms("镜头被遮挡", CheckItem.VIDEO, Severity.SERIOUS),
    "defocused": KindTerms("画面失焦", CheckItem.VIDEO, Severity.MINOR),
    "moved": KindTerms("镜头移位", CheckItem.VIDEO, Severity.SERIOUS),
    "frozen": KindTerms("画面冻结", CheckItem.VIDEO, Severity.SERIOUS),
    "stream_lost": KindTerms("视频中断", CheckItem.VIDEO, Severity.MINOR),
    "not_analysed": KindTerms("视频未能分析", CheckItem.VIDEO, Severity.MINOR),
}
UNKNOWN_KIND = KindTerms("其他异常", CheckItem.ROOM, Severity.MINOR)


@dataclass(frozen=True)
class FindingSource:
    """What a report finding is made of, whether typed by a reviewer or a confirmed event."""

    item: CheckItem
    severity: Severity
    description: str
    camera_ids: list[int]
    start: datetime
    end: datetime


def terms_of(kind: str) -> KindTerms:
    """The report's terms for an event kind (:data:`UNKNOWN_KIND` for one it lacks)."""
    return KIND_TERMS.get(kind, UNKNOWN_KIND)


def _floor_second(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


def _ceil_second(moment: datetime) -> datetime:
    whole = moment.replace(microsecond=0)
    return whole if whole == moment else whole + timedelta(seconds=1)


def event_span(event: Event, open_until: datetime) -> tuple[datetime, datetime]:
    """The event's clip range to the whole second, at least one second and at most a clip's
    longest; an open event runs to ``open_until``."""
    start = _floor_second(event.started_at)
    end = _ceil_second(event.ended_at or open_until)
    longest = start + timedelta(seconds=MAX_CLIP_SECONDS)
    return start, min(max(end, start + timedelta(seconds=1)), longest)


def describe(event: Event, notes: Sequence[str]) -> str:
    """The finding's text: the event named, then each confirming note (cut to fit)."""
    terms = terms_of(event.kind)
    lines = [f"分析事件 #{event.id}「{terms.label}」经督导员复核确认。"]
    lines += [f"复核意见：{note}" for note in dict.fromkeys(notes) if note]
    text = "\n".join(lines)
    return text if len(text) <= MAX_DESCRIPTION else text[:MAX_DESCRIPTION - 1] + "…"


def confirmed_event_findings(db: Session, batch: Batch) -> list[FindingSource]:
    """The batch's events confirmed by a drawn supervisor, oldest first, as findings."""
    events = events_of_batch_query(batch.id).subquery()
    rows = db.execute(select(Event, EventReview.note)
                      .join(EventReview, EventReview.event_id == Event.id)
                      .where(Event.id.in_(select(events.c.id)),
                             EventReview.decision == ReviewDecision.CONFIRMED,
                             EventReview.user_id.in_(drawn_user_ids(batch.id)))
                      .order_by(Event.started_at, Event.id, EventReview.reviewed_at,
                                EventReview.id)).all()
    notes: dict[int, list[str]] = {}
    by_id: dict[int, Event] = {}
    for event, note in rows:
        by_id[event.id] = event
        notes.setdefault(event.id, []).append(note)
    if not by_id:
        return []
    open_until = max(session.ends_at for session in batch.sessions)
    findings = []
    for event_id, event in by_id.items():
        terms = terms_of(event.kind)
        start, end = event_span(event, open_until)
        findings.append(FindingSource(terms.item, terms.severity,
                                      describe(event, notes[event_id]), [event.camera_id],
                                      start, end))
    return findings

