"""三级 oversight through the app: region summaries and batch pages scoped at each level
(a district user never sees a neighbour's data, a city user its districts, a province
user its cities; site grants and operators oversee nothing), the notifications list, the
coverage aggregate, and the notifier's log line (sent once).

The world (committed through the ORM around the real clock): 福建省 → 厦门市 (思明区 with
organisation A, 湖里区 with B) and 福州市 (鼓楼区 with C). A has a draft whose plan is
overdue, a batch in publicity whose results are overdue and one running now with a
camera, half its elapsed hour recorded and one alert; B an ended batch whose report is
overdue and an overdue complaint; C a filed batch; A a complaint due tomorrow and a
closed one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from support.console import PASSWORD, console_client, login
from support.drawn import ADMIN
from support.places import build_place

from proctor import directory
from proctor.auth.grants import epoch_ms
from proctor.db.base import utcnow
from proctor.db.complaints import Complaint, ComplaintChannel, ComplaintState
from proctor.db.models import Event, Role, Segment, User
from proctor.db.organisations import OrganisationKind
from proctor.db.session import session_scope
from proctor.organisations.grants import grant_region
from proctor.organisations.organisations import create_organisation
from proctor.organisations.regions import create_region
from proctor.oversight.coverage_totals import refresh_round
from proctor.oversight.cutoffs import Rules
from proctor.oversight.dispatch import DispatchRules, dispatch_once
from proctor.oversight.models import NoticeSent
from proctor.oversight.notifier import LoggingNotifier
from proctor.services import services_of
from proctor.supervision.calendar import CalendarDay, DayKind
from proctor.supervision.calendar_service import enter_year
from proctor.supervision.china_time import china_day
from proctor.supervision.records import Batch, ExamSession, SessionRoom
from proctor.supervision.report.terms import Level, Mode
from proctor.supervision.states import BatchState

FUJIAN, XIAMEN, SIMING, HULI, FUZHOU, GULOU = ("350000", "350200", "350203", "350206",
                                               "350100", "350102")
Headers = dict[str, str]


@dataclass(frozen=True)
class World:
    """Ids of the world's rows."""

    organisations: dict[str, int]  # "A", "B", "C"
    batches: dict[str, int]  # "plan", "results", "running", "report", "filed"
    camera_id: int


def _batch(db: Session, organisation_id: int, state: BatchState,
           window: tuple[datetime, datetime] | None = None, room_id: int | None = None,
           publicity: date | None = None) -> int:
    batch = Batch(organisation_id=organisation_id, occupation_name="电工",
                  occupation_code="6-31-01-03", level=Level.FOUR, mode=Mode.PRACTICAL,
                  state=state, publicity_started_on=publicity, created_by="test")
    if window is not None:
        batch.sessions.append(ExamSession(name="第1场", starts_at=window[0], ends_at=window[1],
                                          rooms=[SessionRoom(room_id=room_id)] if room_id
                                          else []))
    db.add(batch)
    db.flush()
    return batch.id


def _complaint(db: Session, organisation_id: int, code: str, state: ComplaintState,
               due: date) -> None:
    db.add(Complaint(tracking_code=code, organisation_id=organisation_id, text="代考嫌疑",
                     complainant_name="李某", complainant_contact="13800000000",
                     channel=ComplaintChannel.ONLINE, state=state, registered_by="system:public",
                     first_review_due=due))


def _next_year(db: Session, today: date) -> None:
    """Near the year's end the horizon reaches next year: enter it provisionally, as an
    administrator would (New Year's Day only)."""
    year = (today + timedelta(days=60)).year
    if year != today.year:
        enter_year(db, ADMIN, year, [CalendarDay(date(year, 1, 1), DayKind.HOLIDAY, "元旦")],
                   "test: provisional")


def _users(db: Session, site_id: int) -> None:
    for name, role, region in (("siming", Role.SUPERVISOR, SIMING),
                               ("huli", Role.SUPERVISOR, HULI),
                               ("xiamen", Role.AUDITOR, XIAMEN),
                               ("fujian", Role.COMPLAINT_OFFICER, FUJIAN),
                               ("siming_op", Role.ORG_OPERATOR, SIMING)):
        user = directory.create_user(db, ADMIN, name, PASSWORD, role)
        grant_region(db, ADMIN, user.id, region)
    directory.create_user(db, ADMIN, "operator", PASSWORD, Role.ORG_OPERATOR, site_ids=[site_id])
    directory.create_user(db, ADMIN, "officer_a", PASSWORD, Role.COMPLAINT_OFFICER,
                          site_ids=[site_id])


