"""One certification batch (认定批次) from its plan to accepted results, through the real
server (HTTP API, and the ``proctor`` CLI where the API has no route), a real ``proctor-edge``
agent, the real detector and SeaweedFS with Object Lock; once on SQLite, once on PostgreSQL.

1. Directory: regions, a college, its site, room, device and camera; two supervisors in the
   city's pool, each linked to a console user.
2. Plan: a session whose window is open now, the room with a roster expecting far more
   people than the footage shows; filing is late (the session is today), so the
   administrator overrides with a reason and the flag is recorded; the draw (commit–reveal,
   checked with ``proctor supervision verify-draw``); start.
3. The agent publishes and records the camera (started before the plan, as site cameras
   run before an exam, so the detector is warm); while the window is open the roster's
   headcount reaches the analyzer and it raises ``person_missing``; the segments are
   uploaded and indexed up to the window's end.
4. The drawn supervisor reviews every event of the batch and adds a finding; the other
   supervisor may not; coverage is read and every gap explained; the batch ends.
5. The report is drafted, filled and signed; its PDF verifies offline against the service's
   certificate and is stored under COMPLIANCE retention; the organisation's head
   acknowledges it.
6. Publicity, the gate, results filed, the batch accepted; the audit chain holds.

**Today.** Publicity must run its working days before results are filed, and the server
takes "today" from its own clock: the services take a ``now`` but the routes always pass
the real time, and :class:`proctor.services.Services` has no clock. Rather than add a
setting that moves the server's "today" (a switch that would let a deployment skip a
statutory period, in a system whose records are legal evidence), the test backdates the
batch's ``publicity_started_on`` through the ORM, between the refused and the accepted
filing, to the earliest day that makes publicity exactly long enough by the product's own
calendar. Everything else (the gate's count in working days, the results deadline, the
audit) then runs as in production. The ``batch.transition`` entry of ``open_publicity``
keeps the real start day: only the batch row is moved.

The session window is real time (the agent records now), so the test needs the working
calendar of the current year (and of the next ten working days) to be entered: late in a
year whose successor is not entered, the plan, the draw and publicity fail closed, as
they must.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from support.batch_flow import Api, DatabaseStack, database_stack, step
from support.ingest import audit_actions, store_of
from support.stack import PASSWORD
from support.wait import wait_until_sync

from proctor.db.models import Segment
from proctor.supervision.calendar_service import load_calendar
from proctor.supervision.china_time import china_day
from proctor.supervision.oversight import Report
from proctor.supervision.records import Batch
from proctor.supervision.report.identity import service_identity
from proctor_dev.provision import ProvisionedSite
from proctor_dev.seaweed import EmbeddedSeaweedFS

pytestmark = pytest.mark.slow

EXAMINEES = 30  # the footage (vtest.avi) shows a handful of pedestrians
STAFF = 2  # one examiner, one invigilator: the analyzer expects them too
ABSENT = 3  # by the sign-in sheet, recorded after the session
WINDOW_OPENED = timedelta(minutes=2)  # the session started before the plan was made
WINDOW_LEFT = timedelta(seconds=150)  # the detector is warm; refresh 15 s + hold 5 s
HEAD = "陈志明"  # the college's head (主管负责人), who acknowledges the report
OVERRIDE = "考务安排调整，中心同意补备案"
FILING_NUMBER = "BA-350200-2026-0042"  # 备案号, given by the appraisal centre


@dataclass(frozen=True)
class Directory:
    """What step 1 registered."""

    admin: Api
    admin_id: int
    organisation: int
    room: int
    camera: int
    supervisor_users: dict[str, str]  # supervisor id (as the draw names it) → username


@dataclass(frozen=True)
class Plan:
    """The planned batch, its one session's window and the room it uses."""

    batch: int
    starts_at: datetime
    ends_at: datetime
    session_room: int = 0

    @property
    def path(self) -> str:
        return f"/api/batches/{self.batch}"


def iso(moment: datetime) -> str:
    return moment.isoformat()


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text)


def codes(body: dict[str, Any]) -> list[str]:
    """The reason codes of a 409 transition body or of a gate."""
    return [item["code"] for item in body["missing"]]


def roster_csv() -> bytes:
    """EXAMINEES candidates with seats, an examiner and an invigilator."""
    lines = ["身份,编号,姓名,座位",
             *(f"考生,2026{n:05d},考生{n:02d},A{n:02d}" for n in range(1, EXAMINEES + 1)),
             "考评员,KP-3502-0007,王立新,", "监考员,,赵敏,"]
    return ("\n".join(lines) + "\n").encode()


