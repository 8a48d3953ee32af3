"""GB/T 2260 administrative division codes: the shape of a code says its level and parent.

A code is six digits ``PPCCDD``: ``PP0000`` is a province (省级), ``PPCC00`` a city (地级),
anything else a district or county (县级). A city's parent is ``PP0000``, a district's is
``PPCC00`` (for counties directly under a province, ``PP90xx``, that is the province's
"省直辖县级行政区划" grouping code, as in the standard). Pure functions, unit-tested.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from proctor.db.organisations import RegionLevel

_CODE = re.compile(r"[1-9][0-9]{5}")  # the first digit is the 大区 (1-8), never 0


@dataclass(frozen=True)
class CodeShape:
    """What a code's shape says about it."""

    code: str
    level: RegionLevel
    parent_code: str | None


def shape_of(code: str) -> CodeShape:
    """The level and parent of a valid code; :class:`ValueError` for anything else."""
    if not _CODE.fullmatch(code):
        raise ValueError(f"a region code is six digits (GB/T 2260), not starting with 0; "
                         f"got {code!r}")
    if code.endswith("0000"):
        return CodeShape(code, RegionLevel.PROVINCE, None)
    if code.endswith("00"):
        return CodeShape(code, RegionLevel.CITY, code[:2] + "0000")
    return CodeShape(code, RegionLevel.DISTRICT, code[:4] + "00")


def mismatches(shape: CodeShape, level: RegionLevel | None,
               parent_code: str | None) -> list[str]:
    """Every way a given level or parent disagrees with the code's shape (empty: none);
    a value not given is taken from the shape."""
    problems = []
    if level is not None and level is not shape.level:
        problems.append(f"region {shape.code} is a {shape.level.value} by its code's shape "
                        f"(xx0000 province, xxyy00 city, else district), not a {level.value}")
    if parent_code is not None and parent_code != (shape.parent_code or ""):
        problems.append(
            f"the parent of region {shape.code} must be {shape.parent_code} (its code's "
            f"prefix), not {parent_code or 'none'}" if shape.parent_code else
            f"region {shape.code} is a province and has no parent, not {parent_code}")
    return problems
