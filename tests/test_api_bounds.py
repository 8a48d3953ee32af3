"""Absurd values never reach the database as a 500: ids past what the databases hold are
refused by the shared parameter types (422 naming the parameter), a value that slips through
is turned into a 400 by the safety net, and bodies past the cap get a 413."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel
from support.console import build_site, login

from proctor.api.bodies import BodyLimit
from proctor.api.errors import install_error_handlers
from proctor.api.params import MAX_ID

HUGE = "99999999999999999999999"


def test_huge_ids_are_refused_naming_the_parameter(client: TestClient) -> None:
    admin = login(client, "root")
    ids = build_site(client, admin, "考点")
    requests = [
        ("POST", f"/api/devices/{HUGE}/rotate-token", "device_id"),
        ("PATCH", f"/api/users/{HUGE}", "user_id"),
        ("GET", f"/api/cameras/{HUGE}/coverage?from=0&to=1", "camera_id"),
        ("GET", f"/api/events/{HUGE}", "event_id"),
        ("GET", f"/api/events?camera_id={HUGE}", "camera_id"),
        ("GET", f"/api/audit?before_id={HUGE}", "before_id"),
        ("PATCH", f"/api/users/{MAX_ID + 1}", "user_id"),
        ("GET", "/api/events/0", "event_id"),
    ]
    for method, url, name in requests:
        response = client.request(method, url, headers=admin, json={})
        assert response.status_code == 422, (url, response.text)
        assert any(error["loc"][-1] == name for error in response.json()["detail"]), url
    body = client.post("/api/rooms", json={"site_id": int(HUGE), "name": "R2"}, headers=admin)
    assert body.status_code == 422 and body.json()["detail"][0]["loc"] == ["body", "site_id"]
    assert client.post(f"/api/devices/{ids['device']}/rotate-token",
                       headers=admin).status_code == 200  # the largest real ids still work


class Body(BaseModel):
    text: str


def _safety_net_app() -> FastAPI:
    """A route that lets any integer and text through to code that cannot hold them."""
    app = FastAPI()
    install_error_handlers(app)
    app.add_middleware(BodyLimit, limit=1000)

    @app.get("/things/{thing_id}")
    def get_thing(thing_id: int) -> None:
        raise OverflowError("Python int too large to convert to SQLite INTEGER")

    @app.post("/things")
    def add_thing(body: Body) -> None:
        body.text.encode("utf-8")

    return app


def test_safety_net_names_the_parameter_or_the_bad_text() -> None:
    client = TestClient(_safety_net_app())
    overflow = client.get(f"/things/{HUGE}?limit=1")
    assert overflow.status_code == 400
    assert overflow.json()["detail"].startswith("parameter 'thing_id' is out of range")
    surrogate = client.post("/things", content=b'{"text": "a\\ud800"}',
                            headers={"Content-Type": "application/json"})
    assert surrogate.status_code == 400
    assert "lone surrogate" in surrogate.json()["detail"]


def test_bodies_past_the_cap_are_refused_declared_or_chunked() -> None:
    client = TestClient(_safety_net_app())
    body = b'{"text": "' + b"x" * 2000 + b'"}'

    def chunks() -> Iterator[bytes]:
        yield body[:600]
        yield body[600:]

    declared = client.post("/things", content=body, headers={"Content-Type": "application/json"})
    chunked = client.post("/things", content=chunks(),
                          headers={"Content-Type": "application/json"})
    for response in (declared, chunked):
        assert response.status_code == 413, response.text
        assert "the limit is 1000 bytes" in response.json()["detail"]
    assert "2012 bytes" in declared.json()["detail"]
    small = client.post("/things", json={"text": "ok"})
    assert small.status_code == 200
