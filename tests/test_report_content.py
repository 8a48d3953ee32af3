"""The 督导报告 content model: consistent reports pass, hostile or inconsistent content is
refused with an error that names the field and the problem."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from proctor.supervision.report.content import SupervisionReport
from proctor.supervision.report.manifest import clip_manifest, summarise
from proctor.supervision.report.view import report_view
from proctor_dev.report_sample import sample_report


def _data() -> dict[str, Any]:
    return sample_report(findings=2, cameras=2, hours=1).model_dump(mode="json")


def _refused(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        SupervisionReport.model_validate(data)


def test_the_sample_report_is_consistent_and_its_manifest_counts_every_hash() -> None:
    report = sample_report()
    summary = summarise(report, clip_manifest(report))
    assert (summary.clips, summary.cameras, summary.segments) == (160, 8, 11_520)
    assert (report.header.planned, report.header.present, report.header.absent) == (40, 38, 2)


@pytest.mark.parametrize(("value", "message"), [
    ("厦门\x07学院", "control character U\\+0007 at position 2"),
    ("厦门\u202e院学", "format character U\\+202E"),
    ("厦门\u200b学院", "format character U\\+200B"),
    ("厦门\ue000学院", "private-use character U\\+E000"),
    ("第一行\n第二行", "control character U\\+000A"),  # one-line fields take no breaks
    ("学" * 201, "at most 200 characters"),
    ("   ", "must not be blank"),
])
def test_hostile_text_is_refused_with_its_position(value: str, message: str) -> None:
    data = _data()
    data["header"]["organisation"] = value
    _refused(data, message)


def test_long_text_keeps_line_breaks_but_not_other_controls() -> None:
    data = _data()
    data["opinion"] = "第一条\r\n第二条"
    assert SupervisionReport.model_validate(data).opinion == "第一条\n第二条"
    data["opinion"] = "第一条\x1b[31m"
    _refused(data, "control character U\\+001B")
    data["opinion"] = "很" * 4001
    _refused(data, "at most 4000 characters")


@pytest.mark.parametrize(("path", "value", "message"), [
    (("issued_at",), "9999-12-31T23:59:59+08:00", "outside 2000-01-01..2100-12-31"),
    (("issued_at",), "2026-12-08T14:00:00", "timezone"),
    (("header", "session_date"), "1900-01-01", "outside 2000-01-01..2100-12-31"),
    (("findings", 0, "clips", 0, "start"), "2026-12-08T09:00:00.500+08:00",
     "not to the second"),
    (("findings", 0, "clips", 0, "end"), "2026-12-08T08:00:00+08:00",
     "end must be after start"),
    (("findings", 0, "clips", 0, "segments", 0), "ABC", "pattern"),
    (("header", "report_number"), "DD 2026/01", "pattern"),
    (("checklist", 0, "evidence"), ["javascript:alert(1)"], "pattern"),
    (("header", "planned"), 10**9, "less than or equal to 100000"),
])
def test_absurd_values_are_refused(path: tuple[str | int, ...], value: object,
                                   message: str) -> None:
    data = _data()
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    _refused(data, message)


def test_what_is_not_recorded_prints_as_such() -> None:
    data = _data()
    data["header"] |= {"present": None, "absent": None, "filing_number": None}
    report = SupervisionReport.model_validate(data)
    header = report_view(report, summarise(report, clip_manifest(report)), "Noto")["header"]
    assert isinstance(header, list)
    rows = {row[0]: row[1] for row in header}
    assert rows["备案号"] == rows["实考人数"] == rows["缺考人数"] == "未登记"
    assert rows["应考人数"] == "40"
    data["header"]["present"] = 40
    _refused(data, "present and absent are recorded together")


def test_cross_field_rules() -> None:
    data = _data()
    data["header"]["absent"] = 5
    _refused(data, "present 38 \\+ absent 5 is not planned 40")
    data = _data()
    data["checklist"] = data["checklist"][1:]
    _refused(data, "at least 8 items")
    data = _data()
    data["checklist"][0], data["checklist"][1] = data["checklist"][1], data["checklist"][0]
    _refused(data, "each item once, in order")
    data = _data()
    data["checklist"][3]["remark"] = None  # 守则宣读 is answered 否
    _refused(data, "守则宣读: an answer 否 needs a remark")
    data = _data()
    data["findings"][1]["number"] = 5
    _refused(data, "numbered 1, 2, 3")
    data = _data()
    data["rectification_deadline"] = None
    _refused(data, "整改后认可 needs a rectification deadline")
    data = _data()
    data["header"]["supervisors"][1]["draw_id"] = data["header"]["supervisors"][0]["draw_id"]
    _refused(data, "draw id listed twice")


def test_an_amendment_must_cite_an_earlier_version() -> None:
    data = _data()
    data["version"] = 2
    _refused(data, "version 2 must cite the version it amends")
    data["amends"] = {"report_number": "DD-2026-0001", "version": 2, "pdf_sha256": "a" * 64,
                      "reason": "更正缺考人数"}
    _refused(data, "version 2 cannot amend version 2")
    data["amends"]["version"] = 1
    assert SupervisionReport.model_validate(data).amends is not None
    data["version"] = 1
    _refused(data, "version 1 cannot amend another report")


def test_unknown_fields_and_terms_are_refused() -> None:
    data = _data()
    data["header"]["level"] = "六级"
    _refused(data, "五级")
    data = _data()
    data["conclusion"] = "基本合格"
    _refused(data, "合格")
    data = _data()
    data["signed"] = True
    _refused(data, "Extra inputs are not permitted")