def build_directory(stack: DatabaseStack) -> Directory:
    """Step 1: the first administrator from the CLI (no route can create one), the rest
    through the API."""
    created = stack.cli("admin", "user", "add", "admin", "--role", "admin")
    assert created.returncode == 0, created.stderr
    stack.start_server()
    admin = stack.api("admin")
    for code, name in (("350000", "福建省"), ("350200", "厦门市"), ("350203", "思明区")):
        admin.post("/api/regions", {"code": code, "name": name}, expect=201)
    college = admin.post("/api/organisations", {
        "name": "厦门技师学院", "kind": "college", "region_code": "350203",
        "registration_number": "JG-350203-0042", "head_name": HEAD}, expect=201)
    site = admin.post("/api/sites", {"name": "厦门技师学院考点"}, expect=201)
    admin.put(f"/api/sites/{site['id']}/organisation", {"organisation_id": college["id"]})
    room = admin.post("/api/rooms", {"site_id": site["id"], "name": "第1考场"}, expect=201)
    device = admin.post("/api/devices", {"site_id": site["id"], "name": "考点边缘盒"}, expect=201)
    camera = admin.post("/api/cameras", {"room_id": room["id"], "name": "前",
                                         "device_id": device["device"]["id"]}, expect=201)
    stack.site_a = ProvisionedSite(site["id"], room["id"], device["device"]["id"],
                                   device["token"], [camera["id"]])
    supervisors = {}
    for n in (1, 2):
        user = admin.post("/api/users", {"username": f"sup_{n}", "password": PASSWORD,
                                         "role": "supervisor"}, expect=201)
        row = admin.post("/api/supervisors", {
            "name": f"督导员{n}", "region_code": "350203",
            "qualification_number": f"ZJ-3502-{n:04d}", "user_id": user["id"]}, expect=201)
        supervisors[str(row["id"])] = user["username"]
    return Directory(admin, admin.get("/api/auth/me")["id"], college["id"], room["id"],
                     camera["id"], supervisors)


def start_agent(stack: DatabaseStack, world: Directory, footage: Path) -> None:
    """Step 3, first half: the real agent publishes and records; wait for analysis."""
    stack.start_agent({world.camera: footage.as_uri()})

    def analysed() -> bool:
        cameras = world.admin.get("/api/cameras")
        return any(c["id"] == world.camera and (c["analysis"] or {}).get("analysed")
                   for c in cameras)

    assert wait_until_sync(analysed, timeout=240, interval=1), "the camera was never analysed"


def plan_batch(world: Directory) -> Plan:
    """Step 2, first half: a draft batch, its session (open now), room and roster."""
    admin, now = world.admin, datetime.now(UTC).replace(microsecond=0)
    batch = admin.post("/api/batches", {
        "organisation_id": world.organisation, "occupation_name": "电工",
        "occupation_code": "6-31-01-03", "level": "四级", "mode": "操作技能考核"}, expect=201)
    starts_at, ends_at = now - WINDOW_OPENED, now + WINDOW_LEFT
    session = admin.post(f"/api/batches/{batch['id']}/sessions", {
        "name": "第一场", "starts_at": iso(starts_at), "ends_at": iso(ends_at)}, expect=201)
    used = admin.post(f"/api/sessions/{session['id']}/rooms",
                      {"room_id": world.room, "expected_examinees": 1}, expect=201)
    plan = Plan(batch["id"], starts_at, ends_at, used["id"])
    roster = admin.call("PUT", f"/api/session-rooms/{used['id']}/roster",
                        content=roster_csv(), headers={"Content-Type": "text/csv"}).json()
    assert (roster["candidates"], roster["expected_examinees"]) == (EXAMINEES, EXAMINEES)
    assert (roster["examiners"], roster["invigilators"]) == (1, 1)
    return plan


def transition(admin: Api, plan: Plan, action: str, expect_state: str,
               **body: str) -> dict[str, Any]:
    """Apply ``action`` with ``body`` (reason, override, filing number); the batch must
    reach the state."""
    batch: dict[str, Any] = admin.post(f"{plan.path}/transitions/{action}",
                                       body or {"reason": f"e2e: {action}"})
    assert batch["state"] == expect_state, batch
    return batch


