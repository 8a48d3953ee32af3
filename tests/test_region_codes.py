"""GB/T 2260 code shapes: level and parent follow from the code; mismatches are named."""

from __future__ import annotations

import pytest

from proctor.db.organisations import RegionLevel
from proctor.organisations.codes import mismatches, shape_of


@pytest.mark.parametrize(("code", "level", "parent"), [
    ("350000", RegionLevel.PROVINCE, None), ("350200", RegionLevel.CITY, "350000"),
    ("350203", RegionLevel.DISTRICT, "350200"), ("110101", RegionLevel.DISTRICT, "110100"),
    ("429004", RegionLevel.DISTRICT, "429000")])  # 仙桃市, under 省直辖县级行政区划
def test_the_shape_gives_level_and_parent(code: str, level: RegionLevel,
                                          parent: str | None) -> None:
    shape = shape_of(code)
    assert (shape.level, shape.parent_code) == (level, parent)


@pytest.mark.parametrize("code", ["35020", "3502031", "035020", "35020x", "３５０２００", "",
                                  " 350200", "350200\n"])
def test_anything_but_six_ascii_digits_is_refused(code: str) -> None:
    with pytest.raises(ValueError, match="six digits"):
        shape_of(code)


def test_given_level_and_parent_must_agree() -> None:
    siming = shape_of("350203")
    assert mismatches(siming, RegionLevel.DISTRICT, "350200") == []
    assert mismatches(siming, None, None) == []
    assert mismatches(siming, RegionLevel.CITY, "350100") == [
        "region 350203 is a district by its code's shape (xx0000 province, xxyy00 city, "
        "else district), not a city",
        "the parent of region 350203 must be 350200 (its code's prefix), not 350100"]
    assert mismatches(shape_of("350000"), None, "350000") == [
        "region 350000 is a province and has no parent, not 350000"]
    assert mismatches(siming, None, "") == [
        "the parent of region 350203 must be 350200 (its code's prefix), not none"]
