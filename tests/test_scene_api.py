"""Scene settings and reference pictures: API and CLI, validation, permissions, audit."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient
from support.console import PASSWORD, app_db, build_site, login
from typer.testing import CliRunner

from proctor.cli.main import app as cli
from proctor.db.models import AuditEntry

SEAT = {"name": "A1", "polygon": [[0.1, 0.5], [0.3, 0.5], [0.3, 0.9], [0.1, 0.9]]}


def jpeg() -> bytes:
    picture = np.random.default_rng(3).integers(0, 255, (240, 320, 3), dtype=np.uint8)
    return cv2.imencode(".jpg", picture)[1].tobytes()


def test_admin_sets_the_scene_and_watchers_in_scope_read_it(client: TestClient) -> None:
    admin = login(client, "root")
    ids = build_site(client, admin, "A")
    other = build_site(client, admin, "B")
    for name, site in (("sup_a", ids["site"]), ("sup_b", other["site"])):
        client.post("/api/users", headers=admin, json={
            "username": name, "password": PASSWORD, "role": "supervisor", "site_ids": [site]})
    scene = {"expected_headcount": 31, "seat_zones": [SEAT],
             "invigilator_zone": {"name": "desk", "polygon": [[0.8, 0], [1, 0], [1, 1]]}}
    url = f"/api/cameras/{ids['camera']}/scene"
    saved = client.put(url, headers=admin, json=scene)
    assert saved.status_code == 200 and saved.json()["settings"]["expected_headcount"] == 31

    sup_a, sup_b = login(client, "sup_a"), login(client, "sup_b")
    assert client.get(url, headers=sup_a).json()["settings"]["seat_zones"][0]["name"] == "A1"
    assert client.get(url, headers=sup_b).status_code == 404  # another site's camera: unknown
    assert client.put(url, headers=sup_a, json=scene).status_code == 403  # watchers only read
    assert client.get("/api/cameras/999/scene", headers=admin).status_code == 404
    with app_db(client) as db:
        assert db.query(AuditEntry).filter_by(action="scene.update").count() == 1


@pytest.mark.parametrize("body, message", [
    ({"seat_zones": [{"name": "A1", "polygon": [[0, 0], [1.5, 0], [1, 1]]}]},
     "outside the picture"),
    ({"seat_zones": [SEAT, SEAT]}, "repeated: A1"),
    ({"expected_headcount": -1}, "greater than or equal to 0"),
    ({"seat_zones": [{"name": "A1", "polygon": [[0, 0], [1, 1]]}]}, "at least 3"),
    ({"expected": 3}, "Extra inputs"),
])
def test_bad_scenes_are_refused_with_the_reason(client: TestClient, body: dict[str, object],
                                                message: str) -> None:
    admin = login(client, "root")
    camera = build_site(client, admin, "A")["camera"]
    response = client.put(f"/api/cameras/{camera}/scene", headers=admin, json=body)
    assert response.status_code == 422 and message in response.text


def test_reference_picture_upload_check_and_live_capture(client: TestClient) -> None:
    admin = login(client, "root")
    camera = build_site(client, admin, "A")["camera"]
    url = f"/api/cameras/{camera}/scene/reference"
    assert client.get(f"{url}.jpg", headers=admin).status_code == 404
    bad = client.put(url, headers=admin, content=b"not an image")
    assert bad.status_code == 400 and "not a readable image" in bad.json()["detail"]
    offline = client.put(url, headers=admin, content=b"")
    assert offline.status_code == 409 and "not live" in offline.json()["detail"]
    assert client.put(url, headers=admin, content=jpeg()).status_code == 204
    stored = client.get(f"{url}.jpg", headers=admin)
    assert stored.headers["content-type"] == "image/jpeg"
    assert client.get(f"/api/cameras/{camera}/scene", headers=admin).json()[
        "reference_source"] == "operator"
    assert client.delete(url, headers=admin).status_code == 204
    assert client.get(f"{url}.jpg", headers=admin).status_code == 404


def test_scene_from_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROCTOR_DATA_DIR", str(tmp_path))
    runner = CliRunner()
    runner.invoke(cli, ["admin", "site", "add", "A"])
    runner.invoke(cli, ["admin", "room", "add", "1", "R"])
    runner.invoke(cli, ["admin", "camera", "add", "1", "front"])
    result = runner.invoke(cli, ["admin", "scene", "set", "1", "--expected", "12",
                                 "--seat", "A1=0.1,0.5 0.3,0.5 0.3,0.9", "--invigilator",
                                 "0.8,0 1,0 1,1"])
    assert result.exit_code == 0, result.output
    shown = json.loads(runner.invoke(cli, ["admin", "scene", "show", "1"]).stdout)
    assert shown["settings"]["expected_headcount"] == 12
    assert shown["settings"]["seat_zones"][0]["polygon"][1] == [0.3, 0.5]
    assert shown["settings"]["invigilator_zone"]["name"] == "invigilator"
    bad = runner.invoke(cli, ["admin", "scene", "set", "1", "--seat", "A1=0.1,0.5 2,0.5 0.3,0.9"])
    assert bad.exit_code == 2 and "between 0 and 1" in bad.output
    image = tmp_path / "view.jpg"
    image.write_bytes(jpeg())
    assert runner.invoke(cli, ["admin", "scene", "reference", "1", str(image)]).exit_code == 0
    assert json.loads(runner.invoke(cli, ["admin", "scene", "show", "1"]).stdout)[
        "reference_source"] == "operator"
    missing = runner.invoke(cli, ["admin", "scene", "show", "7"])
    assert missing.exit_code == 2 and "camera 7 does not exist" in missing.output
