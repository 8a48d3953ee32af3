"""Person-count evaluation: a count inside [persons, persons + persons_hard] is right, the
error is the distance to that range; labels are validated; the summary handles no images."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from proctor_dev.evaluation.counts import CountLabel, CountResult, load_labels, summarise


@pytest.mark.parametrize("persons, hard, counted, error", [
    (3, 0, 3, 0), (3, 0, 2, 1), (3, 0, 5, 2), (3, 2, 4, 0), (3, 2, 5, 0), (3, 2, 6, 1),
    (3, 2, 0, 3), (0, 0, 0, 0), (0, 0, 10**9, 10**9),
])
def test_error_is_the_distance_to_the_accepted_range(persons: int, hard: int, counted: int,
                                                      error: int) -> None:
    label = CountLabel(file="a.jpg", persons=persons, persons_hard=hard)
    assert CountResult(label, counted).error == error


def test_labels_load_and_refuse_negative_counts(tmp_path: Path) -> None:
    path = tmp_path / "labels.json"
    path.write_text('[{"file": "bus.jpg", "persons": 4}, '
                    '{"file": "考场.jpg", "persons": 2, "persons_hard": 1}]')
    labels = load_labels(path)
    assert [(label.file, label.persons, label.persons_hard) for label in labels] == [
        ("bus.jpg", 4, 0), ("考场.jpg", 2, 1)]
    for bad in ('[{"file": "x.jpg", "persons": -1}]', '[{"file": "x.jpg"}]', '{"file": 1}',
                '[{"file": "x.jpg", "persons": 1e400}]', "not json"):
        path.write_text(bad)
        with pytest.raises(ValidationError):
            load_labels(path)


def test_summary_of_results_and_of_none() -> None:
    label = CountLabel(file="a.jpg", persons=2)
    results = [CountResult(label, 2), CountResult(label, 3), CountResult(label, 0)]
    assert summarise(results) == {"images": 3, "exact": 0.333, "mae": 1.0}
    assert summarise([]) == {"images": 0, "exact": 0.0, "mae": 0.0}
