"""Tables of the supervision wing: the working calendar as entered from the notices."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from proctor.db.base import Base, UtcDateTime, utcnow
from proctor.supervision.calendar import DayKind


class CalendarYear(Base):
    """A year whose State Council notice has been entered: only these years are counted."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    source_notice: Mapped[str] = mapped_column(String(1000))
    entered_by: Mapped[str] = mapped_column(String(200))
    entered_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class CalendarDayEntry(Base):
    """A holiday or make-up workday, as the notice of ``notice_year`` gives it."""

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(Date(), primary_key=True)
    kind: Mapped[DayKind] = mapped_column(Enum(DayKind, native_enum=False, length=20))
    name: Mapped[str] = mapped_column(String(100))
    notice_year: Mapped[int] = mapped_column(ForeignKey("calendar_years.year"), index=True)
    source_notice: Mapped[str] = mapped_column(String(1000))
    entered_by: Mapped[str] = mapped_column(String(200))
    entered_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
