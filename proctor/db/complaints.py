"""Tables of complaints (投诉举报) about certification organisations and their batches.

The rows live here, below every wing, so the supervision wing's results gate can count a
batch's open complaints without importing the complaint wing (which builds on supervision:
calendar, batches, legal holds). The complaint wing (:mod:`proctor.complaints`) owns every
decision and every write.

A complaint is about one organisation (认定机构), optionally one of its batches, room, seat
and candidate, over an optional time range. Its state follows
:mod:`proctor.complaints.workflow`; due dates are China calendar days counted in working
days, ``None`` while the calendar lacks the year (the complaint is then flagged, never
refused). The complainant may stay anonymous (no name, no contact).
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from proctor.db.base import Base, UtcDateTime, utcnow, value_enum


class ComplaintState(str, enum.Enum):
    """Where a complaint is in its handling (see :mod:`proctor.complaints.workflow`)."""

    REGISTERED = "registered"  # 已登记: waiting for first review
    FIRST_REVIEW = "first_review"  # 已初审: accepted for handling
    INVESTIGATING = "investigating"  # 调查中
    RESOLVED = "resolved"  # 已处理: a result is given
    CLOSED = "closed"  # 已办结 (archived)


OPEN_STATES = frozenset(s for s in ComplaintState if s is not ComplaintState.CLOSED)


class ComplaintChannel(str, enum.Enum):
    """How a complaint came in."""

    ONLINE = "online"  # 网上投诉 (the public intake)
    PHONE = "phone"  # 电话
    LETTER = "letter"  # 信函
    VISIT = "visit"  # 来访


class Complaint(Base):
    """One complaint (投诉举报)."""

    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_code: Mapped[str] = mapped_column(String(32), unique=True)  # 查询码
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id"), nullable=True,
                                                 index=True)
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"), nullable=True)
    seat: Mapped[str] = mapped_column(String(20), default="")
    candidate: Mapped[str] = mapped_column(String(100), default="")  # 准考证号 or name
    incident_from: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    incident_to: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    text: Mapped[str] = mapped_column(Text())
    complainant_name: Mapped[str] = mapped_column(String(100), default="")  # "" = anonymous
    complainant_contact: Mapped[str] = mapped_column(String(200), default="")
    channel: Mapped[ComplaintChannel] = mapped_column(value_enum(ComplaintChannel, 16))
    state: Mapped[ComplaintState] = mapped_column(
        value_enum(ComplaintState, 16), default=ComplaintState.REGISTERED, index=True)
    registered_by: Mapped[str] = mapped_column(String(200))  # an actor; system:public online
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    handling_officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"),
                                                            nullable=True, index=True)
    # due days: None while the working calendar lacks the year they fall in (flagged)
    first_review_due: Mapped[date | None] = mapped_column(Date(), nullable=True)
    first_reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    first_review_note: Mapped[str] = mapped_column(Text(), default="")
    resolution_due: Mapped[date | None] = mapped_column(Date(), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    resolution: Mapped[str] = mapped_column(Text(), default="")  # 处理结果, told the complainant
    substantiated: Mapped[bool | None] = mapped_column(nullable=True)  # 查证属实?
    requires_amended_report: Mapped[bool] = mapped_column(default=False)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True, index=True)


class ComplaintExtension(Base):
    """An extension of a complaint's resolution deadline, with its reason."""

    __tablename__ = "complaint_extensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    working_days: Mapped[int] = mapped_column()
    previous_due: Mapped[date] = mapped_column(Date())
    new_due: Mapped[date] = mapped_column(Date())
    reason: Mapped[str] = mapped_column(Text())
    extended_by: Mapped[str] = mapped_column(String(200))
    extended_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ComplaintAttachment(Base):
    """A file sent with a complaint (image or PDF), stored in the object store."""

    __tablename__ = "complaint_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    object_key: Mapped[str] = mapped_column(String(300), unique=True)
    version_id: Mapped[str] = mapped_column(String(200), default="")
    media_type: Mapped[str] = mapped_column(String(50))  # sniffed from the bytes
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ComplaintClip(Base):
    """Footage attached to a complaint under investigation, held by a legal hold."""

    __tablename__ = "complaint_clips"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id"))
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime())
    legal_hold_id: Mapped[int] = mapped_column(ForeignKey("legal_holds.id"))
    note: Mapped[str] = mapped_column(Text(), default="")
    attached_by: Mapped[str] = mapped_column(String(200))
    attached_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
