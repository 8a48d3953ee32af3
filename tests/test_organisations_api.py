"""Regions, organisations, site attachment and region grants through the real app; the
scope they give; a drawn supervisor's archive limited to the granted windows (403 naming
them); hostile input answered with a clear 4xx."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient
from support.console import build_site, drawn_sites, login, regions_and_org, supervisor
from support.drawn import SIMING

from proctor.auth.grants import epoch_ms
from proctor.errors import NotFound
from proctor.services import services_of


def _no_footage(*_args: object) -> bytes:
    raise NotFound("no footage here")


# the archive of a server that recorded nothing: an allowed request gets this far
NO_FOOTAGE = SimpleNamespace(archive=SimpleNamespace(clip=_no_footage, thumbnail=_no_footage))


def test_a_region_grant_shows_the_sites_of_its_organisations(client: TestClient) -> None:
    admin = login(client, "root")
    org_id = regions_and_org(client, admin)
    ids = build_site(client, admin, "S1")
    user_id = supervisor(client, admin)
    sup = login(client, "sup")
    attached = client.put(f"/api/sites/{ids['site']}/organisation", headers=admin,
                          json={"organisation_id": org_id})
    assert attached.json() == {"id": ids["site"], "name": "S1", "organisation_id": org_id}
    assert client.get("/api/cameras", headers=sup).json() == []
    granted = client.post(f"/api/users/{user_id}/region-grants", headers=admin,
                          json={"region_code": "350200"})
    assert granted.status_code == 201 and granted.json()["name"] == "厦门市"
    assert [c["id"] for c in client.get("/api/cameras", headers=sup).json()] == [ids["camera"]]
    assert [r["code"] for r in client.get(f"/api/users/{user_id}/region-grants",
                                          headers=admin).json()] == ["350200"]
    moved = client.patch(f"/api/organisations/{org_id}", headers=admin,
                         json={"region_code": "350206", "head_name": "张三"})
    assert moved.json()["region_code"] == "350206"
    assert len(client.get("/api/cameras", headers=sup).json()) == 1  # still in 厦门市
    revoked = client.delete(f"/api/users/{user_id}/region-grants/350200", headers=admin)
    assert revoked.status_code == 204
    assert client.get("/api/cameras", headers=sup).json() == []


def test_only_administrators_manage_regions_and_organisations(client: TestClient) -> None:
    admin = login(client, "root")
    regions_and_org(client, admin)
    supervisor(client, admin)
    sup = login(client, "sup")
    for method, path in [("GET", "/api/regions"), ("POST", "/api/regions"),
                         ("GET", "/api/organisations"), ("PATCH", "/api/organisations/1"),
                         ("PUT", "/api/sites/1/organisation"),
                         ("POST", "/api/users/1/region-grants")]:
        response = client.request(method, path, headers=sup, json={})
        assert response.status_code == 403, (method, path)
        assert "may not manage directory" in response.json()["detail"]
    client.cookies.clear()  # the login's cookie
    assert client.get("/api/regions").status_code == 401


@pytest.mark.parametrize(("method", "path", "body", "status", "detail"), [
    ("POST", "/api/regions", {"code": "350211", "name": "集美区", "level": "city"}, 400,
     "region 350211 is a district by its code's shape"),
    ("POST", "/api/regions", {"code": "350211", "name": "集美区", "parent_code": "350100"},
     400, "the parent of region 350211 must be 350200"),
    ("POST", "/api/regions", {"code": "abc", "name": "x"}, 400, "six digits"),
    ("POST", "/api/regions", {"code": SIMING, "name": "思明区"}, 409, "already exists"),
    ("POST", "/api/regions", b'{"code": "350211", "name": "\\ud800"}', 422, None),
    ("POST", "/api/regions", {"code": "350211", "name": "x" * 10_000}, 422, None),
    ("POST", "/api/regions", {"code": "9" * 10_000, "name": "x"}, 422, None),
    ("POST", "/api/organisations", {"name": "某企业", "kind": "enterprise",
                                    "region_code": "350200"}, 400, "belongs to a district"),
    ("POST", "/api/organisations", {"name": "某企业", "kind": "guild",
                                    "region_code": SIMING}, 422, None),
    ("PATCH", f"/api/organisations/{2**64}", {"name": "x"}, 422, None),
    ("PATCH", "/api/organisations/99", {"name": "x"}, 404, "organisation 99 does not exist"),
    ("PATCH", "/api/organisations/1", {"name": "x", "owner": "y"}, 422, None),
    ("PUT", "/api/sites/1/organisation", {"organisation_id": 2**70}, 422, None),
    ("PUT", f"/api/sites/{2**70}/organisation", {"organisation_id": 1}, 422, None),
    ("PUT", "/api/sites/99/organisation", {"organisation_id": 1}, 404, "site 99 does not exist"),
    ("POST", f"/api/users/{2**70}/region-grants", {"region_code": SIMING}, 422, None),
    ("POST", "/api/users/1/region-grants", {"region_code": "123456"}, 404,
     "region '123456' does not exist"),
    ("DELETE", "/api/users/1/region-grants/350200", None, 404, "has no grant of region"),
])
def test_bad_and_hostile_input_gets_a_clear_4xx(
        client: TestClient, method: str, path: str, body: object, status: int,
        detail: str | None) -> None:
    admin = login(client, "root")
    regions_and_org(client, admin)
    if isinstance(body, bytes):  # JSON that no client library would send
        response = client.request(method, path, content=body,
                                  headers={**admin, "Content-Type": "application/json"})
    else:
        response = client.request(method, path, headers=admin, json=body)
    assert response.status_code == status, response.text
    if detail:
        assert detail in response.json()["detail"]


def test_a_drawn_supervisor_replays_only_the_granted_windows(client: TestClient) -> None:
    drawn = drawn_sites(client)
    ids, other, start = drawn.granted, drawn.other, drawn.start
    sup = login(client, "sup")
    assert [c["id"] for c in client.get("/api/cameras", headers=sup).json()] == [ids["camera"]]
    services_of(client.app).recording = NO_FOOTAGE  # type: ignore[arg-type, assignment]
    first = epoch_ms(start - timedelta(minutes=30))  # the margin is 30 minutes by default
    clip = f"/api/cameras/{ids['camera']}/clip.mp4"
    inside = client.get(clip, headers=sup, params={"from": first, "to": first + 60_000})
    assert inside.status_code == 404 and inside.json()["detail"] == "no footage here"
    outside = client.get(clip, headers=sup, params={"from": first - 1, "to": first + 60_000})
    assert outside.status_code == 403
    assert outside.json()["detail"].endswith(
        f"only within the granted windows (UTC): {(start - timedelta(minutes=30)).isoformat()}"
        .replace("+00:00", "Z") + "/" +
        (start + timedelta(hours=3, minutes=30)).isoformat().replace("+00:00", "Z"))
    rolled = client.get(clip, headers=sup, params={"from": first, "to": first + 1, "pre": 1})
    assert rolled.status_code == 403  # the pre-roll reaches outside
    thumbnail = f"/api/cameras/{ids['camera']}/thumbnail.jpg"
    assert client.get(thumbnail, headers=sup, params={"at": first - 1}).status_code == 403
    assert client.get(thumbnail, headers=sup, params={"at": first}).status_code == 404
    # another site's camera: as if it did not exist (no existence leak)
    assert client.get(f"/api/cameras/{other['camera']}/clip.mp4", headers=sup,
                      params={"from": first, "to": first + 1}).status_code == 404
    evidence = client.post(f"/api/cameras/{ids['camera']}/evidence", headers=sup, json={
        "from_ms": first, "to_ms": first + 1000, "reason": "complaint"})
    assert evidence.status_code == 403  # nothing else: no evidence export
