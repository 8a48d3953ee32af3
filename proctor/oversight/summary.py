"""A region's summary: one row per child (region or organisation) and the total (pure).

The service counts in SQL, grouped by child; this module folds those grouped counts into
rows, with every child present (a child without batches shows zeros) and a total that is
the sum of the rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from proctor.oversight.cutoffs import DueStep
from proctor.supervision.states import BatchState


@dataclass(frozen=True)
class Child:
    """A child of the region: a region (its code) or an organisation (its id)."""

    key: str
    name: str


@dataclass(frozen=True)
class Counts:
    """What is counted for a child or the total."""

    batches_by_state: Mapping[BatchState, int]
    overdue: Mapping[DueStep, int]
    complaints_open: int = 0
    complaints_overdue: int = 0

    @property
    def batches(self) -> int:
        """Every batch, whatever its state."""
        return sum(self.batches_by_state.values())

    @property
    def overdue_total(self) -> int:
        """Every overdue step."""
        return sum(self.overdue.values())


@dataclass(frozen=True)
class Row:
    """A child and its counts."""

    child: Child
    counts: Counts


@dataclass(frozen=True)
class Tallies:
    """Grouped counts as the queries return them, keyed by child key."""

    states: Iterable[tuple[str, BatchState, int]]
    overdue: Iterable[tuple[str, DueStep, int]]
    complaints: Iterable[tuple[str, int, int]] = field(default=())  # key, open, overdue


def _counts(states: Counter[BatchState], overdue: Counter[DueStep],
            complaints: tuple[int, int]) -> Counts:
    return Counts({state: states[state] for state in BatchState},
                  {step: overdue[step] for step in DueStep}, *complaints)


def fold(children: Iterable[Child], tallies: Tallies) -> tuple[list[Row], Counts]:
    """The rows in the order of ``children``, and their total. Counts of a key that is
    not a child are refused (:class:`ValueError`): the queries and the children must
    agree on the subtree."""
    ordered = list(children)
    keys = {child.key for child in ordered}
    states: dict[str, Counter[BatchState]] = {key: Counter() for key in keys}
    overdue: dict[str, Counter[DueStep]] = {key: Counter() for key in keys}
    complaints = dict.fromkeys(keys, (0, 0))
    for key, state, n in tallies.states:
        _known(keys, key)
        states[key][state] += n
    for key, step, n in tallies.overdue:
        _known(keys, key)
        overdue[key][step] += n
    for key, open_, late in tallies.complaints:
        _known(keys, key)
        complaints[key] = (complaints[key][0] + open_, complaints[key][1] + late)
    rows = [Row(child, _counts(states[child.key], overdue[child.key], complaints[child.key]))
            for child in ordered]
    total = _counts(sum(states.values(), Counter()), sum(overdue.values(), Counter()),
                    (sum(c[0] for c in complaints.values()),
                     sum(c[1] for c in complaints.values())))
    return rows, total


def _known(keys: set[str], key: str) -> None:
    if key not in keys:
        raise ValueError(f"counts for {key!r}, which is not a child of the region")
