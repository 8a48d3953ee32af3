"""``verify-draw``: recompute a stored draw and check it against the audit log.

Besides what :func:`~proctor.supervision.published_draw.verify_published` checks (the
seed against the commitment, the snapshot against its hash, the selection), the stored draw
must agree with the audit log: a ``draw.commit`` entry with the same commitment and snapshot
hash, a later ``draw.reveal`` entry with the same seed and selection; and for a supervisor
draw, its assignments must be exactly the drawn supervisors. The commitment the seed is
checked against is the audit log's (what was on record before the draw), not the row's.
That the audit entries themselves are unaltered is what ``proctor admin audit verify``
proves (the hash chain).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from proctor.db.models import AuditEntry
from proctor.supervision.draw_record import COMMIT, REVEAL, draw_target, get_draw
from proctor.supervision.oversight import Assignment, Draw, DrawKind
from proctor.supervision.published_draw import verify_published
from proctor.supervision.selection import Verification


def _entry(db: Session, draw: Draw, action: str) -> AuditEntry | None:
    return db.scalars(select(AuditEntry).where(
        AuditEntry.target == draw_target(draw.id), AuditEntry.action == action)
        .order_by(AuditEntry.seq).limit(1)).first()


def _audit_problems(draw: Draw, commit: AuditEntry | None,
                    reveal: AuditEntry | None) -> list[str]:
    if commit is None:
        return ["审计日志中没有承诺记录 / no draw.commit entry in the audit log"]
    problems = []
    if commit.detail.get("snapshot_sha256") != draw.snapshot_sha256:
        problems.append("快照哈希与审计日志中的承诺记录不符 / the snapshot hash differs from "
                        "the one committed in the audit log")
    if reveal is None:
        return [*problems, "审计日志中没有揭示记录 / no draw.reveal entry in the audit log"]
    if reveal.seq < commit.seq:
        problems.append("揭示早于承诺 / the reveal entry precedes the commitment")
    if reveal.detail.get("seed") != draw.seed:
        problems.append("种子与审计日志中的揭示记录不符 / the seed differs from the revealed one")
    if reveal.detail.get("selected") != list(draw.result):
        problems.append("结果与审计日志中的揭示记录不符 / the result differs from the revealed one")
    return problems


def _assignment_problems(db: Session, draw: Draw) -> list[str]:
    if draw.kind is not DrawKind.SUPERVISORS:
        return []
    assigned = set(db.scalars(select(Assignment.supervisor_id)
                              .where(Assignment.draw_id == draw.id)))
    if assigned != {int(sid) for sid in draw.result if sid.isdigit()}:
        return [f"派遣与抽取结果不符 / assignments {sorted(assigned)} differ from the drawn "
                f"supervisors {list(draw.result)}"]
    return []


def verify_stored_draw(db: Session, draw_id: int) -> Verification:
    """Every problem of the stored draw (empty: it holds); :class:`NotFound` for none."""
    draw = get_draw(db, draw_id)
    if draw.seed is None:
        return Verification(("种子尚未揭示 / the draw was committed but its seed was never "
                             "revealed",))
    commit, reveal = _entry(db, draw, COMMIT), _entry(db, draw, REVEAL)
    published = str(commit.detail.get("commitment", "")) if commit else draw.commitment
    checked = verify_published(draw.snapshot.encode("utf-8"), draw.snapshot_sha256, draw.seed,
                               published, tuple(draw.result), draw.commitment)
    return Verification((*_audit_problems(draw, commit, reveal), *checked.problems,
                         *_assignment_problems(db, draw)))
