"""Review, findings, coverage and gap explanations through the real app: who may call them
(drawn supervisors and administrators; others 403, a missing batch 404), the bodies, and
hostile input answered with a clear 4xx."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from support.batches import World, build_world
from support.console import app_db, create_users, login
from support.review import add_event, add_segments, drawn_for_both_rooms, ms

DAY = "2026-03-02"
JSON = {"Content-Type": "application/json"}


@dataclass(frozen=True)
class Site:
    """The batch and the logins of everyone who asks about it."""

    world: World
    batch: int
    event: int
    headers: dict[str, dict[str, str]]


@pytest.fixture
def site(client: TestClient) -> Site:
    admin = login(client, "root")
    with app_db(client) as db:
        world = build_world(db)
    ids = create_users(client, admin, [("sup", "supervisor", []),
                                       ("op", "org_operator", [world.site]),
                                       ("other", "supervisor", [])])
    with app_db(client) as db:
        batch = drawn_for_both_rooms(db, world, ids["sup"])
        event = add_event(db, world.cameras[0], f"{DAY} 09:30")
        add_segments(db, world.cameras[0], ms(f"{DAY} 09:00"), ms(f"{DAY} 10:00"))
    headers = {"admin": admin} | {name: login(client, name) for name in ids}
    return Site(world, batch, event, headers)


def test_the_review_queue_and_a_verdict(client: TestClient, site: Site) -> None:
    url = f"/api/batches/{site.batch}"
    put = client.put(f"{url}/events/{site.event}/review", headers=site.headers["sup"],
                     json={"decision": "dismissed", "note": "是计算器"})
    assert put.status_code == 200, put.text
    assert put.json()["decision"] == "dismissed" and put.json()["note"] == "是计算器"
    mine = client.get(f"{url}/review", headers=site.headers["sup"]).json()
    assert [(i["event"]["id"], i["state"], i["counted"]) for i in mine] == [
        (site.event, "dismissed", True)]
    seen_by_admin = client.get(f"{url}/review", headers=site.headers["admin"]).json()
    assert seen_by_admin[0]["state"] == "unreviewed"
    assert [(o["username"], o["drawn"]) for o in seen_by_admin[0]["others"]] == [("sup", True)]


def test_findings_are_added_and_listed(client: TestClient, site: Site) -> None:
    url = f"/api/batches/{site.batch}/findings"
    body = {"camera_ids": [site.world.cameras[1]], "starts_at": f"{DAY}T09:10:00+08:00",
            "ends_at": f"{DAY}T09:12:30+08:00", "category": "考场布置", "severity": "一般",
            "note": "座位间距不足"}
    added = client.post(url, headers=site.headers["sup"], json=body)
    assert added.status_code == 201, added.text
    assert added.json()["starts_at"].startswith(f"{DAY}T01:10:00")
    outside = client.post(url, headers=site.headers["sup"],
                          json=body | {"ends_at": f"{DAY}T11:00:01+08:00"})
    assert outside.status_code == 400 and "session window" in outside.json()["detail"]
    stranger = client.post(url, headers=site.headers["sup"], json=body | {"camera_ids": [999]})
    assert stranger.status_code == 400 and "not cameras of batch" in stranger.json()["detail"]
    listed = client.get(url, headers=site.headers["admin"]).json()
    assert [f["id"] for f in listed] == [added.json()["id"]]


def test_coverage_and_explaining_its_gaps(client: TestClient, site: Site) -> None:
    url = f"/api/batches/{site.batch}"
    coverage = client.get(f"{url}/coverage", headers=site.headers["sup"]).json()
    assert coverage["tolerance_seconds"] == 2.0 and coverage["unexplained_gaps"] == 2
    windows = coverage["windows"]
    assert [w["covered_seconds"] for w in windows] == [3600, 0]
    for window in windows:
        for gap in window["gaps"]:
            explained = client.post(f"{url}/gaps/explanations", headers=site.headers["sup"],
                                    json={"camera_id": gap["camera_id"],
                                          "starts_at": gap["start"], "ends_at": gap["end"],
                                          "explanation": "考点断电"})
            assert explained.status_code == 201, explained.text
    after = client.get(f"{url}/coverage", headers=site.headers["admin"]).json()
    assert after["unexplained_gaps"] == 0 and len(after["explanations"]) == 2
    assert after["explanations"][0]["explained_by"].startswith("user:")


CALLS: list[tuple[str, str, dict[str, object] | None]] = [
    ("get", "review", None), ("put", "events/{event}/review", {"decision": "confirmed"}),
    ("get", "findings", None), ("get", "coverage", None),
    ("post", "findings", {"camera_ids": [1], "starts_at": f"{DAY}T09:10:00+08:00",
                          "ends_at": f"{DAY}T09:11:00+08:00", "category": "安全",
                          "severity": "一般", "note": "x"}),
    ("post", "gaps/explanations", {"camera_id": 1, "starts_at": f"{DAY}T09:10:00+08:00",
                                   "ends_at": f"{DAY}T09:11:00+08:00", "explanation": "x"}),
]


def test_only_reviewers_may_call(client: TestClient, site: Site) -> None:
    for method, path, body in CALLS:  # one app for every route (starting one is slow)
        route = path.format(event=site.event)
        url = f"/api/batches/{site.batch}/{route}"
        operator = client.request(method, url, headers=site.headers["op"], json=body)
        assert operator.status_code == 403 and "may not review" in operator.json()["detail"]
        other = client.request(method, url, headers=site.headers["other"], json=body)
        assert other.status_code == 403 and "may not see batch" in other.json()["detail"]
        missing = client.request(method, f"/api/batches/999/{route}",
                                 headers=site.headers["admin"], json=body)
        assert missing.status_code == 404, (method, path)
    client.cookies.clear()  # the logins left a session cookie
    for method, path, body in CALLS:
        url = f"/api/batches/{site.batch}/{path.format(event=site.event)}"
        assert client.request(method, url, json=body).status_code == 401


HOSTILE: list[tuple[str, str, dict[str, object], int]] = [
    ("put", "events/{event}/review", {"decision": "deleted"}, 422),
    ("put", "events/{event}/review", {"decision": "confirmed", "note": "x" * 5000}, 422),
    ("put", "events/{event}/review", {"decision": "dismissed"}, 400),  # no note
    ("put", "events/{event}/review", {"decision": "confirmed", "note": "a\u0000b"}, 400),
    ("put", "events/99999999999999999999/review", {"decision": "confirmed"}, 422),
    ("put", "events/12345/review", {"decision": "confirmed"}, 404),
    ("post", "findings", {"camera_ids": [1], "starts_at": f"{DAY}T09:10:00",
                          "ends_at": f"{DAY}T09:11:00+08:00", "category": "安全",
                          "severity": "一般", "note": "x"}, 422),  # no zone offset
    ("post", "findings", {"camera_ids": [1], "starts_at": f"{DAY}T09:10:00.5+08:00",
                          "ends_at": f"{DAY}T09:11:00+08:00", "category": "安全",
                          "severity": "一般", "note": "x"}, 400),  # not to the second
    ("post", "findings", {"camera_ids": [1], "starts_at": f"{DAY}T09:10:00+08:00",
                          "ends_at": f"{DAY}T09:11:00+08:00", "category": "其他",
                          "severity": "一般", "note": "x"}, 422),
    ("post", "findings", {"camera_ids": [1] * 40, "starts_at": f"{DAY}T09:10:00+08:00",
                          "ends_at": f"{DAY}T09:11:00+08:00", "category": "安全",
                          "severity": "一般", "note": "x"}, 422),
    ("post", "gaps/explanations", {"camera_id": float("nan"), "starts_at": f"{DAY}T09:10:00Z",
                                   "ends_at": f"{DAY}T09:11:00Z", "explanation": "x"}, 422),
    ("post", "gaps/explanations", {"camera_id": 1, "starts_at": "99999-01-01T00:00:00Z",
                                   "ends_at": f"{DAY}T09:11:00Z", "explanation": "x"}, 422),
]


def test_hostile_input_gets_a_clear_4xx(client: TestClient, site: Site) -> None:
    camera = site.world.cameras[0]
    for method, path, body, code in HOSTILE:
        raw = json.dumps(body).replace('"camera_ids": [1]', f'"camera_ids": [{camera}]')
        url = f"/api/batches/{site.batch}/{path.format(event=site.event)}"
        response = client.request(method, url, headers=site.headers["sup"] | JSON, content=raw)
        assert response.status_code == code, (path, body, response.text)
        assert response.json()["detail"]
