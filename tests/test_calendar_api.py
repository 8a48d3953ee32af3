"""The working calendar over REST: reading a year, entering one (administrators, audited,
once), and failing closed for a year nobody entered."""

from __future__ import annotations

from fastapi.testclient import TestClient
from support.console import login

NOTICE = "国务院办公厅关于2027年部分节假日安排的通知 (test)"
NEW_YEAR = {"day": "2027-01-01", "kind": "holiday", "name": "元旦"}


def test_a_seeded_year_reads_with_its_days(client: TestClient) -> None:
    admin = login(client, "root")
    year = client.get("/api/calendar/2026", headers=admin)
    assert year.status_code == 200, year.text
    body = year.json()
    assert "2025-11-04" in body["source_notice"]
    assert {"day": "2026-10-01", "kind": "holiday", "name": "国庆节"} in body["days"]
    assert any(day["kind"] == "makeup_workday" for day in body["days"])


def test_a_year_not_entered_is_refused_until_an_administrator_enters_it(
        client: TestClient) -> None:
    admin = login(client, "root")
    missing = client.get("/api/calendar/2027", headers=admin)
    assert missing.status_code == 409 and "2027" in missing.json()["detail"]

    entered = client.post("/api/calendar/2027", headers=admin,
                          json={"source_notice": NOTICE, "days": [NEW_YEAR]})
    assert entered.status_code == 201, entered.text
    assert entered.json()["days"] == [NEW_YEAR] and entered.json()["entered_by"].startswith("user:")
    audit = client.get("/api/audit", headers=admin,
                       params={"action": "calendar.year_entered"}).json()
    assert any(entry["target"] == "calendar_year:2027" for entry in audit)

    again = client.post("/api/calendar/2027", headers=admin,
                        json={"source_notice": NOTICE, "days": [NEW_YEAR]})
    assert again.status_code == 409 and "already entered" in again.json()["detail"]


def test_bad_years_and_days_get_a_clear_4xx(client: TestClient) -> None:
    admin = login(client, "root")
    assert client.get("/api/calendar/99999999999999999999", headers=admin).status_code == 422
    assert client.post("/api/calendar/2027", headers=admin,
                       json={"source_notice": NOTICE, "days": []}).status_code == 422
    outside = client.post("/api/calendar/2027", headers=admin, json={
        "source_notice": NOTICE, "days": [{"day": "2029-05-01", "kind": "holiday",
                                           "name": "劳动节"}]})
    assert outside.status_code == 400, outside.text
    client.cookies.clear()  # the login's cookie: ask as nobody
    assert client.get("/api/calendar/2026").status_code == 401
