"""A province-sized database for ``proctor bench oversight``: 1 province, 10 cities, 10
districts each, 3 organisations per district (each with a site, a room, 2 cameras), N
batches spread over the organisations and over every state, one session each, one-hour
recordings of S-second segments for every batch that has started (a tenth of them with a
ten-minute gap), 3 alerts per started batch, and complaints in every state.

Rows of the directory and batches go through the ORM; segments and events are generated
by PostgreSQL itself (``generate_series``): millions of rows in seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from proctor import directory
from proctor.actor import Actor
from proctor.db.complaints import Complaint, ComplaintChannel, ComplaintState
from proctor.db.models import Camera, Role, Room, Segment, Site
from proctor.db.organisations import Organisation, OrganisationKind, Region, RegionLevel
from proctor.organisations.grants import grant_region
from proctor.supervision.calendar import CalendarDay, DayKind
from proctor.supervision.calendar_service import enter_year
from proctor.supervision.china_time import china_day
from proctor.supervision.records import Batch, ExamSession, SessionRoom
from proctor.supervision.report.terms import Level, Mode
from proctor.supervision.states import BatchState

PROVINCE, CITY, DISTRICT = "350000", "350200", "350203"
PASSWORD = "bench-password-1234"
ACTOR = Actor.cli("bench")
USERS = {"province": PROVINCE, "city": CITY, "district": DISTRICT}
_STARTED = {BatchState.IN_PROGRESS, BatchState.ENDED, BatchState.REPORT_SIGNED,
            BatchState.PUBLICITY, BatchState.RESULTS_FILED, BatchState.ACCEPTED,
            BatchState.NOT_ACCEPTED}
_SEGMENTS = text("""
INSERT INTO segments (camera_id, start_ms, end_ms, agent_start_ms, clock_offset_ms, size,
                      sha256, object_key, version_id, retain_until, prev_hash, chain_hash,
                      received_at)
SELECT c.id, w.start_ms + g * :ms, w.start_ms + (g + 1) * :ms, w.start_ms + g * :ms, 0,
       1000000, md5(c.id || ':' || g) || md5(g || ':' || c.id), 'bench/' || c.id || '/' || w.id
       || '/' || g, 'v', s.ends_at + interval '5 years', md5('p' || c.id || ':' || w.id || ':'
       || g) || md5(w.id || ''), md5('h' || c.id || ':' || w.id || ':' || g) || md5(c.id || ''),
       s.ends_at
FROM exam_sessions s
JOIN (SELECT id, (extract(epoch FROM starts_at) * 1000)::bigint AS start_ms FROM exam_sessions)
     w ON w.id = s.id
JOIN session_rooms r ON r.session_id = s.id
JOIN cameras c ON c.room_id = r.room_id
CROSS JOIN generate_series(0, 3600000 / :ms - 1) g
WHERE s.starts_at < :now AND NOT (s.id % 10 = 3 AND g * :ms >= 1000000 AND g * :ms < 1600000)
""")
_EVENTS = text("""
INSERT INTO events (camera_id, kind, zone, started_at, ended_at, updated_at, severity, peak,
                    explanation)
SELECT c.id, 'headcount', '', s.starts_at + g * interval '10 minutes',
       s.starts_at + g * interval '10 minutes' + interval '30 seconds', s.starts_at, 0.5,
       '{}', '{}'
