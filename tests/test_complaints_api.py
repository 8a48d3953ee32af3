"""Complaints through the real server and SeaweedFS: the flow from the public form to
closing, with the clip's footage held in the store; what the accused organisation cannot
see; recusal; publicity paused and the results gate shut by an open complaint; and abuse
of the public intake, after which the service keeps working."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from support.complaints import FILING_NUMBER, ComplaintWorld, complaint_world
from support.ingest import T0, audit_actions, put_segment, segments, store_of
from support.segments import cut_segment
from support.stack import Stack

from proctor.db.complaints import Complaint, ComplaintAttachment

PNG = b"\x89PNG\r\n\x1a\n" + b"\0\0\0\rIHDR" + bytes(range(200))
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
TEXT = "第1场考场内有考生使用手机，监考员未制止。"


def iso(ms: int) -> str:
    from datetime import UTC, datetime
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat()


class Client:
    """Calls as one user (or anonymously), checking the status."""

    def __init__(self, stack: Stack, username: str | None = None) -> None:
        self.url = stack.url
        self.headers = {} if username is None else {
            "Authorization": f"Bearer {stack.login(username)}"}

    def call(self, method: str, path: str, expect: int, **kwargs: Any) -> Any:
        response = httpx.request(method, self.url + path, headers=self.headers, timeout=30,
                                 **kwargs)
        assert response.status_code == expect, (path, response.status_code, response.text)
        return response.json() if response.content else None


def submit(stack: Stack, fields: dict[str, str],
           files: list[tuple[str, tuple[str, bytes, str]]] | None = None,
           expect: int = 201) -> httpx.Response:
    response = httpx.post(f"{stack.url}/public/complaints", data=fields, files=files or [],
                          timeout=60)
    assert response.status_code == expect, response.text
    return response


@pytest.fixture
def world(stack: Stack) -> ComplaintWorld:
    return complaint_world(stack)


@pytest.fixture(scope="module")
def segment_bytes(h264_footage: Path) -> list[bytes]:
    return [cut_segment(h264_footage, i * 10, 10) for i in range(3)]


def test_complaint_from_the_public_form_to_closed(stack: Stack, world: ComplaintWorld,
                                                  segment_bytes: list[bytes]) -> None:
    assert stack.site_a is not None
    camera = stack.site_a.camera_ids[0]
    for index, data in enumerate(segment_bytes):
        assert put_segment(stack, camera, T0 + index * 10_000, data).status_code == 201
    public, admin = Client(stack), Client(stack, "admin")
    officer, operator = Client(stack, "officer"), Client(stack, "operator_a")

    # the publicity notice, with the complaint channel and nothing personal
    notice = public.call("GET", f"/public/batches/{FILING_NUMBER}/publicity", 200)
    assert (notice["organisation"], notice["level"], notice["paused"]) == ("组织甲", "四级", False)
    assert notice["channel"]["phone"] == "12333" and notice["channel"]["online"]
    assert not {"candidates", "rosters", "supervisors"} & set(notice)
    assert public.call("GET", f"/public/batches/{world.batch_id}/publicity", 200) == notice

    # the complaint, without logging in, with a photo and a PDF
    receipt = submit(stack, {"batch_id": str(world.batch_id), "text": TEXT, "seat": "12",
                             "complainant_name": "李四", "complainant_contact": "13800000000"},
                     [("attachments", ("a.png", PNG, "image/png")),
                      ("attachments", ("b.pdf", PDF, "application/pdf"))]).json()
    code = receipt["tracking_code"]
    assert len(code) == 20 and receipt["first_review_due"]
    status = public.call("GET", f"/public/complaints/{code}", 200)
    assert (status["state"], status["first_reviewed_on"], status["result"]) == (
        "registered", None, None)
    assert not {"text", "complainant", "complainant_name", "organisation_id"} & set(status)
    with stack.db() as db:
        complaint = db.scalars(select(Complaint).where(Complaint.tracking_code == code)).one()
        complaint_id = complaint.id
        stored = [(a.object_key, a.version_id, a.media_type) for a in db.scalars(
            select(ComplaintAttachment).where(ComplaintAttachment.complaint_id == complaint_id))]
    store = store_of(stack)
    assert [kind for _, _, kind in stored] == ["image/png", "application/pdf"]
    assert store.read(stored[0][0], stored[0][1]) == PNG
    assert store.retention(stored[0][0], stored[0][1])[0] == "COMPLIANCE"

    # an open complaint pauses publicity and shuts the gate, naming it
    assert public.call("GET", f"/public/batches/{FILING_NUMBER}/publicity", 200)["paused"]
    gate = admin.call("GET", f"/api/batches/{world.batch_id}/gate", 200)
    reason = next(m for m in gate["missing"] if m["code"] == "complaints_open")
    assert f"#{complaint_id}" in reason["zh"] and gate["open_complaints"] == 1
    refused = admin.call("POST", f"/api/batches/{world.batch_id}/transitions/file_results",
                         409, json={})
    assert f"#{complaint_id}" in str(refused)

    # the accused organisation's operator reads it, never who complained
    seen = operator.call("GET", f"/api/complaints/{complaint_id}", 200)
    assert (seen["complainant"], seen["anonymous"], seen["tracking_code"]) == (None, None, None)
    assert seen["text"] == TEXT and "李四" not in str(seen) and "13800000000" not in str(seen)
    listed = operator.call("GET", "/api/complaints", 200)
    assert [c["id"] for c in listed] == [complaint_id] and "李四" not in str(listed)
    operator.call("POST", f"/api/complaints/{complaint_id}/review", 403,
                  json={"accepted": True, "note": "受理"})
    assert "complaint.view_complainant" not in audit_actions(stack)
    # the officer sees them, and that is audited
    shown = officer.call("GET", f"/api/complaints/{complaint_id}", 200)
    assert shown["complainant"] == {"name": "李四", "contact": "13800000000"}
    assert len(shown["attachments"]) == 2 and shown["flag"] is None
    assert "complaint.view_complainant" in audit_actions(stack)
    photo = f"{stack.url}/api/complaints/{complaint_id}/attachments/{shown['attachments'][0]['id']}"
    got = httpx.get(photo, headers=officer.headers)
    assert (got.status_code, got.content, got.headers["content-type"]) == (200, PNG, "image/png")
    assert httpx.get(photo, headers=operator.headers).status_code == 403
    # an officer employed by the organisation must recuse
    recused = Client(stack, "officer_a_staff").call(
        "POST", f"/api/complaints/{complaint_id}/review", 403,
        json={"accepted": True, "note": "受理"})
    assert "回避" in recused["detail"]

    # first review, investigation, a clip held at once in the store
    officer.call("POST", f"/api/complaints/{complaint_id}/clips", 409,
                 json={"camera_id": camera, "starts_at": iso(T0), "ends_at": iso(T0 + 5000)})
    reviewed = officer.call("POST", f"/api/complaints/{complaint_id}/review", 200,
                            json={"accepted": True, "note": "予以受理"})
    assert reviewed["state"] == "first_review" and reviewed["resolution_due"]
    assert public.call("GET", f"/public/complaints/{code}", 200)["accepted"] is True
    officer.call("POST", f"/api/complaints/{complaint_id}/investigate", 200,
                 json={"note": "调取录像"})
    clip = officer.call("POST", f"/api/complaints/{complaint_id}/clips", 201, json={
        "camera_id": camera, "starts_at": iso(T0 + 2000), "ends_at": iso(T0 + 15000),
        "note": "考生使用手机"})
    held = {s.start_ms: store.legal_hold(s.object_key, s.version_id)
            for s in segments(stack, camera)}
    assert held == {T0: True, T0 + 10_000: True, T0 + 20_000: False}
    holds = officer.call("GET", f"/api/cameras/{camera}/legal-holds", 200)
    assert [h["id"] for h in holds] == [clip["legal_hold_id"]] and holds[0]["lifted_at"] is None
    outside = officer.call("POST", f"/api/complaints/{complaint_id}/clips", 400, json={
        "camera_id": camera, "starts_at": iso(T0 + 3_600_000), "ends_at": iso(T0 + 3_601_000)})
    assert "session window" in outside["detail"]

    # an extension with its reason, the result, closing
    extension = officer.call("POST", f"/api/complaints/{complaint_id}/extensions", 201,
                             json={"working_days": 2, "reason": "需询问监考员"})
    assert extension["new_due"] > extension["previous_due"]
    officer.call("POST", f"/api/complaints/{complaint_id}/resolve", 200, json={
        "result": "经查属实，责令整改并修订督导报告", "substantiated": True,
        "requires_amended_report": True})
    assert public.call("GET", f"/public/complaints/{code}", 200)["result"].startswith("经查属实")
    closed = officer.call("POST", f"/api/complaints/{complaint_id}/close", 200)
    assert closed["state"] == "closed" and closed["closed_at"]
    final = public.call("GET", f"/public/complaints/{code}", 200)
    assert final["state"] == "closed" and final["closed_on"]
    officer.call("POST", f"/api/complaints/{complaint_id}/close", 409)

    # closed: publicity runs again; the gate now waits for the amended report
    assert not public.call("GET", f"/public/batches/{FILING_NUMBER}/publicity", 200)["paused"]
    codes = [m["code"] for m in admin.call("GET", f"/api/batches/{world.batch_id}/gate",
                                            200)["missing"]]
    assert "complaints_open" not in codes and "amended_report_required" in codes
    actions = audit_actions(stack, f"complaint:{complaint_id}")
    assert actions == ["complaint.register", "complaint.attachment_download",
                       "complaint.review", "complaint.investigate", "complaint.attach_clip",
                       "complaint.extend", "complaint.resolve", "complaint.close"]


def test_officers_register_phone_complaints_in_their_scope(stack: Stack,
                                                           world: ComplaintWorld) -> None:
    officer = Client(stack, "officer")
    body = {"channel": "phone", "organisation_id": world.organisation_a, "text": TEXT}
    made = officer.call("POST", "/api/complaints", 201, json=body)
    assert made["channel"] == "phone" and made["anonymous"] is True
    officer.call("POST", "/api/complaints", 403,
                 json=body | {"organisation_id": world.organisation_b})
    officer.call("POST", "/api/complaints", 400, json=body | {"channel": "online"})
    Client(stack, "operator_a").call("POST", "/api/complaints", 403, json=body)
    # overdue: the first review was due yesterday
    with stack.db() as db:
        row = db.get_one(Complaint, made["id"])
        assert row.first_review_due is not None
        row.first_review_due = row.first_review_due.replace(year=2026, month=1, day=5)
    flagged = officer.call("GET", "/api/complaints", 200, params={"open_only": True})
    assert [(c["id"], c["flag"]) for c in flagged] == [(made["id"], "first_review_overdue")]


def test_the_public_intake_refuses_abuse_and_keeps_working(stack: Stack,
                                                          world: ComplaintWorld) -> None:
    fields = {"organisation_id": str(world.organisation_a), "text": TEXT}
    big = PNG + b"\0" * (5 * 1024 * 1024)
    for files, status, words in [
        ([("attachments", ("x.png", b"<html><script>alert(1)</script>", "image/png"))], 415,
         "judged by its content"),
        ([("attachments", ("x.png", b"GIF89a" + bytes(50), "image/png"))], 415, "PNG"),
        ([("attachments", ("big.png", big, "image/png"))], 413, "limit"),
        ([("attachments", (f"{i}.png", PNG, "image/png")) for i in range(6)], 413, "at most"),
        ([("evidence", ("x.png", PNG, "image/png"))], 400, "attachments"),
    ]:
        refused = submit(stack, fields, files, expect=status)
        assert words in refused.json()["detail"], refused.text
    for hostile, status in [({"text": "bell\x07 ring ring ring"}, 422),
                            ({"text": "x" * 4001}, 422),
                            ({"text": "rtl \u202e override text"}, 422),
                            ({"text": TEXT, "organisation_id": "99999"}, 404),
                            ({"text": TEXT, "batch_id": "-1"}, 422)]:
        submit(stack, fields | hostile, expect=status)
    bad_utf8 = httpx.post(
        f"{stack.url}/public/complaints", timeout=30,
        headers={"Content-Type": "multipart/form-data; boundary=B"},
        content=b"--B\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\n\xff\xfe bad"
                b"\r\n--B\r\nContent-Disposition: form-data; name=\"organisation_id\"\r\n\r\n1"
                b"\r\n--B--\r\n")
    assert bad_utf8.status_code == 422 and "UTF-8" in bad_utf8.text
    bad_form = httpx.post(f"{stack.url}/public/complaints", content=b"organisation_id=1&text=%FF",
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert bad_form.status_code == 422 and "UTF-8" in bad_form.text
    assert httpx.post(f"{stack.url}/public/complaints", json=fields).status_code == 415
    assert httpx.get(f"{stack.url}/public/complaints/{'A' * 40}").status_code == 404

    codes = [submit(stack, fields).json()["tracking_code"] for _ in range(5)]
    limited = submit(stack, fields, expect=429)
    assert int(limited.headers["Retry-After"]) > 60 and "try again" in limited.json()["detail"]
    # the service keeps working: status, the notice, officers
    assert httpx.get(f"{stack.url}/public/complaints/{codes[0]}").json()["state"] == "registered"
    assert httpx.get(f"{stack.url}/public/batches/{world.batch_id}/publicity").status_code == 200
    listed = Client(stack, "officer").call("GET", "/api/complaints", 200)
    assert len(listed) == 5  # nothing refused was kept
