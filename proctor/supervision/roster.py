"""A room's roster (名册) read from CSV (pure): the examinees and the staff of one session room.

One file per session room, one person per line, with the header ``身份,编号,姓名,座位``
(or ``role,number,name,seat``):

- ``身份`` is 考生 (``candidate``), 考评员 (``examiner``) or 监考员 (``invigilator``);
- ``编号`` is the 准考证号 of an examinee, the qualification number (资格证书编号) of an
  examiner (required) or an invigilator (optional);
- ``座位`` is the examinee's seat; staff have none.

The file is UTF-8, with or without a byte-order mark; a file that is not UTF-8 is read as
GB18030 (what Excel saves on Chinese Windows). Every bad line is reported with its number
and reason in one :class:`RosterRejected`; nothing is imported unless every line is good.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass

from proctor.errors import InvalidInput
from proctor.organisations.text import clean_text
from proctor.supervision.records import StaffRole

MAX_BYTES = 256 * 1024  # ~2,500 lines: far more than any room
MAX_PEOPLE = 600  # 500 examinees (a scene's limit) plus their staff
HEADERS = {("身份", "编号", "姓名", "座位"): "zh", ("role", "number", "name", "seat"): "en"}
# 身份 -> the staff role, or None for an examinee (考生)
_ROLES: dict[str, StaffRole | None] = {
    "考生": None, "candidate": None, "考评员": StaffRole.EXAMINER,
    "examiner": StaffRole.EXAMINER, "监考员": StaffRole.INVIGILATOR,
    "invigilator": StaffRole.INVIGILATOR}
_LIMITS = {"number": 50, "name": 100, "seat": 20}


class RosterTooLarge(InvalidInput):
    """The file is larger than :data:`MAX_BYTES` (HTTP 413)."""


@dataclass(frozen=True)
class Problem:
    """A bad line of a roster file."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


class RosterRejected(InvalidInput):
    """The roster has bad lines; ``problems`` lists every one (nothing was imported)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(f"roster refused, nothing imported; {len(problems)} bad line(s):\n"
                         + "\n".join(map(str, problems)))

    def details(self) -> dict[str, object]:
        """The 400 body's fields besides ``detail``: every bad line and why."""
        return {"problems": [{"line": p.line, "reason": p.reason} for p in self.problems]}


@dataclass(frozen=True)
class CandidateRow:
    """An examinee: 准考证号, name, seat."""

    ticket_number: str
    name: str
    seat: str


@dataclass(frozen=True)
class StaffRow:
    """An examiner or invigilator."""

    role: StaffRole
    name: str
    qualification_number: str


@dataclass(frozen=True)
class RosterFile:
    """A parsed roster, every line good."""

    candidates: tuple[CandidateRow, ...]
    staff: tuple[StaffRow, ...]


def decode(data: bytes) -> str:
    """The text of a roster file: UTF-8 (a BOM is dropped), else GB18030."""
    if len(data) > MAX_BYTES:
        raise RosterTooLarge(f"roster file is {len(data)} bytes; the limit is {MAX_BYTES}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as error:
        raise InvalidInput(f"roster file is neither UTF-8 nor GB18030 (byte {error.start}): "
                           "save it as CSV UTF-8") from error


def _cell(value: str, what: str, required: bool) -> str:
    text = clean_text(value, what, required=required)
    if len(text) > _LIMITS[what]:
        raise InvalidInput(f"{what} is longer than {_LIMITS[what]} characters")
    return text


def _parse_line(row: list[str]) -> CandidateRow | StaffRow:
    if len(row) != 4:
        raise InvalidInput(f"expected 4 columns (身份,编号,姓名,座位), got {len(row)}")
    word = row[0].strip()
    if word not in _ROLES:
        raise InvalidInput(f"身份 {word[:20]!r} is not 考生, 考评员 or 监考员")
    role = _ROLES[word]
    name = _cell(row[2], "name", required=True)
    if role is None:
        return CandidateRow(_cell(row[1], "number", required=True), name,
                            _cell(row[3], "seat", required=False))
    if row[3].strip():
        raise InvalidInput(f"{role.value} {name} has a seat: only examinees (考生) have seats")
    number = _cell(row[1], "number", required=role is StaffRole.EXAMINER)
    return StaffRow(role, name, number)


def _duplicates(rows: list[tuple[int, CandidateRow | StaffRow]]) -> list[Problem]:
    """Lines repeating a 准考证号 or a seat given on an earlier line."""
    problems = []
    for what, key in (("准考证号", "ticket_number"), ("seat", "seat")):
        seen: Counter[str] = Counter()
        for line, row in rows:
            value = getattr(row, key, "") if isinstance(row, CandidateRow) else ""
            if value and seen[value]:
                problems.append(Problem(line, f"{what} {value} repeats an earlier line"))
            seen[value] += 1
    return problems


def _lines(data: bytes) -> list[tuple[int, list[str]]]:
    """The numbered, non-blank lines after the header (checked here)."""
    try:
        lines = list(csv.reader(io.StringIO(decode(data))))
    except csv.Error as error:
        raise InvalidInput(f"roster file is not readable CSV: {error}") from error
    if not lines or tuple(cell.strip() for cell in lines[0]) not in HEADERS:
        raise RosterRejected([Problem(1, "the first line must be the header 身份,编号,姓名,座位 "
                                         "(or role,number,name,seat)")])
    numbered = [(n, row) for n, row in enumerate(lines[1:], start=2)
                if any(cell.strip() for cell in row)]
    if len(numbered) > MAX_PEOPLE:
        raise RosterTooLarge(f"roster file has {len(numbered)} lines; a room's roster holds "
                             f"at most {MAX_PEOPLE} people")
    return numbered


def parse(data: bytes) -> RosterFile:
    """The roster in ``data``; :class:`RosterRejected` listing every bad line."""
    rows: list[tuple[int, CandidateRow | StaffRow]] = []
    problems = []
    for line, row in _lines(data):
        try:
            rows.append((line, _parse_line(row)))
        except InvalidInput as error:
            problems.append(Problem(line, str(error)))
    problems = sorted(problems + _duplicates(rows), key=lambda p: p.line)
    if problems:
        raise RosterRejected(problems)
    return RosterFile(tuple(r for _, r in rows if isinstance(r, CandidateRow)),
                      tuple(r for _, r in rows if isinstance(r, StaffRow)))
