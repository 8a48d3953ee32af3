"""The region subtree a code stands for, and whether granted regions cover it (pure).

GB/T 2260 codes nest by prefix (:mod:`proctor.organisations.codes`): a province ``PP0000``
holds every code ``PPxxxx``, a city ``PPCC00`` every ``PPCCxx``, a district only itself.
Organisations belong to districts, so the organisations below a region are those whose
district code lies in the subtree's code range: one indexed range condition in SQL, no
walk of the tree. The children of a province are its cities (a district's first four
digits and ``00``), those of a city its districts, those of a district its organisations.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from proctor.db.organisations import RegionLevel
from proctor.organisations.codes import shape_of

_PREFIX = {RegionLevel.PROVINCE: 2, RegionLevel.CITY: 4, RegionLevel.DISTRICT: 6}


@dataclass(frozen=True)
class Subtree:
    """A region and the code range of the districts within it."""

    code: str
    level: RegionLevel
    low: str  # the smallest code within (inclusive)
    high: str  # the largest code within (inclusive)

    @property
    def child_digits(self) -> int | None:
        """How many leading digits of a district code name the child region it lies in
        (a city: 4, a district: 6); ``None`` for a district, whose children are its
        organisations."""
        return {RegionLevel.PROVINCE: 4, RegionLevel.CITY: 6}.get(self.level)

    def child_code(self, district_code: str) -> str:
        """The child region of this one that holds ``district_code`` (within the subtree)."""
        digits = self.child_digits
        if digits is None:
            raise ValueError(f"a district ({self.code}) has organisations, not child regions")
        return district_code[:digits].ljust(6, "0")


def subtree(code: str) -> Subtree:
    """The subtree of a valid code (:class:`ValueError` for anything else)."""
    shape = shape_of(code)
    prefix = code[:_PREFIX[shape.level]]
    return Subtree(code, shape.level, prefix.ljust(6, "0"), prefix.ljust(6, "9"))


def lineage(code: str) -> tuple[str, ...]:
    """The code and every region above it, nearest first."""
    chain = [code]
    parent = shape_of(code).parent_code
    while parent is not None:
        chain.append(parent)
        parent = shape_of(parent).parent_code
    return tuple(chain)


def covering_grant(granted: Iterable[str], code: str) -> str | None:
    """The granted region that holds ``code`` (itself or one above it), if any."""
    held = set(granted)
    return next((region for region in lineage(code) if region in held), None)
