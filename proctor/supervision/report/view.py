"""What the template prints, as plain strings: every value formatted here, in Python.

The template receives this as JSON through ``sys.inputs`` and places the strings as text,
so nothing a user typed is ever read as Typst markup or code.
"""

from __future__ import annotations

from datetime import date, datetime

from proctor.supervision.report.content import Clip, Finding, SupervisionReport
from proctor.supervision.report.manifest import ATTACHMENT_NAME, ManifestSummary
from proctor.supervision.report.text import BEIJING

TITLE = "职业技能等级认定质量督导报告"
NOT_RECORDED = "未登记"
NOTICE = ("本报告以 PDF 电子签名（PAdES）签署，签署后不可更改；修订须另出新版本并引用本版本。"
          "可用 proctor supervision verify-report 离线核验签名。")
View = dict[str, object]


def when(moment: datetime) -> str:
    """A time as printed: Beijing time, to the second."""
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def day(value: date) -> str:
    """A date as printed."""
    return f"{value.year}年{value.month}月{value.day}日"


def clip_range(clip: Clip) -> str:
    """``start–end``, the end's date left out when it is the start's."""
    start, end = when(clip.start), when(clip.end)
    return f"{start}–{end[11:] if end[:10] == start[:10] else end}"


def _recorded(value: object | None) -> str:
    return NOT_RECORDED if value is None else str(value)


def _header(report: SupervisionReport) -> list[list[str]]:
    h = report.header
    return [["报告编号", h.report_number], ["版本", f"第{report.version}版"],
            ["认定批次", h.batch], ["备案号", _recorded(h.filing_number)],
            ["认定机构", h.organisation],
            ["职业/工种", f"{h.occupation.name}（{h.occupation.code}）"],
            ["等级", h.level], ["认定方式", h.mode], ["考点", h.site], ["考场", h.room],
            ["日期", day(h.session_date)], ["场次", h.session],
            ["应考人数", str(h.planned)], ["实考人数", _recorded(h.present)],
            ["缺考人数", _recorded(h.absent)], ["督导类型", f"{h.side}·{h.manner}"]]


def _finding(finding: Finding) -> View:
    return {"title": f"问题{finding.number}　{finding.item}（{finding.severity}）",
            "description": finding.description,
            "clips": [[clip.camera, clip_range(clip), str(len(clip.segments))]
                      for clip in finding.clips]}


def _amends(report: SupervisionReport) -> str | None:
    cited = report.amends
    if cited is None:
        return None
    return (f"本报告为第{report.version}版，修订并替代报告 {cited.report_number} "
            f"第{cited.version}版（原 PDF SHA-256：{cited.pdf_sha256}）。修订说明：{cited.reason}")


def _acknowledgement(report: SupervisionReport) -> str:
    ack = report.acknowledgement
    if ack is None:
        return "机构负责人尚未确认。"
    return f"机构负责人：{ack.name}　　确认时间：{when(ack.at)}"


def report_view(report: SupervisionReport, summary: ManifestSummary, font: str) -> View:
    """Everything the template prints, for ``report`` and its manifest ``summary``."""
    h = report.header
    return {
        "font": font, "title": TITLE,
        "subtitle": f"报告编号 {h.report_number}　第{report.version}版　"
                    f"填报时间 {when(report.issued_at)}",
        "keywords": ["督导报告", h.report_number, _recorded(h.filing_number)],
        "author": "、".join(s.name for s in h.supervisors),
        "amends": _amends(report), "header": _header(report),
        "supervisors": [[s.name, s.draw_id, s.qualification_no or "—"] for s in h.supervisors],
        "recusal": h.recusal_statement,
        "checklist": [[str(n), e.item, e.answer, e.remark or "", "\n".join(e.evidence)]
                      for n, e in enumerate(report.checklist, 1)],
        "findings": [_finding(f) for f in report.findings],
        "manifest": [["附件", ATTACHMENT_NAME], ["视频片段数", str(summary.clips)],
                     ["涉及摄像头", str(summary.cameras)], ["分段数", str(summary.segments)],
                     ["清单 SHA-256", summary.sha256]],
        "opinion": report.opinion,
        "deadline": day(report.rectification_deadline) if report.rectification_deadline
        else "无",
        "conclusion": report.conclusion, "acknowledgement": _acknowledgement(report),
        "notice": NOTICE, "footer": f"督导报告 {h.report_number} 第{report.version}版",
    }
