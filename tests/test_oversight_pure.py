"""The pure parts of 三级 oversight: region subtrees, deadline cut-offs (checked against
the deadline functions for every anchor around holidays and 调休), summary rows, notices."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from proctor.db.organisations import RegionLevel
from proctor.oversight.cutoffs import (
    DueStep,
    Rules,
    cutoffs,
    deadline_function,
    earliest_anchor,
)
from proctor.oversight.notices import ComplaintStep, Notice, Stage, Subject, stage_of
from proctor.oversight.regions import covering_grant, lineage, subtree
from proctor.oversight.summary import Child, Tallies, fold
from proctor.supervision.calendar import WorkingCalendar, YearNotEntered
from proctor.supervision.deadlines import OrganisationKind
from proctor.supervision.settings import SupervisionSettings
from proctor.supervision.states import BatchState
from proctor.supervision.year_entry import calendar_of, load_seed


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return calendar_of(load_seed())


@pytest.fixture(scope="module")
def rules() -> Rules:
    return Rules.of(SupervisionSettings())


def test_a_subtree_is_the_code_range_below_a_region() -> None:
    province, city, district = subtree("350000"), subtree("350200"), subtree("350203")
    assert (province.low, province.high, province.level) == ("350000", "359999",
                                                             RegionLevel.PROVINCE)
    assert (city.low, city.high) == ("350200", "350299")
    assert (district.low, district.high) == ("350203", "350203")
    assert province.child_code("350203") == "350200"
    assert city.child_code("350203") == "350203"
    assert district.child_digits is None
    with pytest.raises(ValueError, match="organisations"):
        district.child_code("350203")
    with pytest.raises(ValueError, match="six digits"):
        subtree("35")


def test_a_grant_covers_its_region_and_below_never_a_neighbour() -> None:
    assert lineage("350203") == ("350203", "350200", "350000")
    assert covering_grant(["350000"], "350203") == "350000"
    assert covering_grant(["350200"], "350203") == "350200"
    assert covering_grant(["350203"], "350203") == "350203"
    assert covering_grant(["350206"], "350203") is None  # 湖里区 does not see 思明区
    assert covering_grant(["350203"], "350200") is None  # a district never sees its city
    assert covering_grant([], "350000") is None


@pytest.mark.parametrize("today", [date(2026, 1, 20), date(2026, 2, 10), date(2026, 2, 24),
                                   date(2026, 4, 30), date(2026, 9, 30), date(2026, 10, 9)])
def test_a_cutoff_splits_anchors_exactly_where_the_deadline_passes(
        cal: WorkingCalendar, rules: Rules, today: date) -> None:
    """Around 春节, 劳动节 and 国庆 (with their 调休 Saturdays): an anchor is before the
    cut-off exactly when its deadline is before today, for every step and kind."""
    cut = cutoffs(cal, rules, today)
    checks = [(deadline_function(cal, rules, DueStep.PLAN_FILING, kind), cut.plan[kind])
              for kind in OrganisationKind]
    checks += [(deadline_function(cal, rules, DueStep.REPORT_SIGNING), cut.report),
               (deadline_function(cal, rules, DueStep.RESULTS_FILING), cut.results)]
    for deadline_of, cutoff in checks:
        for offset in range(-45, 46):
            anchor = today + timedelta(days=offset)
            if anchor.year != 2026:
                continue
            assert (anchor < cutoff) == (deadline_of(anchor) < today), (anchor, cutoff)


def test_plan_cutoff_follows_the_organisation_kind(cal: WorkingCalendar, rules: Rules) -> None:
    cut = cutoffs(cal, rules, date(2026, 6, 1))  # a Monday
    # 15 working days ahead for enterprises (端午 on Friday 19 June is not one), 10 for
    # colleges: a first session before the cut-off has its plan overdue today
    assert cut.plan[OrganisationKind.ENTERPRISE] == date(2026, 6, 23)
    assert cut.plan[OrganisationKind.COLLEGE] == date(2026, 6, 13)


def test_a_year_not_entered_fails_closed(cal: WorkingCalendar, rules: Rules) -> None:
    with pytest.raises(YearNotEntered, match="2027"):
        cutoffs(cal, rules, date(2026, 12, 28))


def test_earliest_anchor_of_a_plain_shift() -> None:
    assert earliest_anchor(lambda d: d + timedelta(days=3), date(2026, 5, 10)) == date(2026, 5, 7)
    assert earliest_anchor(lambda d: d - timedelta(days=3), date(2026, 5, 10)) == date(2026, 5,
                                                                                       13)


def test_fold_gives_every_child_a_row_and_a_total() -> None:
    children = [Child("3502", "厦门市"), Child("3501", "福州市")]
    rows, total = fold(children, Tallies(
        states=[("3502", BatchState.DRAFT, 2), ("3502", BatchState.PUBLICITY, 1)],
        overdue=[("3502", DueStep.PLAN_FILING, 1)], complaints=[("3502", 3, 1)]))
    assert [row.child.name for row in rows] == ["厦门市", "福州市"]
    assert rows[0].counts.batches == 3 and rows[0].counts.overdue_total == 1
    assert rows[0].counts.batches_by_state[BatchState.PUBLICITY] == 1
    assert rows[1].counts.batches == 0 and rows[1].counts.complaints_open == 0
    assert (total.batches, total.overdue[DueStep.PLAN_FILING], total.complaints_open,
            total.complaints_overdue) == (3, 1, 3, 1)
    with pytest.raises(ValueError, match="not a child"):
        fold(children, Tallies(states=[("3503", BatchState.DRAFT, 1)], overdue=[]))


def test_a_notice_is_due_soon_then_overdue_and_keyed_by_stage() -> None:
    today, horizon = date(2026, 6, 1), date(2026, 6, 4)
    assert stage_of(date(2026, 5, 29), today, horizon) is Stage.OVERDUE
    assert stage_of(today, today, horizon) is Stage.DUE_SOON
    assert stage_of(horizon, today, horizon) is Stage.DUE_SOON
    assert stage_of(date(2026, 6, 5), today, horizon) is None
    soon = Notice(Subject.BATCH, 7, DueStep.RESULTS_FILING, horizon, Stage.DUE_SOON, 3, "350203")
    late = Notice(Subject.BATCH, 7, DueStep.RESULTS_FILING, horizon, Stage.OVERDUE, 3, "350203")
    assert soon.key != late.key
    assert soon.message() == "批次 7 认定结果备案 即将到期（期限 2026-06-04）"
    complaint = Notice(Subject.COMPLAINT, 9, ComplaintStep.FIRST_REVIEW, today, Stage.OVERDUE,
                       3, "350203")
    assert complaint.message() == "投诉 9 投诉初审 逾期（期限 2026-06-01）"
