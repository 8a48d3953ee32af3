"""Regenerate the checked-in calendar seed (data/cn_calendar.json) from ``chinesecalendar``.

Run as ``proctor supervision calendar export-seed``. ``chinesecalendar`` is needed only here
(``pip install chinesecalendar==1.11.0``); the product reads the JSON file and the database,
never the package. Days in December that belong to the next year's New Year holiday are
filed under the next year's notice (see :mod:`proctor.supervision.year_entry`). Days the
package gets wrong are corrected from the notice (:data:`CORRECTIONS`).
"""

from __future__ import annotations

import json
from datetime import date
from importlib import metadata
from pathlib import Path

from proctor.errors import InvalidInput
from proctor.supervision.calendar import CalendarDay, DayKind
from proctor.supervision.year_entry import SEED_PATH, YearEntry, day_to_json

FIRST_YEAR, LAST_YEAR = 2004, 2026
_TITLE = "国务院办公厅关于{year}年部分节假日安排的通知"
# The notices the package's dates come from, as its generator cites them (gov.cn paths).
_NOTICES: dict[int, str] = {
    2004: "(zh.wikisource.org)", 2005: "(no official address recorded)",
    2006: "gov.cn/jrzg/2005-12/22/content_133837.htm",
    2007: "gov.cn/fwxx/sh/2006-12/18/content_471877.htm",
    2008: "gov.cn/zwgk/2007-12/18/content_837184.htm",
    2009: "gov.cn/zwgk/2008-12/10/content_1174014.htm",
    2010: "gov.cn/zwgk/2009-12/08/content_1482691.htm",
    2011: "gov.cn/zwgk/2010-12/10/content_1762643.htm",
    2012: "gov.cn/zwgk/2011-12/06/content_2012097.htm",
    2013: "gov.cn/zwgk/2012-12/10/content_2286598.htm",
    2014: "gov.cn/zwgk/2013-12/11/content_2546204.htm",
    2015: "gov.cn/zhengce/content/2014-12/16/content_9302.htm；国务院关于中国人民抗日战争暨"
          "世界反法西斯战争胜利70周年纪念日调休放假的通知 gov.cn/zhengce/content/2015-05/13/"
          "content_9742.htm",
    2016: "gov.cn/zhengce/content/2015-12/10/content_10394.htm",
    2017: "gov.cn/zhengce/content/2016-12/01/content_5141603.htm",
    2018: "gov.cn/zhengce/content/2017-11/30/content_5243579.htm",
    2019: "gov.cn/xinwen/2018-12/06/content_5346287.htm；调整2019年劳动节假期安排 "
          "gov.cn/zhengce/content/2019-03/22/content_5375877.htm",
    2020: "gov.cn/zhengce/content/2019-11/21/content_5454164.htm；延长2020年春节假期 "
          "gov.cn/zhengce/content/2020-01/27/content_5472352.htm",
    2021: "gov.cn/zhengce/content/2020-11/25/content_5564127.htm",
    2022: "gov.cn/zhengce/content/2021-10/25/content_5644835.htm",
    2023: "gov.cn/zhengce/content/2022-12/08/content_5730844.htm",
    2024: "gov.cn/zhengce/content/202310/content_6911527.htm",
    2025: "gov.cn/zhengce/content/202411/content_6986382.htm",
    2026: "2025-11-04",
}
# Days the package lacks, each checked against its notice. The 2006 notice: "将12月31日(星期六)、
# 1月1日(星期日)两个公休日调至1月2日(星期一)、3日(星期二)，12月31日(星期六)上班" (the
# `holidays` package has it too; chinesecalendar 1.11.0 treats 2005-12-31 as a rest day).
CORRECTIONS: dict[int, tuple[CalendarDay, ...]] = {
    2006: (CalendarDay(date(2005, 12, 31), DayKind.MAKEUP_WORKDAY, "元旦"),),
}


def _package_version() -> str:
    try:
        import chinese_calendar  # noqa: F401
    except ImportError:
        raise InvalidInput("export-seed reads the chinesecalendar package: "
                           "pip install chinesecalendar==1.11.0") from None
    return metadata.version("chinesecalendar")


def notice_year(day: date, holiday: str) -> int:
    """The year whose notice names ``day``: December days of a New Year holiday belong to
    the next year's notice."""
    return day.year + 1 if day.month == 12 and holiday == "New Year's Day" else day.year


def package_entries() -> list[YearEntry]:
    """Every year the installed ``chinesecalendar`` covers, as year entries."""
    version = _package_version()
    from chinese_calendar import Holiday, constants

    days = {year: list(CORRECTIONS.get(year, ())) for year in range(FIRST_YEAR, LAST_YEAR + 1)}
    for kind, table in ((DayKind.HOLIDAY, constants.holidays),
                        (DayKind.MAKEUP_WORKDAY, constants.workdays)):
        for day, holiday in table.items():
            days[notice_year(day, holiday)].append(
                CalendarDay(day, kind, Holiday(holiday).chinese))
    return [YearEntry(year, _source(year, version), tuple(sorted(found, key=lambda d: d.day)))
            for year, found in days.items()]


def _source(year: int, version: str) -> str:
    """The source notice of ``year``'s days, naming the package and any correction."""
    text = f"{_TITLE.format(year=year)} {_NOTICES[year]}；dates from chinesecalendar {version}"
    fixed = ", ".join(f"{d.day} {d.kind.value}" for d in CORRECTIONS.get(year, ()))
    return f"{text}, corrected from the notice: {fixed}" if fixed else text


def render_seed(entries: list[YearEntry]) -> str:
    """The seed file's text: one line per day, so a changed day is a one-line diff."""
    years = []
    for entry in entries:
        head = json.dumps({"year": entry.year, "source_notice": entry.source_notice},
                          ensure_ascii=False)[:-1]
        days = ",\n".join(f"    {json.dumps(day_to_json(day), ensure_ascii=False)}"
                          for day in entry.days)
        years.append(f'  {head}, "days": [\n{days}\n  ]}}')
    return ('{"generated_by": "proctor supervision calendar export-seed", "years": [\n'
            + ",\n".join(years) + "\n]}\n")


def export_seed(path: Path = SEED_PATH) -> list[YearEntry]:
    """Write the seed file from the installed package; returns what was written."""
    entries = package_entries()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_seed(entries), encoding="utf-8")
    return entries