def build_world(db: Session, now: datetime) -> World:
    """The world of the module docstring, flushed."""
    today = china_day(now)
    _next_year(db, today)
    for code, name in ((FUJIAN, "福建省"), (XIAMEN, "厦门市"), (SIMING, "思明区"),
                       (HULI, "湖里区"), (FUZHOU, "福州市"), (GULOU, "鼓楼区")):
        create_region(db, ADMIN, code, name)
    orgs = {key: create_organisation(db, ADMIN, f"机构{key}", OrganisationKind.ENTERPRISE,
                                     district).id
            for key, district in (("A", SIMING), ("B", HULI), ("C", GULOU))}
    place = build_place(db, "A")
    place.site.organisation_id = orgs["A"]
    build_place(db, "B").site.organisation_id = orgs["B"]  # the scope of batches is by site
    hour = timedelta(hours=1)
    batches = {
        "plan": _batch(db, orgs["A"], BatchState.DRAFT, (now + 2 * 24 * hour, now + 50 * hour)),
        "results": _batch(db, orgs["A"], BatchState.PUBLICITY, publicity=today - timedelta(90)),
        "running": _batch(db, orgs["A"], BatchState.IN_PROGRESS, (now - hour, now + hour),
                          place.camera.room_id),
        "report": _batch(db, orgs["B"], BatchState.ENDED,
                         (now - 40 * 24 * hour, now - 39 * 24 * hour)),
        "filed": _batch(db, orgs["C"], BatchState.FILED, (now + 60 * 24 * hour,
                                                          now + 61 * 24 * hour)),
    }
    start = epoch_ms(now - hour)
    db.add_all(Segment(camera_id=place.camera.id, start_ms=start + i * 10_000,
                       end_ms=start + (i + 1) * 10_000, agent_start_ms=start + i * 10_000,
                       clock_offset_ms=0, size=1, sha256="0" * 64, object_key=f"k{i}",
                       version_id="v", retain_until=now, prev_hash=f"{i:064d}",
                       chain_hash=f"{i + 1:064d}") for i in range(180))  # 30 of 60 minutes
    db.add(Event(camera_id=place.camera.id, kind="headcount", started_at=now - hour / 2,
                 ended_at=now - hour / 3))
    _complaint(db, orgs["B"], "T-B", ComplaintState.REGISTERED, today - timedelta(days=5))
    _complaint(db, orgs["A"], "T-A", ComplaintState.REGISTERED, today + timedelta(days=1))
    _complaint(db, orgs["A"], "T-A2", ComplaintState.CLOSED, today - timedelta(days=9))
    _users(db, place.site.id)
    db.flush()
    return World(orgs, batches, place.camera.id)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, World]]:
    """One app and world for the module (building users is slow: passwords are hashed)."""
    with console_client(tmp_path_factory.mktemp("oversight")) as app_client:
        factory = services_of(app_client.app).session_factory  # type: ignore[arg-type]
        with session_scope(factory) as db:
            built = build_world(db, utcnow())
        yield app_client, built


@pytest.fixture
def client(served: tuple[TestClient, World]) -> TestClient:
    return served[0]


@pytest.fixture
def world(served: tuple[TestClient, World]) -> World:
    return served[1]


