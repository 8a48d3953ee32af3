"""Supervision reports, attendance and the results gate through the real app with a real
SeaweedFS: draft, edit, sign (refused with every reason, then archived), 409 on changes
after signing, amendment, acknowledgement, reading, the audited PDF download, the gate;
the batch's events for its reviewers; the transition route's configured gap tolerance."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from support.batches import build_world
from support.console import app_db, console_client, create_users, login
from support.review import END, START, add_event, add_segments, drawn_for_both_rooms, ms

from proctor.db.base import utcnow
from proctor.db.models import AuditEntry, User
from proctor.errors import InvalidInput
from proctor.supervision import lifecycle
from proctor.supervision.oversight import Report
from proctor.supervision.records import Batch, SessionRoom
from proctor.supervision.report.terms import Conclusion
from proctor.supervision.states import BatchState
from proctor_dev.seaweed import EmbeddedSeaweedFS

_buckets = itertools.count()
JUDGEMENT = {"opinion": "考场秩序良好。", "conclusion": "合格"}


@dataclass(frozen=True)
class Site:
    """The app, an ended batch drawn for ``sup`` with one event, and everyone's logins."""

    client: TestClient
    batch: int
    event: int
    headers: dict[str, dict[str, str]]

    def call(self, who: str, method: str, url: str, expect: int,
             body: dict[str, Any] | None = None) -> Any:
        response = self.client.request(method, url, headers=self.headers[who], json=body)
        assert response.status_code == expect, response.text
        return response.json() if response.headers["content-type"].startswith(
            "application/json") else response.content


@pytest.fixture
def site(tmp_path: Path, seaweed: EmbeddedSeaweedFS) -> Iterator[Site]:
    with console_client(tmp_path, s3_endpoint=seaweed.endpoint,
                        s3_access_key=seaweed.access_key, s3_secret_key=seaweed.secret_key,
                        s3_bucket=f"reports-api-{next(_buckets)}") as client:
        admin = login(client, "root")
        with app_db(client) as db:
            world = build_world(db)
        ids = create_users(client, admin, [("sup", "supervisor", []),
                                           ("op", "org_operator", [world.site]),
                                           ("aud", "auditor", [world.site])])
        with app_db(client) as db:
            batch = drawn_for_both_rooms(db, world, ids["sup"])
            db.execute(update(Batch).where(Batch.id == batch).values(
                state=BatchState.ENDED, filing_number="BA-350203-2026-0007"))
            db.execute(update(SessionRoom).values(expected_examinees=20))
            for camera in world.cameras:
                add_segments(db, camera, ms(START), ms(END))
            event = add_event(db, world.cameras[0], "2026-03-02 09:30")
        headers = {"admin": admin} | {name: login(client, name) for name in ids}
        yield Site(client, batch, event, headers)


def _codes(body: dict[str, Any]) -> list[str]:
    return [item["code"] for item in body["missing"]]


def _record_attendance(s: Site) -> None:
    rooms = s.call("admin", "GET", f"/api/batches/{s.batch}", 200)["sessions"][0]["rooms"]
    first = rooms[0]
    wrong = s.call("sup", "PUT", f"/api/session-rooms/{first['id']}/attendance", 400,
                   {"present": first["expected_examinees"], "absent": 1})
    assert "the roster expects" in wrong["detail"]
    s.call("op", "PUT", f"/api/session-rooms/{first['id']}/attendance", 403,
           {"present": first["expected_examinees"], "absent": 0})
    for room in rooms:
        done = s.call("sup", "PUT", f"/api/session-rooms/{room['id']}/attendance", 200,
                      {"present": room["expected_examinees"] - 1, "absent": 1})
        assert (done["present"], done["absent"]) == (room["expected_examinees"] - 1, 1)


