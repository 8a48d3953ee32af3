"""Per-zone occupancy: the latest analysed sample's people against the camera's seat and
invigilator zones, from the real camera monitor and through the scene API."""

from __future__ import annotations

import numpy as np
from fastapi.testclient import TestClient
from support.console import PASSWORD, build_site, login

from proctor.vision.detector import Detection
from proctor.vision.monitor import CameraMonitor, Sample
from proctor.vision.rules import AnalysisRules
from proctor.vision.scene import SceneSettings, Zone, ZoneCount

LEFT = Zone(name="A1", polygon=[(0.0, 0.0), (0.5, 0.0), (0.5, 1.0), (0.0, 1.0)])
RIGHT = Zone(name="A2", polygon=[(0.5, 0.0), (0.8, 0.0), (0.8, 1.0), (0.5, 1.0)])
DESK = Zone(name="desk", polygon=[(0.8, 0.0), (1.0, 0.0), (1.0, 1.0)])


def person(x: float) -> Detection:
    """A person whose box is centred at (x, 0.5)."""
    return Detection("person", 0.9, (x - 0.05, 0.3, x + 0.05, 0.7))


def picture() -> np.ndarray:
    return np.random.default_rng(5).integers(0, 255, (240, 320), dtype=np.uint8)


def test_the_monitor_counts_the_latest_samples_people_in_each_zone() -> None:
    scene = SceneSettings(expected_headcount=3, seat_zones=[LEFT, RIGHT], invigilator_zone=DESK)
    monitor = CameraMonitor(1, scene, AnalysisRules(), phone_detection=False)
    assert monitor.occupancy() is None  # nothing observed yet
    monitor.observe(Sample(10.0, picture(), [person(0.2), person(0.3),
                                             Detection("phone", 0.8, (0.6, 0.4, 0.7, 0.5))]))
    first = monitor.occupancy()
    assert first is not None and (first.at, first.people, first.expected) == (10.0, 2, 3)
    assert first.zones == [ZoneCount("A1", "seat", 2), ZoneCount("A2", "seat", 0),
                           ZoneCount("desk", "invigilator", 0)]
    monitor.observe(Sample(11.0, picture(), [person(0.6), person(0.95)]))
    latest = monitor.occupancy()
    assert latest is not None and latest.at == 11.0
    assert [zone.people for zone in latest.zones] == [0, 1, 1]
    monitor.observe(Sample(12.0, None, None))  # no picture: not analysed, no counts
    assert monitor.occupancy() is None


def test_the_occupancy_route_says_not_analysed_and_keeps_the_camera_scope(
        client: TestClient) -> None:
    admin = login(client, "root")
    ids, other = build_site(client, admin, "A"), build_site(client, admin, "B")
    client.post("/api/users", headers=admin, json={
        "username": "sup_a", "password": PASSWORD, "role": "supervisor", "site_ids": [ids["site"]]})
    supervisor = login(client, "sup_a")
    url = f"/api/cameras/{ids['camera']}/scene/occupancy"
    answer = client.get(url, headers=supervisor)  # analysis is off in these tests
    assert answer.status_code == 200
    assert answer.json() == {"camera_id": ids["camera"], "analysed": False, "at": None,
                             "people": None, "expected": None, "zones": []}
    assert client.get(f"/api/cameras/{other['camera']}/scene/occupancy",
                      headers=supervisor).status_code == 404