def _summary(client: TestClient, code: str, who: Headers) -> dict[str, Any]:
    response = client.get(f"/api/oversight/regions/{code}", headers=who)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _children(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    rows = body["children"]
    assert isinstance(rows, list)
    return {row["name"]: row["counts"] for row in rows}


def test_a_district_user_sees_its_district_and_never_a_neighbour(
        client: TestClient, world: World) -> None:
    siming = login(client, "siming")
    body = _summary(client, SIMING, siming)
    assert body["children_are"] == "organisations"
    assert list(_children(body)) == ["机构A"]
    total = body["total"]
    assert isinstance(total, dict)
    assert total["batches"] == 3
    assert total["overdue"] == {"plan_filing": 1, "report_signing": 0, "results_filing": 1}
    assert (total["complaints_open"], total["complaints_overdue"]) == (1, 0)
    for other in (HULI, XIAMEN, FUJIAN, GULOU):
        refused = client.get(f"/api/oversight/regions/{other}", headers=siming)
        assert refused.status_code == 403, other
        assert f"may not oversee region {other}" in refused.json()["detail"]
        assert SIMING in refused.json()["detail"]  # says what the user may oversee
        assert client.get(f"/api/oversight/regions/{other}/batches",
                          headers=siming).status_code == 403
    huli = _summary(client, HULI, login(client, "huli"))
    assert (huli["total"]["batches"], huli["total"]["complaints_overdue"]) == (1, 1)
    assert "机构A" not in str(huli)


def test_a_city_user_sees_its_districts_a_province_user_its_cities(
        client: TestClient, world: World) -> None:
    city = _summary(client, XIAMEN, login(client, "xiamen"))
    rows = _children(city)
    assert list(rows) == ["思明区", "湖里区"]
    assert rows["思明区"]["batches"] == 3 and rows["湖里区"]["batches"] == 1
    assert rows["湖里区"]["overdue"] == {"plan_filing": 0, "report_signing": 1,
                                       "results_filing": 0}
    assert city["total"]["overdue_total"] == 3
    assert client.get(f"/api/oversight/regions/{FUZHOU}",
                      headers=login(client, "xiamen")).status_code == 403
    fujian = login(client, "fujian")
    province = _summary(client, FUJIAN, fujian)
    rows = _children(province)
    assert list(rows) == ["福州市", "厦门市"]
    assert rows["福州市"]["batches_by_state"]["filed"] == 1
    assert rows["厦门市"]["complaints_open"] == 2
    assert province["total"]["batches"] == 5
    assert _summary(client, SIMING, fujian)["total"]["batches"] == 3


def test_site_grants_operators_and_unknown_regions_are_refused(
        client: TestClient, world: World) -> None:
    for name in ("operator", "siming_op"):  # a site grant; an operator's role
        refused = client.get(f"/api/oversight/regions/{SIMING}", headers=login(client, name))
        assert refused.status_code == 403, name
    admin = login(client, "root")
    assert _summary(client, FUJIAN, admin)["total"]["batches"] == 5
    missing = client.get("/api/oversight/regions/360000", headers=admin)
    assert missing.status_code == 404 and "360000" in missing.json()["detail"]
    bad = client.get("/api/oversight/regions/abc", headers=admin)
    assert bad.status_code == 400 and "six digits" in bad.json()["detail"]


def test_the_batch_page_filters_sorts_pages_and_shows_coverage_and_alerts(
        client: TestClient, world: World) -> None:
    siming = login(client, "siming")
    url = f"/api/oversight/regions/{SIMING}/batches"
    page = client.get(url, headers=siming).json()
    assert page["total"] == 3
    assert [item["id"] for item in page["items"]] == sorted(
        world.batches[k] for k in ("plan", "results", "running"))
    overdue = client.get(url, headers=siming, params={"overdue": "true"}).json()
    assert {(i["id"], tuple(i["overdue"])) for i in overdue["items"]} == {
        (world.batches["plan"], ("plan_filing",)),
        (world.batches["results"], ("results_filing",))}
    running = client.get(url, headers=siming, params={"state": "in_progress"}).json()["items"]
    assert [i["id"] for i in running] == [world.batches["running"]]
    assert running[0]["alerts"] == 1 and running[0]["coverage_ratio"] is None
    factory = services_of(client.app).session_factory  # type: ignore[arg-type]
    assert refresh_round(factory, timedelta(hours=24)) >= 1
    line = client.get(url, headers=siming, params={"state": "in_progress"}).json()["items"][0]
    assert line["coverage_ratio"] == pytest.approx(0.5, abs=0.01)
    second = client.get(url, headers=siming, params={"per_page": 2, "page": 2,
                                                     "sort": "-id"}).json()
    assert [i["id"] for i in second["items"]] == [min(world.batches[k] for k in (
        "plan", "results", "running"))]
    wrong = client.get(url, headers=siming, params={"per_page": 1000, "sort": "name"})
    assert wrong.status_code == 422


def test_notifications_follow_the_scope_and_the_role(client: TestClient, world: World) -> None:
    def items(name: str) -> set[tuple[str, int, str]]:
        response = client.get("/api/notifications", headers=login(client, name))
        assert response.status_code == 200, response.text
        return {(i["subject"], i["subject_id"], i["stage"]) for i in response.json()["items"]}

    a_batches = {("batch", world.batches["plan"], "overdue"),
                 ("batch", world.batches["results"], "overdue")}
    assert items("operator") == a_batches  # its organisation's batches, no complaints
    officer = items("officer_a")
    assert a_batches <= officer
    assert {s for s in officer if s[0] == "complaint"} == {("complaint", 2, "due_soon")}
    everything = items("fujian")
    assert ("batch", world.batches["report"], "overdue") in everything
    assert {s for s in everything if s[0] == "complaint"} == {("complaint", 1, "overdue"),
                                                              ("complaint", 2, "due_soon")}
    assert ("batch", world.batches["report"], "overdue") not in items("siming")


def test_the_notifier_logs_each_notice_once_without_personal_data(
        client: TestClient, world: World, caplog: pytest.LogCaptureFixture) -> None:
    services = services_of(client.app)  # type: ignore[arg-type]
    rules = DispatchRules(Rules.of(services.settings), 3, since_days=30)
    with session_scope(services.session_factory) as db:  # the server's own first round
        db.execute(delete(NoticeSent))
        fujian = db.scalar(select(User.id).where(User.username == "fujian"))
    with caplog.at_level(logging.INFO, logger="proctor.oversight.notifier"):
        sent = dispatch_once(services.session_factory, LoggingNotifier(), rules)
    lines = {(r.__dict__["subject"], r.__dict__["subject_id"]): r for r in caplog.records
             if r.name == "proctor.oversight.notifier"}
    # the results deadline (publicity 90 days ago) is older than 30 days: not handed over
    assert sent == len(lines) == 4
    assert set(lines) == {("batch", world.batches["plan"]), ("batch", world.batches["report"]),
                          ("complaint", 1), ("complaint", 2)}
    overdue = lines["complaint", 1]
    assert overdue.getMessage() == ("notice would be sent: 投诉 1 投诉初审 逾期（期限 "
                                    f"{overdue.__dict__['due']}）")
    assert overdue.__dict__["recipient_user_ids"] == [fujian]  # officers only, of 湖里区
    assert overdue.__dict__["channels"] == ["mail", "sms"]
    text = " ".join(f"{r.getMessage()} {r.__dict__}" for r in lines.values())
    for secret in ("李某", "13800000000", "代考嫌疑", "T-B"):
        assert secret not in text
    assert dispatch_once(services.session_factory, LoggingNotifier(), rules) == 0  # once


def test_a_complaint_whose_due_day_could_not_be_counted_is_overdue_not_on_time(
        client: TestClient, world: World) -> None:
    """Fail closed, as the complaint wing flags it calendar_missing: a first review due on a
    day the calendar could not count (its year not entered) is not taken as on time."""
    services = services_of(client.app)  # type: ignore[arg-type]
    huli = login(client, "huli")
    before = _summary(client, HULI, huli)["total"]
    with session_scope(services.session_factory) as db:
        b = db.scalar(select(Complaint.organisation_id).where(Complaint.tracking_code == "T-B"))
        assert b is not None
        db.add(Complaint(tracking_code="T-B-NO-DUE", organisation_id=b, text="代考嫌疑",
                         channel=ComplaintChannel.PHONE, state=ComplaintState.REGISTERED,
                         registered_by="system:public", first_review_due=None))
    try:
        after = _summary(client, HULI, huli)["total"]
        assert (after["complaints_open"], after["complaints_overdue"]) == (
            before["complaints_open"] + 1, before["complaints_overdue"] + 1)
    finally:
        with session_scope(services.session_factory) as db:
            db.execute(delete(Complaint).where(Complaint.tracking_code == "T-B-NO-DUE"))


def test_each_user_is_told_where_their_oversight_starts(client: TestClient,
                                                        world: World) -> None:
    def roots(name: str) -> list[str]:
        response = client.get("/api/oversight/regions", headers=login(client, name))
        assert response.status_code == 200, response.text
        return [region["code"] for region in response.json()]

    assert roots("siming") == [SIMING]
    assert roots("xiamen") == [XIAMEN]
    assert roots("fujian") == [FUJIAN]
    assert roots("root") == [FUJIAN]  # an administrator: every province
    assert roots("siming_op") == [] and roots("operator") == []  # an operator; a site grant


def test_cameras_name_the_district_of_their_site(client: TestClient, world: World) -> None:
    cameras = client.get("/api/cameras", headers=login(client, "siming")).json()
    assert [(c["id"], c["region_code"], c["region"]) for c in cameras] == \
        [(world.camera_id, SIMING, "思明区")]
