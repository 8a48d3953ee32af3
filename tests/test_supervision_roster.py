"""Roster CSV: good files (with and without BOM, GB18030), every bad line by number, all or
nothing, the size limit, and re-import replacing the roster."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session
from support.batches import ADMIN, ROSTER, build_world, planned_batch

from proctor.errors import Conflict, InvalidInput
from proctor.supervision import roster, roster_service
from proctor.supervision.records import StaffRole
from proctor.supervision.roster import Problem, RosterRejected, RosterTooLarge
from proctor.supervision.states import BatchState

GOOD = ROSTER.decode()


def test_a_good_roster_reads_examinees_and_staff() -> None:
    parsed = roster.parse(ROSTER)
    assert [(c.ticket_number, c.name, c.seat) for c in parsed.candidates] == [
        ("2026001", "张三", "A1"), ("2026002", "李四", "A2")]
    assert [(s.role, s.name, s.qualification_number) for s in parsed.staff] == [
        (StaffRole.EXAMINER, "王五", "KP-001"), (StaffRole.INVIGILATOR, "赵六", "")]


@pytest.mark.parametrize("data", [
    b"\xef\xbb\xbf" + ROSTER,  # Excel's "CSV UTF-8" writes a BOM
    GOOD.encode("gb18030"),  # Excel on Chinese Windows
    GOOD.replace("\n", "\r\n").encode(),
    GOOD.replace("身份,编号,姓名,座位", "role,number,name,seat")
        .replace("考生", "candidate").encode(),
])
def test_encodings_and_header_spellings_read_the_same(data: bytes) -> None:
    assert roster.parse(data) == roster.parse(ROSTER)


def test_every_bad_line_is_reported_with_its_number() -> None:
    data = ("身份,编号,姓名,座位\n"
            "考生,2026001,张三,A1\n"  # 2 good
            "学生,2026002,李四,A2\n"  # 3 unknown role
            "考生,,王五,A3\n"  # 4 no ticket number
            "考生,2026001,钱七,A4\n"  # 5 ticket repeated
            "\n"  # 6 blank: skipped
            "考评员,,孙八,\n"  # 7 examiner without qualification
            "监考员,,周九,B1\n"  # 8 staff with a seat
            "考生,2026009,吴十\n"  # 9 three columns
            "考生,2026010,\u200b\u0007,A5\n"  # 10 control character
            "考生,2026011,郑一,A1\n"  # 11 seat repeated
            f"考生,2026012,{'长' * 101},A6\n")  # 12 name too long
    with pytest.raises(RosterRejected) as caught:
        roster.parse(data.encode())
    assert [p.line for p in caught.value.problems] == [3, 4, 5, 7, 8, 9, 10, 11, 12]
    text = str(caught.value)
    for fragment in ("line 3: 身份 '学生'", "line 4: number must not be blank",
                     "line 5: 准考证号 2026001 repeats", "line 7: number must not be blank",
                     "line 8: 监考员 周九 has a seat", "line 9: expected 4 columns",
                     "line 10: name holds the non-printable", "line 11: seat A1 repeats",
                     "line 12: name is longer than 100"):
        assert fragment in text
    assert text.startswith("roster refused, nothing imported; 9 bad line(s)")


@pytest.mark.parametrize(("data", "problem"), [
    (b"", Problem(1, "the first line must be the header 身份,编号,姓名,座位 "
                     "(or role,number,name,seat)")),
    (b"name,seat\n", None),
])
def test_a_missing_header_is_line_one(data: bytes, problem: Problem | None) -> None:
    with pytest.raises(RosterRejected) as caught:
        roster.parse(data)
    assert caught.value.problems[0].line == 1
    if problem:
        assert caught.value.problems == [problem]


def test_oversize_files_and_rosters_are_413_errors() -> None:
    with pytest.raises(RosterTooLarge, match="limit is 262144"):
        roster.parse(b"x" * (roster.MAX_BYTES + 1))
    lines = "".join(f"考生,{n},某,\n" for n in range(roster.MAX_PEOPLE + 1))
    with pytest.raises(RosterTooLarge, match="at most 600 people"):
        roster.parse(("身份,编号,姓名,座位\n" + lines).encode())


def test_undecodable_and_broken_csv_are_refused_clearly() -> None:
    with pytest.raises(InvalidInput, match="neither UTF-8 nor GB18030"):
        roster.parse(b"\xff\xff\xff\xff")
    with pytest.raises(InvalidInput, match="not readable CSV"):
        roster.parse(("身份,编号,姓名,座位\n考生,1,\"" + "x" * 140_000 + "\",A\n").encode())


def test_import_replaces_the_roster_all_or_nothing(db: Session) -> None:
    batch = planned_batch(db, build_world(db))
    room = batch.sessions[0].rooms[0]
    bad = GOOD + "考生,2026003,,A3\n"
    with pytest.raises(RosterRejected):
        roster_service.import_roster(db, ADMIN, room.id, bad.encode())
    assert len(room.candidates) == 2  # untouched
    staff_only = "身份,编号,姓名,座位\n监考员,,赵六,\n"
    roster_service.import_roster(db, ADMIN, room.id, staff_only.encode())
    assert room.candidates == [] and room.expected_examinees == 2  # count kept
    roster_service.import_roster(db, ADMIN, room.id, ROSTER)  # same tickets again: fine
    assert len(room.candidates) == 2 and len(room.staff) == 2


def test_import_only_into_a_draft(db: Session) -> None:
    batch = planned_batch(db, build_world(db))
    batch.state = BatchState.IN_PROGRESS
    with pytest.raises(Conflict, match="认定进行中"):
        roster_service.import_roster(db, ADMIN, batch.sessions[0].rooms[0].id, ROSTER)