FROM exam_sessions s JOIN session_rooms r ON r.session_id = s.id
JOIN cameras c ON c.room_id = r.room_id AND c.name = 'cam 1'
CROSS JOIN generate_series(1, 3) g
WHERE s.starts_at < :now
""")


@dataclass(frozen=True)
class Seeded:
    """What was seeded."""

    cities: int
    districts: int
    organisations: int
    batches: int
    segments: int
    events: int
    complaints: int
    provisional_year: int | None  # a year entered provisionally (New Year's Day only)


def _regions(db: Session) -> list[str]:
    """The province, its cities and their districts; returns the district codes."""
    db.add(Region(code=PROVINCE, name="福建省", level=RegionLevel.PROVINCE))
    districts = []
    for c in range(1, 11):
        city = f"35{c:02d}00"
        db.add(Region(code=city, name=f"第{c}市", level=RegionLevel.CITY, parent_code=PROVINCE))
        for d in range(1, 11):
            districts.append(f"35{c:02d}{d:02d}")
            db.add(Region(code=districts[-1], name=f"第{c}市第{d}区",
                          level=RegionLevel.DISTRICT, parent_code=city))
    db.flush()
    return districts


def _organisations(db: Session, districts: list[str]) -> list[tuple[int, int]]:
    """Three organisations per district, each with a site, room and 2 cameras; returns
    (organisation id, room id) pairs (one flush per table)."""
    kinds = list(OrganisationKind)
    orgs = [Organisation(name=f"认定机构{n}", kind=kinds[n % 3], region_code=district)
            for n, district in enumerate(d for d in districts for _ in range(3))]
    db.add_all(orgs)
    db.flush()
    sites = [Site(name=f"考点{org.id}", organisation_id=org.id) for org in orgs]
    db.add_all(sites)
    db.flush()
    rooms = [Room(name="第1考场", site_id=site.id) for site in sites]
    db.add_all(rooms)
    db.flush()
    db.add_all(Camera(room_id=room.id, name=f"cam {n}") for room in rooms for n in (1, 2))
    db.flush()
    return [(org.id, room.id) for org, room in zip(orgs, rooms, strict=True)]


def _batches(db: Session, places: list[tuple[int, int]], count: int, now: datetime) -> None:
    states = list(BatchState)
    for i in range(count):
        organisation_id, room_id = places[i % len(places)]
        turn = i // len(places)  # the organisation's turn: its sessions never overlap
        state = states[(i + turn) % len(states)]
        start = (now - timedelta(days=turn, minutes=30) if state is BatchState.IN_PROGRESS
                 else now + timedelta(days=turn + 1) if state not in _STARTED
                 else now - timedelta(days=turn + 2, hours=-3))
        publicity = (china_day(start) + timedelta(days=3)
                     if state in {BatchState.PUBLICITY, BatchState.RESULTS_FILED,
                                  BatchState.ACCEPTED, BatchState.NOT_ACCEPTED} else None)
        db.add(Batch(organisation_id=organisation_id, occupation_name="电工",
                     occupation_code="6-31-01-03", level=Level.FOUR, mode=Mode.PRACTICAL,
                     state=state, publicity_started_on=publicity, created_by=str(ACTOR),
                     sessions=[ExamSession(name="第1场", starts_at=start,
                                           ends_at=start + timedelta(hours=1),
                                           rooms=[SessionRoom(room_id=room_id,
                                                              expected_examinees=30)])]))
        if i % 500 == 499:
            db.flush()
    db.flush()


def _complaints(db: Session, places: list[tuple[int, int]], batches: int, today: date) -> int:
    states = list(ComplaintState)
    count = batches // 5
    for i in range(count):
        db.add(Complaint(tracking_code=f"BENCH{i:08d}", organisation_id=places[i % len(places)][0],
                         text="怀疑替考", channel=ComplaintChannel.PHONE, state=states[i % 5],
                         registered_by=str(ACTOR), first_review_due=today + timedelta(i % 9 - 4),
                         resolution_due=today + timedelta(i % 11 - 5)))
    db.flush()
    return count


def seed(db: Session, batches: int, now: datetime, segment_s: int = 10) -> Seeded:
    """Seed everything (see the module docstring) and the three oversight users."""
    today = china_day(now)
    provisional = None
    if (today + timedelta(days=60)).year != today.year:  # the deadlines reach next year
        provisional = today.year + 1
        enter_year(db, ACTOR, provisional, [CalendarDay(date(provisional, 1, 1),
                                                         DayKind.HOLIDAY, "元旦")],
                   "bench: provisional (New Year's Day only)")
    districts = _regions(db)
    places = _organisations(db, districts)
    _batches(db, places, batches, now)
    db.execute(_SEGMENTS, {"now": now, "ms": segment_s * 1000})
    db.execute(_EVENTS, {"now": now})
    complaints = _complaints(db, places, batches, today)
    for name, region in USERS.items():
        user = directory.create_user(db, ACTOR, name, PASSWORD, Role.AUDITOR)
        grant_region(db, ACTOR, user.id, region)
    segments = db.scalar(select(func.count()).select_from(Segment)) or 0
    events = db.scalar(text("SELECT count(*) FROM events")) or 0
    return Seeded(10, len(districts), len(places), batches, segments, events, complaints,
                  provisional)
