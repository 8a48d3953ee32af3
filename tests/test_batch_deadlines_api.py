"""GET /api/batches/{id}/deadlines: the plan-filing deadline in working days once a batch has
a session (counted back from the first session day by the organisation's kind), nothing yet
for publicity and results before publicity starts, a year the calendar lacks named instead of
a guess, and the batch's scope as on the other batch routes."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from support.batches import build_world, planned_batch
from support.console import PASSWORD, app_db, login

from proctor.db.base import utcnow
from proctor.db.organisations import OrganisationKind
from proctor.supervision.china_time import china_day


def test_plan_filing_is_due_15_working_days_before_the_first_session(
        client: TestClient) -> None:
    admin = login(client, "root")
    with app_db(client) as db:
        world = build_world(db)
        batch = planned_batch(db, world, start="2026-12-28 09:00", end="2026-12-28 11:00").id
    steps = client.get(f"/api/batches/{batch}/deadlines", headers=admin).json()
    assert [s["step"] for s in steps] == ["plan_filing"]
    plan = steps[0]
    # Mon 28 Dec back 15 working days (no holiday in December 2026): Mon 7 Dec
    assert plan["due"] == "2026-12-07" and plan["year_missing"] is None
    today = china_day(utcnow())
    assert plan["status"] == ("not_yet_due" if today <= date(2026, 12, 7) else "missing")
    assert plan["flagged"] == (plan["status"] == "missing")
    assert "2026-12-07" in plan["zh"] and "认定实施计划备案" in plan["zh"]


def test_colleges_have_10_working_days(client: TestClient) -> None:
    admin = login(client, "root")
    with app_db(client) as db:
        world = build_world(db, OrganisationKind.COLLEGE, name="厦门某某技师学院")
        batch = planned_batch(db, world, start="2026-12-28 09:00", end="2026-12-28 11:00").id
    plan = client.get(f"/api/batches/{batch}/deadlines", headers=admin).json()[0]
    assert plan["due"] == "2026-12-14"


def test_a_year_not_entered_is_named_not_guessed(client: TestClient) -> None:
    admin = login(client, "root")
    with app_db(client) as db:
        world = build_world(db)
        batch = planned_batch(db, world, start="2027-06-14 09:00", end="2027-06-14 11:00").id
    response = client.get(f"/api/batches/{batch}/deadlines", headers=admin)
    assert response.status_code == 200, response.text
    plan = response.json()[0]
    assert (plan["due"], plan["status"], plan["year_missing"]) == (None, None, 2027)
    assert plan["flagged"] and "2027" in plan["zh"] and "2027" in plan["en"]


def test_no_session_no_deadline_and_scope_applies(client: TestClient) -> None:
    admin = login(client, "root")
    with app_db(client) as db:
        world = build_world(db)
    created = client.post("/api/batches", headers=admin, json={
        "organisation_id": world.organisation, "occupation_name": "车工",
        "occupation_code": "6-18-01-01", "level": "四级", "mode": "操作技能考核"})
    batch = created.json()["id"]
    assert client.get(f"/api/batches/{batch}/deadlines", headers=admin).json() == []
    client.post("/api/users", headers=admin, json={
        "username": "stranger", "password": PASSWORD, "role": "supervisor", "site_ids": []})
    stranger = login(client, "stranger")
    hidden = client.get(f"/api/batches/{batch}/deadlines", headers=stranger)
    assert hidden.status_code == 403 and "may not see batch" in hidden.json()["detail"]
    assert client.get("/api/batches/999999/deadlines", headers=admin).status_code == 404