def file_draw_start(stack: DatabaseStack, world: Directory, plan: Plan) -> tuple[Api, Api]:
    """Step 2, second half: file late (override), draw, verify the draw, start. Returns the
    drawn supervisor's client and the other supervisor's."""
    admin = world.admin
    refused = admin.post(f"{plan.path}/transitions/file", {"filing_number": FILING_NUMBER},
                         expect=409)
    assert refused["state"] == "draft" and codes(refused) == ["plan_filed_late"], refused
    filed = transition(admin, plan, "file", "filed", reason="补备案", override=OVERRIDE,
                       filing_number=FILING_NUMBER)
    assert filed["filing_number"] == FILING_NUMBER
    [flag] = filed["flags"]
    assert (flag["code"], flag["override_reason"], flag["by"]) == (
        "plan_filed_late", OVERRIDE, f"user:{world.admin_id}"), flag
    assert filed["plan_filed_on"] == china_day(datetime.now(UTC)).isoformat()

    draw = admin.post(f"{plan.path}/draws", {"supervisors": 1}, expect=201)
    assert draw["seed"] and len(draw["result"]) == 1, draw
    assert hashlib.sha256(bytes.fromhex(draw["seed"])).hexdigest() == draw["commitment"]
    verified = stack.cli("supervision", "verify-draw", str(draw["id"]))
    assert verified.returncode == 0 and verified.stdout.startswith("ok"), verified.stderr
    assert admin.get(plan.path)["state"] == "supervisors_drawn"
    transition(admin, plan, "start", "in_progress")
    drawn = world.supervisor_users[draw["result"][0]]
    other = next(name for name in world.supervisor_users.values() if name != drawn)
    return stack.api(drawn), stack.api(other)


def wait_for_event(drawn: Api, plan: Plan) -> dict[str, Any]:
    """Step 3, second half: the analyzer raises person_missing in the window, on the
    roster's headcount; the drawn supervisor sees it among the batch's events."""
    def person_missing() -> dict[str, Any] | None:
        return next((item["event"] for item in drawn.get(f"{plan.path}/review")
                     if item["event"]["kind"] == "person_missing"), None)

    left = (plan.ends_at - datetime.now(UTC)).total_seconds()
    event = wait_until_sync(person_missing, timeout=max(left, 0), interval=2)
    assert event, "no person_missing event while the session window was open"
    assert plan.starts_at <= parse(event["started_at"]) < plan.ends_at, event
    assert event["peak"]["expected"] == EXAMINEES + STAFF, event["peak"]
    assert event["peak"]["count"] < EXAMINEES + STAFF, event["peak"]
    return event


def recorded_to_the_end(drawn: Api, plan: Plan) -> dict[str, Any]:
    """Step 3, end: the window is over and its last seconds are uploaded and indexed."""
    assert wait_until_sync(lambda: datetime.now(UTC) >= plan.ends_at,
                           timeout=WINDOW_LEFT.total_seconds() + 60, interval=1)

    def tail_covered() -> dict[str, Any] | None:
        coverage: dict[str, Any] = drawn.get(f"{plan.path}/coverage")
        [window] = coverage["windows"]
        done = parse(window["end"]) == plan.ends_at and all(
            parse(gap["end"]) < plan.ends_at for gap in window["gaps"])
        return coverage if done else None

    coverage = wait_until_sync(tail_covered, timeout=120, interval=2)
    assert coverage, "the window's last seconds were never uploaded and indexed"
    return coverage


def review_and_end(world: Directory, plan: Plan, drawn: Api, other: Api,
                   coverage: dict[str, Any], event: dict[str, Any]) -> None:
    """Step 4: every event reviewed, a finding, every gap explained, the attendance
    (实考/缺考) recorded, the batch ended."""
    other.call("GET", f"{plan.path}/review", expect=403)  # not drawn: not their batch
    for item in drawn.get(f"{plan.path}/review"):
        drawn.put(f"{plan.path}/events/{item['event']['id']}/review",
                  {"decision": "confirmed", "note": "回放核实：实到人数少于名册"})
    queue = drawn.get(f"{plan.path}/review")
    assert queue and all(i["state"] == "confirmed" and i["counted"] for i in queue), queue
    start = parse(event["started_at"]).replace(microsecond=0) + timedelta(seconds=1)
    finding = drawn.post(f"{plan.path}/findings", {
        "camera_ids": [world.camera], "starts_at": iso(start),
        "ends_at": iso(min(start + timedelta(seconds=20), plan.ends_at)),
        "category": "签到与记录表", "severity": "一般",
        "note": "实到人数与签到表不符，需核对"}, expect=201)
    assert drawn.get(f"{plan.path}/findings") == [finding]

    [window] = coverage["windows"]
    assert window["covered_seconds"] > 30, window
    for gap in (g for g in window["gaps"] if not g["explained"]):
        drawn.post(f"{plan.path}/gaps/explanations", {
            "camera_id": gap["camera_id"], "starts_at": gap["start"], "ends_at": gap["end"],
            "explanation": "摄像头在场次开始后才接入录制"}, expect=201)
    assert drawn.get(f"{plan.path}/coverage")["unexplained_gaps"] == 0
    room = drawn.put(f"/api/session-rooms/{plan.session_room}/attendance",
                     {"present": EXAMINEES - ABSENT, "absent": ABSENT})
    assert (room["present"], room["absent"]) == (EXAMINEES - ABSENT, ABSENT), room
    transition(world.admin, plan, "end", "ended")


