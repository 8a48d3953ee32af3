"""Tables of the oversight wing: the per-batch coverage aggregate and the notices sent.

:class:`BatchCoverageTotal` keeps, per batch, the camera-time its sessions expected and the
camera-time recorded, so the region views show a coverage ratio without reading segments
(a province holds millions). It is maintained by :mod:`proctor.oversight.coverage_totals`.
:class:`NoticeSent` remembers each notice handed to the notifier, so a restart does not
send it again (:mod:`proctor.oversight.dispatch`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from proctor.db.base import Base, UtcDateTime, utcnow


class BatchCoverageTotal(Base):
    """Expected and recorded camera-seconds of a batch's elapsed session windows."""

    __tablename__ = "oversight_batch_coverage"

    batch_id: Mapped[int] = mapped_column(
        ForeignKey("batches.id", ondelete="CASCADE"), primary_key=True, autoincrement=False)
    expected_seconds: Mapped[float] = mapped_column()
    recorded_seconds: Mapped[float] = mapped_column()
    computed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    # computed long enough after the last session ended: not recomputed again
    settled: Mapped[bool] = mapped_column(default=False)

    @property
    def ratio(self) -> float | None:
        """Recorded over expected (``None`` when nothing was expected yet)."""
        return self.recorded_seconds / self.expected_seconds if self.expected_seconds else None


class NoticeSent(Base):
    """A notice the notifier was given, by its key (see :func:`~.notices.Notice.key`)."""

    __tablename__ = "oversight_notices_sent"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
