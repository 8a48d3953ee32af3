"""Tables of supervision proper: the supervisor pool, draws and assignments, review of
events, manual findings, explained coverage gaps and the signed reports.

Nothing here ever deletes footage: reviews and findings point at time ranges of cameras,
and a report is immutable once signed (an amendment is a new version citing the old one).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from proctor.db.base import Base, UtcDateTime, utcnow, value_enum
from proctor.supervision.recusal import ConflictKind
from proctor.supervision.report.terms import CheckItem, Conclusion, Severity


class DrawKind(str, enum.Enum):
    """What a draw picked."""

    SUPERVISORS = "supervisors"  # N supervisors for one batch
    INSPECTIONS = "inspections"  # batches to inspect on site or by replay


class ReviewDecision(str, enum.Enum):
    """A supervisor's verdict on an analysis event."""

    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


class Supervisor(Base):
    """A qualified quality supervisor (质量督导员) in a region's pool."""

    __tablename__ = "supervisors"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True,
                                                unique=True)  # their console login
    name: Mapped[str] = mapped_column(String(100))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(  # their own employer, if any
        ForeignKey("organisations.id"), nullable=True)
    qualification_number: Mapped[str] = mapped_column(String(100), default="")
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class SupervisorConflict(Base):
    """A declared conflict (近亲属、师生、同事) with an organisation or a person."""

    __tablename__ = "supervisor_conflicts"

    id: Mapped[int] = mapped_column(primary_key=True)
    supervisor_id: Mapped[int] = mapped_column(
        ForeignKey("supervisors.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ConflictKind] = mapped_column(value_enum(ConflictKind, 16))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"),
                                                        nullable=True)
    person: Mapped[str] = mapped_column(String(100), default="")
    declared_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Draw(Base):
    """A verifiable draw: the seed's commitment is audited before, the seed revealed after;
    the pool snapshot (canonical JSON) and the result are kept for ``verify-draw``."""

    __tablename__ = "draws"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[DrawKind] = mapped_column(value_enum(DrawKind, 16))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id"), nullable=True,
                                                 index=True)
    commitment: Mapped[str] = mapped_column(String(64))
    seed: Mapped[str | None] = mapped_column(String(64), nullable=True)  # set when revealed
    snapshot: Mapped[str] = mapped_column(Text())  # canonical JSON, hashed below
    snapshot_sha256: Mapped[str] = mapped_column(String(64))
    result: Mapped[list[str]] = mapped_column(JSON, default=list)
    drawn_by: Mapped[str] = mapped_column(String(200))
    committed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    revealed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class Assignment(Base):
    """A supervisor drawn for a batch; scope follows from it until ``access_until``."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("batch_id", "supervisor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), index=True)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("supervisors.id"), index=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("draws.id"))
    access_until: Mapped[datetime] = mapped_column(UtcDateTime())


class EventReview(Base):
    """One user's review of one analysis event (reviewed state is per user)."""

    __tablename__ = "event_reviews"
    __table_args__ = (UniqueConstraint("event_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), index=True)
    decision: Mapped[ReviewDecision] = mapped_column(value_enum(ReviewDecision, 16))
    note: Mapped[str] = mapped_column(Text(), default="")
    reviewed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Finding(Base):
    """A manual finding: cameras, a time range to the second, a checklist category."""

    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    camera_ids: Mapped[list[int]] = mapped_column(JSON)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime())
    category: Mapped[CheckItem] = mapped_column(value_enum(CheckItem, 16))
    severity: Mapped[Severity] = mapped_column(value_enum(Severity, 8))
    note: Mapped[str] = mapped_column(Text(), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class GapExplanation(Base):
    """Why a camera recorded nothing for part of a session window."""

    __tablename__ = "gap_explanations"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), index=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id"))
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime())
    explanation: Mapped[str] = mapped_column(Text())
    explained_by: Mapped[str] = mapped_column(String(200))
    explained_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Report(Base):
    """A version of a batch's 督导报告: content, then the signed PDF under Object Lock."""

    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("number", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), index=True)
    number: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(default=1)
    amends_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"), nullable=True)
    content: Mapped[dict[str, object]] = mapped_column(JSON)
    conclusion: Mapped[Conclusion] = mapped_column(value_enum(Conclusion, 16))
    pdf_key: Mapped[str | None] = mapped_column(String(300), nullable=True)
    pdf_version: Mapped[str | None] = mapped_column(String(200), nullable=True)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    signed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    signed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(100), nullable=True)  # 机构负责人
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
