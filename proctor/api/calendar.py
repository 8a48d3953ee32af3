"""The working calendar over REST: any logged-in user reads a year; administrators enter a new
year from the State Council notice (audited; a year is entered once)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, status
from pydantic import BaseModel, ConfigDict, Field

from proctor.actor import Actor
from proctor.api.deps import CurrentUser, SessionDep, require_permission
from proctor.auth.scope import Permission
from proctor.supervision.calendar import CalendarDay, DayKind
from proctor.supervision.calendar_service import enter_year, show_year

router = APIRouter(prefix="/api/calendar", tags=["calendar"])
Year = Annotated[int, Path(ge=2000, le=2100, description="the calendar year")]


class CalendarDayPublic(BaseModel):
    """A holiday or make-up workday (调休上班) a notice names."""

    model_config = ConfigDict(extra="forbid")

    day: date
    kind: DayKind
    name: str = Field(min_length=1, max_length=100, description="the festival, e.g. 春节")


class CalendarYearPublic(BaseModel):
    """An entered year: its notice, who entered it, and its special days."""

    year: int
    source_notice: str
    entered_by: str
    entered_at: datetime
    days: list[CalendarDayPublic]


class CalendarYearCreate(BaseModel):
    """A year as the State Council notice gives it."""

    model_config = ConfigDict(extra="forbid")

    source_notice: str = Field(min_length=1, max_length=1000,
                               description="the notice's title, number and date")
    days: list[CalendarDayPublic] = Field(min_length=1, max_length=200)


@router.get("/{year}")
def get_year(year: Year, db: SessionDep, user: CurrentUser) -> CalendarYearPublic:
    """An entered year with its holidays and make-up workdays; 409 naming the year (and how
    to enter it) when it is not entered: deadlines in it are refused, never guessed."""
    view = show_year(db, year)
    return CalendarYearPublic(
        year=view.year.year, source_notice=view.year.source_notice,
        entered_by=view.year.entered_by, entered_at=view.year.entered_at,
        days=[CalendarDayPublic(day=d.day, kind=d.kind, name=d.name) for d in view.days])


@router.post("/{year}", status_code=status.HTTP_201_CREATED,
             dependencies=[Depends(require_permission(Permission.MANAGE_DIRECTORY))])
def add_year(year: Year, body: CalendarYearCreate, db: SessionDep,
             user: CurrentUser) -> CalendarYearPublic:
    """Enter a year from its notice (administrators); 409 if it is already entered, 400 for a
    day outside the year (late December of the year before is allowed) or a duplicate."""
    enter_year(db, Actor.user(user.id), year,
               [CalendarDay(d.day, d.kind, d.name) for d in body.days], body.source_notice)
    return get_year(year, db, user)