def test_a_report_from_draft_to_amendment(site: Site) -> None:
    s, batch = site, f"/api/batches/{site.batch}"
    assert [e["id"] for e in s.call("sup", "GET", f"{batch}/events", 200)] == [s.event]
    s.call("op", "GET", f"{batch}/events", 403)
    assert s.call("aud", "GET", f"{batch}/reports", 200) == []
    draft = s.call("sup", "POST", f"{batch}/reports", 201, JUDGEMENT)
    url = f"/api/reports/{draft['id']}"
    assert [r["id"] for r in s.call("sup", "GET", f"{batch}/reports", 200)] == [draft["id"]]
    s.call("op", "GET", f"{batch}/reports", 403)
    assert draft["content"]["header"]["present"] is None  # printed 未登记
    edited = s.call("sup", "PATCH", url, 200, {"opinion": "整改考场守则宣读。"})
    assert edited["content"]["opinion"] == "整改考场守则宣读。"
    refused = s.call("sup", "POST", f"{url}/sign", 409)
    assert _codes(refused) == ["attendance_not_recorded", "events_not_reviewed"]
    _record_attendance(s)
    s.call("sup", "PUT", f"{batch}/events/{s.event}/review", 200,
           {"decision": "dismissed", "note": "是计算器"})
    assert "report_not_signed" in _codes(s.call("aud", "GET", f"{batch}/gate", 200))
    signed = s.call("sup", "POST", f"{url}/sign", 200)
    header = signed["content"]["header"]
    assert signed["signed"] and header["filing_number"] == "BA-350203-2026-0007"
    assert header["absent"] == 2 and header["present"] == header["planned"] - 2
    s.call("sup", "PATCH", url, 409, {"opinion": "改"})
    s.call("sup", "POST", f"{url}/sign", 409)
    assert s.call("aud", "GET", url, 200)["pdf_sha256"] == signed["pdf_sha256"]
    _download_is_audited(s, url, signed["pdf_sha256"])
    s.call("aud", "POST", f"{url}/acknowledge", 403, {"head_name": "王建国"})
    acknowledged = s.call("sup", "POST", f"{url}/acknowledge", 200, {"head_name": "王建国"})
    assert acknowledged["acknowledged_by"] == "王建国"
    amended = s.call("sup", "POST", f"{url}/amend", 201, {"reason": "更正处理意见。"})
    assert (amended["version"], amended["amends_id"]) == (2, draft["id"])
    s.call("sup", "GET", f"/api/reports/{amended['id']}/pdf", 409)  # not signed yet
    versions = s.call("aud", "GET", f"{batch}/reports", 200)
    assert [(r["id"], r["version"], r["signed"]) for r in versions] == [
        (draft["id"], 1, True), (amended["id"], 2, False)]
    gate = s.call("aud", "GET", f"{batch}/gate", 200)
    assert gate["state"] == "report_signed" and gate["report_signed"]
    assert gate["conclusion"] == "合格"
    assert "report_not_signed" not in _codes(gate) and not gate["open"]


def _download_is_audited(s: Site, url: str, sha256: str) -> None:
    s.call("op", "GET", f"{url}/pdf", 403)
    response = s.client.get(f"{url}/pdf", headers=s.headers["aud"])
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert hashlib.sha256(response.content).hexdigest() == sha256
    assert "attachment" in response.headers["content-disposition"]
    preview = s.client.get(f"{url}/pdf", params={"inline": "true"}, headers=s.headers["aud"])
    assert preview.headers["content-disposition"].startswith("inline;")
    assert preview.content == response.content
    with app_db(s.client) as db:
        entries = list(db.scalars(select(AuditEntry).where(AuditEntry.action == "report.download")))
        me = s.call("aud", "GET", "/api/auth/me", 200)
        assert [(e.actor, e.detail["pdf_sha256"]) for e in entries] == [
            (f"user:{me['id']}", sha256)] * 2


def test_reports_need_the_object_store_once_access_is_decided(client: TestClient) -> None:
    admin = login(client, "root")
    for method, path in (("POST", "/api/reports/1/sign"), ("GET", "/api/reports/1/pdf")):
        response = client.request(method, path, headers=admin)
        assert response.status_code == 404 and "does not exist" in response.text  # not 503
    with app_db(client) as db:
        root = db.scalars(select(User).where(User.username == "root")).one()
        batch = drawn_for_both_rooms(db, build_world(db), root.id)
        db.add(Report(batch_id=batch, number="DD-2026-00001", content={},
                      conclusion=Conclusion.PASSED, pdf_key="reports/x.pdf", pdf_version="v1",
                      pdf_sha256="0" * 64, signed_at=utcnow(), created_by="user:1"))
    response = client.get("/api/reports/1/pdf", headers=admin)
    assert response.status_code == 503 and "object store" in response.text


def test_transitions_count_gaps_with_the_configured_tolerance(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.update(kwargs)
        raise InvalidInput("stop here")

    monkeypatch.setattr(lifecycle, "transition", spy)
    with console_client(tmp_path, coverage_gap_tolerance_seconds=7.5) as client:
        response = client.post("/api/batches/1/transitions/file_results",
                               headers=login(client, "root"), json={"filing_number": "BA-9"})
    assert response.status_code == 400, response.text
    assert seen["gap_tolerance_s"] == 7.5 and seen["filing_number"] == "BA-9"
