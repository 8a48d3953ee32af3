"""Coverage of a batch from segment rows of the recording index on SQLite: covered seconds,
gaps at the tolerance's edges, explanations that empty ``unexplained_gaps``, running and
future sessions."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from support.batches import World, at, build_world, database
from support.review import add_segments, drawn_for_both_rooms, ms, scope_of, user

from proctor.auth.scope import Scope
from proctor.db.models import AuditEntry, Role, User
from proctor.errors import Forbidden, InvalidInput
from proctor.supervision.batch_coverage import batch_coverage, from_ms, unexplained_gaps
from proctor.supervision.gap_explanations import explain_gap

DAY = "2026-03-02"
AFTER = at(f"{DAY} 12:00")


@dataclass(frozen=True)
class Recorded:
    """A batch (09:00-11:00, two cameras) and its drawn supervisor's user id."""

    db: Session
    world: World
    batch: int
    supervisor: int

    def scope(self) -> Scope:
        """The drawn supervisor's scope just after the session."""
        return scope_of(self.db, self.db.get_one(User, self.supervisor))


@pytest.fixture
def recorded(tmp_path: Path) -> Iterator[Recorded]:
    """Camera 0 records 09:00-10:00 with a 2.000 s hole at 09:30 and a 2.001 s hole at
    09:40, then nothing; camera 1 records nothing."""
    with database(tmp_path) as db:
        world = build_world(db)
        supervisor = user(db, "sup", Role.SUPERVISOR).id
        batch = drawn_for_both_rooms(db, world, supervisor)
        camera = world.cameras[0]
        add_segments(db, camera, ms(f"{DAY} 09:00"), ms(f"{DAY} 09:30"))
        add_segments(db, camera, ms(f"{DAY} 09:30:02"), ms(f"{DAY} 09:40"))
        add_segments(db, camera, ms(f"{DAY} 09:40:02", 1), ms(f"{DAY} 10:00"))
        db.commit()
        yield Recorded(db, world, batch, supervisor)


def gap_list(recorded: Recorded, tolerance_s: float = 2.0) -> list[tuple[int, str, str]]:
    """(camera, start, end) of every unexplained gap, UTC times."""
    return [(g.camera_id, f"{g.start:%H:%M:%S.%f}"[:-3], f"{g.end:%H:%M:%S.%f}"[:-3])
            for g in unexplained_gaps(recorded.db, recorded.batch, tolerance_s, now=AFTER)]


def test_covered_seconds_and_every_gap_per_window_and_camera(recorded: Recorded) -> None:
    result = batch_coverage(recorded.db, recorded.scope(), recorded.batch, 2.0, now=AFTER)
    first, second = result.windows
    assert (first.camera_id, second.camera_id) == recorded.world.cameras
    assert first.start == at(f"{DAY} 09:00") and first.end == at(f"{DAY} 11:00")
    assert first.covered_seconds == 3600 - 2 - 2.001  # exact: holes within tolerance too
    assert second.covered_seconds == 0
    # 09:00 China time is 01:00 UTC; the 2.000 s hole is a segment boundary
    assert [(f"{g.start:%H:%M:%S.%f}"[:-3], f"{g.end:%H:%M:%S.%f}"[:-3]) for g in first.gaps] \
        == [("01:40:00.000", "01:40:02.001"), ("02:00:00.000", "03:00:00.000")]
    assert [(g.start, g.end) for g in second.gaps] == [(at(f"{DAY} 09:00"), at(f"{DAY} 11:00"))]
    assert not any(g.explained for g in first.gaps + second.gaps)


def test_the_tolerance_edges(recorded: Recorded) -> None:
    cam0, cam1 = recorded.world.cameras
    assert len(gap_list(recorded, 2.0)) == 3
    assert gap_list(recorded, 2.001) == [(cam0, "02:00:00.000", "03:00:00.000"),
                                         (cam1, "01:00:00.000", "03:00:00.000")]
    assert gap_list(recorded, 0)[:2] == [(cam0, "01:30:00.000", "01:30:02.000"),
                                         (cam0, "01:40:00.000", "01:40:02.001")]


def test_explanations_make_unexplained_gaps_empty(recorded: Recorded) -> None:
    scope = recorded.scope()
    cam0, cam1 = recorded.world.cameras
    batch = recorded.batch
    explain_gap(recorded.db, scope, batch, cam0, from_ms(ms(f"{DAY} 09:40")),
                from_ms(ms(f"{DAY} 09:40:02", 1)), "交换机重启")
    # two explanations that meet cover one gap together
    explain_gap(recorded.db, scope, batch, cam0, at(f"{DAY} 10:00"), at(f"{DAY} 10:30"),
                "断电")
    assert len(gap_list(recorded)) == 2  # half of camera 0's last gap is still unexplained
    explain_gap(recorded.db, scope, batch, cam0, at(f"{DAY} 10:30"), at(f"{DAY} 11:00"),
                "断电，发电机启动前")
    explain_gap(recorded.db, scope, batch, cam1, at(f"{DAY} 09:00"), at(f"{DAY} 11:00"),
                "摄像头未接入，考点已补录纸质记录")
    assert unexplained_gaps(recorded.db, batch, now=AFTER) == []
    entries = recorded.db.scalars(select(AuditEntry).where(
        AuditEntry.action == "batch.gap_explain")).all()
    assert len(entries) == 4 and entries[0].actor == f"user:{recorded.supervisor}"
    assert entries[0].detail["starts_at"] == "2026-03-02T01:40:00+00:00"


@pytest.mark.parametrize(("camera", "start", "end", "message"), [
    (99, "09:10", "09:20", "not cameras of batch"),
    (0, "10:50", "11:10", "not within one session window"),
    (0, "09:20", "09:10", "must end after it starts"),
])
def test_explanations_are_refused_outside_the_batch(recorded: Recorded, camera: int,
                                                    start: str, end: str, message: str) -> None:
    scope = recorded.scope()
    named = recorded.world.cameras[0] if camera == 0 else camera
    with pytest.raises(InvalidInput, match=message):
        explain_gap(recorded.db, scope, recorded.batch, named, at(f"{DAY} {start}"),
                    at(f"{DAY} {end}"), "说明")
    with pytest.raises(InvalidInput, match="must not be blank"):
        explain_gap(recorded.db, scope, recorded.batch, recorded.world.cameras[0],
                    at(f"{DAY} 09:10"), at(f"{DAY} 09:20"), "\n")


def test_only_the_elapsed_part_of_a_window_counts(recorded: Recorded) -> None:
    cam0, cam1 = recorded.world.cameras
    running = unexplained_gaps(recorded.db, recorded.batch, now=at(f"{DAY} 10:00"))
    assert [(g.camera_id, g.end) for g in running] == [
        (cam0, from_ms(ms(f"{DAY} 09:40:02", 1))), (cam1, at(f"{DAY} 10:00"))]
    assert unexplained_gaps(recorded.db, recorded.batch, now=at(f"{DAY} 08:00")) == []


def test_coverage_is_for_reviewers_only(recorded: Recorded) -> None:
    other = user(recorded.db, "operator", Role.ORG_OPERATOR, (recorded.world.site,))
    with pytest.raises(Forbidden, match="may not review"):
        batch_coverage(recorded.db, scope_of(recorded.db, other), recorded.batch, 2.0)
    with pytest.raises(Forbidden, match="may not review"):
        explain_gap(recorded.db, scope_of(recorded.db, other), recorded.batch,
                    recorded.world.cameras[0], at(f"{DAY} 09:10"), at(f"{DAY} 09:20"), "x")