CHECKLIST = [
    {"item": "人证一致/代考", "answer": "是"}, {"item": "考场布置", "answer": "是"},
    {"item": "考评员资质与配比", "answer": "是"}, {"item": "守则宣读", "answer": "不适用"},
    {"item": "视频覆盖", "answer": "是", "remark": "开考前缺口已说明"},
    {"item": "签到与记录表", "answer": "否", "remark": "实到人数与签到表不符"},
    {"item": "评分执行", "answer": "是"}, {"item": "安全", "answer": "是"},
]


def sign_report(stack: DatabaseStack, world: Directory, plan: Plan, drawn: Api,
                folder: Path) -> None:
    """Step 5: draft, fill, sign; the PDF verifies offline and is under COMPLIANCE."""
    today = china_day(datetime.now(UTC))
    draft = drawn.post(f"{plan.path}/reports",
                       {"opinion": "初稿", "conclusion": "合格"}, expect=201)
    assert (draft["version"], draft["signed"]) == (1, False), draft
    report = f"/api/reports/{draft['id']}"
    filled = drawn.patch(report, {
        "checklist": [{**entry, "evidence": [f"{plan.path}/coverage"]} for entry in CHECKLIST],
        "opinion": "核对签到表并补充说明缺考人员", "conclusion": "整改后认可",
        "rectification_deadline": (today + timedelta(days=30)).isoformat()})
    assert [e["answer"] for e in filled["content"]["checklist"]] == [
        e["answer"] for e in CHECKLIST]
    events = [item["event"]["id"] for item in drawn.get(f"{plan.path}/review")]
    descriptions = [f["description"] for f in filled["content"]["findings"]]
    assert len(descriptions) == 1 + len(events), descriptions  # the manual one + confirmed
    assert sum(d.startswith("分析事件 #") for d in descriptions) == len(events), descriptions
    signed = drawn.post(f"{report}/sign")
    assert signed["signed"] and signed["pdf_sha256"], signed
    header = signed["content"]["header"]
    assert (header["filing_number"], header["planned"], header["present"], header["absent"]) \
        == (FILING_NUMBER, EXAMINEES, EXAMINEES - ABSENT, ABSENT), header
    assert world.admin.get(plan.path)["state"] == "report_signed"

    pdf = drawn.call("GET", f"{report}/pdf").content
    assert hashlib.sha256(pdf).hexdigest() == signed["pdf_sha256"]
    (path := folder / "report.pdf").write_bytes(pdf)
    fingerprint = service_identity(stack.data_dir).fingerprint  # the operator's pinned value
    verified = stack.cli("supervision", "verify-report", str(path),
                         "--cert-fingerprint", fingerprint)
    assert verified.returncode == 0 and verified.stdout.startswith("genuine"), verified.stderr
    check_retention(stack, world, draft["id"])
    acknowledged = world.admin.post(f"{report}/acknowledge", {"head_name": HEAD})
    assert acknowledged["acknowledged_by"] == HEAD and acknowledged["acknowledged_at"]


def check_retention(stack: DatabaseStack, world: Directory, report_id: int) -> None:
    """The signed PDF is under COMPLIANCE retention, at least as long as the footage."""
    with stack.db() as db:
        row = db.get(Report, report_id)
        assert row is not None and row.pdf_key and row.pdf_version and row.signed_at
        key, version, signed_at = row.pdf_key, row.pdf_version, row.signed_at
        footage_until = db.scalar(select(Segment.retain_until)
                                  .where(Segment.camera_id == world.camera)
                                  .order_by(Segment.retain_until.desc()).limit(1))
    mode, until = store_of(stack).retention(key, version)
    assert mode == "COMPLIANCE", mode
    assert footage_until is not None and until >= footage_until, (until, footage_until)
    assert until >= signed_at + timedelta(days=5 * 365), (until, signed_at)


