"""The events service on a real (SQLite) directory: which events a user sees (the cameras
of their sites; on a camera granted for a window of time, only the events overlapping it),
the list filters, one event, its snapshot (audit-logged; the store asked only once access
is decided) and the open events of the live alerts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import cast

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from support.places import Place, add_user, build_place

from proctor.auth.grants import CameraGrant, Window
from proctor.auth.scope import Scope, load_scope
from proctor.db.models import AuditEntry, Event, Role, User
from proctor.errors import Forbidden, NotFound
from proctor.events.service import (
    EventFilter,
    get_event,
    list_events,
    open_events,
    snapshot,
)
from proctor.recording.store import ObjectStore, StoreNotConfigured
from proctor.vision.kinds import EventKind

T0 = datetime(2026, 12, 8, 1, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class Events:
    """Site A with events at T0, T0+10 min (open, a phone) and T0+60 min; site B with one."""

    a: Place
    b: Place
    ids: dict[str, int]


def add_event(db: Session, place: Place, start: timedelta, minutes: int | None,
              kind: EventKind = EventKind.PERSON_MISSING, snapshot: bool = False) -> int:
    event = Event(camera_id=place.camera.id, kind=kind.value, started_at=T0 + start,
                  ended_at=None if minutes is None else T0 + start + minutes * MINUTE,
                  severity=0.5, snapshot_key="snapshots/1.jpg" if snapshot else None,
                  snapshot_version="v1" if snapshot else None)
    db.add(event)
    db.flush()
    return event.id


@pytest.fixture
def events(db: Session) -> Events:
    a, b = build_place(db, "A"), build_place(db, "B")
    ids = {"first": add_event(db, a, timedelta(0), 2, snapshot=True),
           "phone": add_event(db, a, 10 * MINUTE, None, EventKind.PHONE),
           "late": add_event(db, a, 60 * MINUTE, 5),
           "other": add_event(db, b, 5 * MINUTE, None)}
    db.commit()
    return Events(a, b, ids)


def operator_of(db: Session, events: Events) -> Scope:
    user = add_user(db, "operator", Role.ORG_OPERATOR, [events.a.site])
    db.commit()
    return load_scope(db, user)


def drawn_for(db: Session, events: Events, window: Window) -> Scope:
    """A drawn supervisor granted site A's camera for ``window`` only."""
    user = add_user(db, "drawn", Role.SUPERVISOR, [])
    db.commit()

    def grants(_db: Session, who: User) -> list[CameraGrant]:
        return [CameraGrant(events.a.camera.id, (window,), window.end + timedelta(days=30),
                            "batch 1")] if who.id == user.id else []

    return load_scope(db, user, window.start, (grants,))


def ids_of(db: Session, scope: Scope, wanted: EventFilter = EventFilter()) -> list[int]:
    return [view.id for view in list_events(db, scope, wanted)]


def test_a_user_sees_the_events_of_their_sites_newest_first(db: Session,
                                                            events: Events) -> None:
    scope = operator_of(db, events)
    assert ids_of(db, scope) == [events.ids[k] for k in ("late", "phone", "first")]


@pytest.mark.parametrize(("wanted", "expected"), [
    (EventFilter(kind=EventKind.PHONE), ["phone"]),
    (EventFilter(open_only=True), ["phone"]),
    (EventFilter(since=T0 + 10 * MINUTE), ["late", "phone"]),
    (EventFilter(since=(T0 + 10 * MINUTE).replace(tzinfo=None)), ["late", "phone"]),  # naive: UTC
    (EventFilter(limit=1), ["late"]),
    (EventFilter(camera_id=-1), []),
])
def test_the_filters_narrow_the_list(db: Session, events: Events, wanted: EventFilter,
                                     expected: list[str]) -> None:
    assert ids_of(db, operator_of(db, events), wanted) == [events.ids[k] for k in expected]


def test_a_drawn_supervisor_sees_only_events_overlapping_the_window(db: Session,
                                                                   events: Events) -> None:
    scope = drawn_for(db, events, Window(T0 + MINUTE, T0 + 30 * MINUTE))
    assert ids_of(db, scope) == [events.ids["phone"], events.ids["first"]]  # first ends at +2
    assert get_event(db, scope, events.ids["phone"]).id == events.ids["phone"]
    with pytest.raises(Forbidden, match="only within the granted windows"):
        get_event(db, scope, events.ids["late"])
    with pytest.raises(Forbidden, match="only within the granted windows"):
        snapshot(db, scope, None, events.ids["first"])  # it opened before the window


def test_an_event_out_of_scope_is_as_unknown_as_a_missing_one(db: Session,
                                                              events: Events) -> None:
    scope = operator_of(db, events)
    for event_id in (events.ids["other"], 999_999):
        with pytest.raises(NotFound, match=f"event {event_id} does not exist or is not yours"):
            get_event(db, scope, event_id)
        with pytest.raises(NotFound):
            snapshot(db, scope, None, event_id)  # access first: not "no store"


class OneSnapshot:
    """The one stored picture (the adapter's ``read``, nothing else)."""

    def read(self, key: str, version_id: str) -> bytes:
        assert (key, version_id) == ("snapshots/1.jpg", "v1")
        return b"\xff\xd8 jpeg"


def test_a_snapshot_is_read_from_the_store_and_its_download_audited(db: Session,
                                                                    events: Events) -> None:
    scope = operator_of(db, events)
    store = cast(ObjectStore, OneSnapshot())
    with pytest.raises(StoreNotConfigured, match="snapshots need the object store"):
        snapshot(db, scope, None, events.ids["first"])
    with pytest.raises(NotFound, match="has no snapshot"):
        snapshot(db, scope, store, events.ids["phone"])
    jpeg = snapshot(db, scope, store, events.ids["first"])
    assert jpeg == b"\xff\xd8 jpeg"
    audited = db.scalars(select(AuditEntry).where(AuditEntry.action == "event.snapshot")).all()
    assert [(e.target, e.detail["camera"]) for e in audited] == [
        (f"event:{events.ids['first']}", events.a.camera.id)]


def test_the_open_events_of_the_watched_cameras_oldest_first(db: Session,
                                                            events: Events) -> None:
    cameras = {events.a.camera.id, events.b.camera.id}
    assert [v.id for v in open_events(db, cameras)] == [events.ids["phone"],
                                                        events.ids["other"]]
    assert open_events(db, set()) == []
