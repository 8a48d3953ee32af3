"""How long footage is kept: never less than the 5 years the operating rules require."""

from __future__ import annotations

from datetime import datetime, timedelta

MIN_RETENTION_YEARS = 5
EXPIRY_GRACE_DAYS = 30


def add_years(moment: datetime, years: int) -> datetime:
    """``moment`` plus calendar years; 29 February becomes 1 March in a non-leap year."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, month=3, day=1)


def expiry_days(years: int) -> int:
    """Days after which the store's lifecycle may remove footage: always past retention.

    366 days a year covers leap years; the grace period covers clock offsets and the time
    between recording and upload. Object Lock refuses an earlier delete anyway; this only
    decides when the store cleans up on its own.
    """
    if years < MIN_RETENTION_YEARS:
        raise ValueError(f"retention must be at least {MIN_RETENTION_YEARS} years, not {years}")
    return years * 366 + EXPIRY_GRACE_DAYS


def retain_until(recorded_at: datetime, years: int = MIN_RETENTION_YEARS) -> datetime:
    """The retain-until date for footage recorded at ``recorded_at``; refuses less than 5 years.

    Rounded up to a whole second: S3 stores retention dates to the second, and truncating
    would keep footage a fraction of a second less than the rules require.
    """
    if years < MIN_RETENTION_YEARS:
        raise ValueError(f"retention must be at least {MIN_RETENTION_YEARS} years, not {years}")
    if recorded_at.tzinfo is None:
        raise ValueError("recorded_at must be timezone-aware")
    until = add_years(recorded_at, years)
    if until.microsecond:
        until = until.replace(microsecond=0) + timedelta(seconds=1)
    return until
