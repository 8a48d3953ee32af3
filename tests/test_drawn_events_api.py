"""A drawn supervisor (camera grants for windows of time) sees the coverage and the events
of a granted camera only within the granted windows, through the real app: coverage of a
window outside them and the snapshot of an event opened outside them are refused with a 403
naming them; events are listed, and shown, only when they overlap one."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace

from fastapi.testclient import TestClient
from support.console import app_db, drawn_sites, login

from proctor.auth.grants import epoch_ms
from proctor.db.models import Event
from proctor.errors import NotFound
from proctor.services import services_of

MARGIN = timedelta(minutes=30)  # the assignment access margin's default


def _no_picture(*_args: object) -> bytes:
    raise NotFound("no picture here")


# an object store that holds nothing: an allowed snapshot request gets this far
EMPTY_STORE = SimpleNamespace(store=SimpleNamespace(read=_no_picture))


def _event(client: TestClient, camera_id: int, started: datetime, minutes: int) -> int:
    with app_db(client) as db:
        event = Event(camera_id=camera_id, kind="phone", started_at=started,
                      ended_at=started + timedelta(minutes=minutes), severity=0.5,
                      snapshot_key=f"snapshots/{camera_id}/{started.timestamp()}.jpg",
                      snapshot_version="v1")
        db.add(event)
        db.flush()
        return event.id


def _window_text(start: datetime, end: datetime) -> str:
    return f"{start.isoformat()}/{end.isoformat()}".replace("+00:00", "Z")


def test_a_drawn_supervisor_sees_coverage_and_events_only_within_the_windows(
        client: TestClient) -> None:
    drawn = drawn_sites(client)
    admin, ids, other, start = drawn.admin, drawn.granted, drawn.other, drawn.start
    opens, closes = start - MARGIN, start + timedelta(hours=3) + MARGIN
    camera = ids["camera"]
    inside = _event(client, camera, start + timedelta(minutes=10), 1)
    before = _event(client, camera, opens - timedelta(hours=2), 10)
    straddling = _event(client, camera, opens - timedelta(minutes=5), 10)  # opened outside
    elsewhere = _event(client, other["camera"], start, 1)
    sup = login(client, "sup")
    services_of(client.app).recording = EMPTY_STORE  # type: ignore[arg-type, assignment]
    refusal = f"only within the granted windows (UTC): {_window_text(opens, closes)}"

    listed = client.get("/api/events", headers=sup)
    assert [e["id"] for e in listed.json()] == [inside, straddling]
    assert client.get("/api/events", headers=sup, params={"camera_id": camera}).json() \
        == listed.json()
    assert {e["id"] for e in client.get("/api/events", headers=admin).json()} \
        == {inside, before, straddling, elsewhere}

    assert client.get(f"/api/events/{inside}", headers=sup).status_code == 200
    shown = client.get(f"/api/events/{before}", headers=sup)
    assert shown.status_code == 403 and shown.json()["detail"].endswith(refusal)
    assert client.get(f"/api/events/{elsewhere}", headers=sup).status_code == 404
    assert client.get(f"/api/events/{before}", headers=admin).status_code == 200

    def snapshot(event_id: int, headers: dict[str, str]) -> tuple[int, str]:
        response = client.get(f"/api/events/{event_id}/snapshot.jpg", headers=headers)
        return response.status_code, response.json()["detail"]

    assert snapshot(inside, sup) == (404, "no picture here")  # allowed: reached the store
    for outside in (before, straddling):
        code, detail = snapshot(outside, sup)
        assert code == 403 and detail.endswith(refusal)
    assert snapshot(before, admin) == (404, "no picture here")

    coverage = f"/api/cameras/{camera}/coverage"
    first = epoch_ms(opens)
    within = client.get(coverage, headers=sup, params={"from": first, "to": first + 60_000})
    assert within.status_code == 200 and within.json()["recorded_ms"] == 0
    for since, until in ((first - 1, first + 60_000), (first, epoch_ms(closes) + 1)):
        refused = client.get(coverage, headers=sup, params={"from": since, "to": until})
        assert refused.status_code == 403 and refused.json()["detail"].endswith(refusal)
    everything = client.get(coverage, headers=admin, params={"from": 0, "to": first})
    assert everything.status_code == 200