def backdate_publicity(stack: DatabaseStack, plan: Plan, today: date, days: int) -> None:
    """Move the publicity's start back so that exactly ``days`` working days have run by
    today (see the module docstring for why)."""
    with stack.db() as db:
        batch = db.get(Batch, plan.batch)
        assert batch is not None
        batch.publicity_started_on = load_calendar(db).add_working_days(today, -(days + 1))


def publicity_and_results(stack: DatabaseStack, world: Directory, plan: Plan) -> None:
    """Step 6: publicity; the gate refuses results until it has run, then accepts them;
    the batch is accepted by the administrator, recorded; the audit chain holds."""
    admin, today = world.admin, china_day(datetime.now(UTC))
    opened = transition(admin, plan, "open_publicity", "publicity")
    assert opened["publicity_started_on"] == today.isoformat()
    gate = admin.get(f"{plan.path}/gate")
    assert not gate["open"] and codes(gate) == ["publicity_not_elapsed"], gate
    refused = admin.post(f"{plan.path}/transitions/file_results", None, expect=409)
    assert refused["state"] == "publicity" and codes(refused) == ["publicity_not_elapsed"]

    backdate_publicity(stack, plan, today, gate["publicity_days_required"])
    gate = admin.get(f"{plan.path}/gate")
    assert gate["open"] and gate["missing"] == [], gate
    assert gate["publicity_days_elapsed"] == gate["publicity_days_required"], gate
    filed = transition(admin, plan, "file_results", "results_filed")
    assert filed["results_filed_on"] == today.isoformat()
    assert [f["code"] for f in filed["flags"]] == ["plan_filed_late"], filed["flags"]
    before = datetime.now(UTC)
    accepted = transition(admin, plan, "accept", "accepted")
    assert accepted["decided_by"] == f"user:{world.admin_id}", accepted
    assert before - timedelta(seconds=1) <= parse(accepted["decided_at"]) <= datetime.now(UTC)

    actions = audit_actions(stack, f"batch:{plan.batch}")
    assert actions.count("batch.transition") == 8, actions  # file … accept
    verified = stack.cli("admin", "audit", "verify")
    assert verified.returncode == 0 and "holds" in verified.stdout, verified.stderr


def enter_calendar_years(stack: DatabaseStack, folder: Path) -> None:
    """A batch planned today has deadlines weeks ahead, which from December fall in next
    year: the calendar refuses a year nobody entered (fail closed; the seed ends with 2026).
    Enter a provisional year the way an administrator would when the seed lacks it."""
    today = china_day(datetime.now(UTC))
    for year in sorted({today.year, (today + timedelta(days=90)).year}):
        days = folder / f"calendar-{year}.csv"
        days.write_text(f"date,kind,name\n{year}-01-01,holiday,元旦\n", encoding="utf-8")
        entered = stack.cli("supervision", "calendar", "add-year", str(year), "--file",
                            str(days), "--notice", "test: provisional (New Year's Day only)")
        assert entered.returncode == 0 or "already entered" in entered.stderr + entered.stdout, \
            entered.stderr


@pytest.fixture(params=["sqlite", "postgresql"])
def batch_stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                seaweed: EmbeddedSeaweedFS) -> Iterator[DatabaseStack]:
    """A server with analysis on, its data layer on each database in turn."""
    with database_stack(request.param, tmp_path_factory.mktemp("batch"), seaweed) as stack:
        yield stack


@pytest.mark.timeout(1500)
def test_a_batch_from_plan_to_accepted_results(batch_stack: DatabaseStack, h264_footage: Path,
                                              tmp_path: Path) -> None:
    stack = batch_stack
    with step("1 directory: regions, college, site, room, camera, supervisor pool"):
        enter_calendar_years(stack, tmp_path)
        world = build_directory(stack)
    with step("3a the agent publishes and records; the detector analyses"):
        start_agent(stack, world, h264_footage)
    with step("2 plan, file late with the override, draw, verify the draw, start"):
        plan = plan_batch(world)
        drawn, other = file_draw_start(stack, world, plan)
    with step("3b analysis raises person_missing in the window; segments indexed"):
        event = wait_for_event(drawn, plan)
        coverage = recorded_to_the_end(drawn, plan)
        stack.agents[0].stop()  # the window is over: spare the shared CPU for the report
    with step("4 review every event, a finding, explain the gaps, attendance, end"):
        review_and_end(world, plan, drawn, other, coverage, event)
    with step("5 draft, fill and sign the report; verify the PDF; COMPLIANCE retention"):
        sign_report(stack, world, plan, drawn, tmp_path)
    with step("6 publicity, the gate, results filed, accepted; the audit chain"):
        publicity_and_results(stack, world, plan)
