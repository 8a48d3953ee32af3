"""Retention dates: never less than five calendar years, rounded up to the second, and the
store's own clean-up only after them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from proctor.recording.retention import (
    EXPIRY_GRACE_DAYS,
    MIN_RETENTION_YEARS,
    add_years,
    expiry_days,
    retain_until,
)


def test_five_calendar_years_to_the_second() -> None:
    recorded = datetime(2026, 6, 15, 8, 30, 0, tzinfo=UTC)
    assert retain_until(recorded) == datetime(2031, 6, 15, 8, 30, 0, tzinfo=UTC)


def test_fractions_of_a_second_round_up_never_down() -> None:
    recorded = datetime(2026, 6, 15, 8, 30, 0, 1, tzinfo=UTC)
    until = retain_until(recorded)
    assert until.microsecond == 0 and until == datetime(2031, 6, 15, 8, 30, 1, tzinfo=UTC)
    assert until >= add_years(recorded, MIN_RETENTION_YEARS)


def test_leap_day_moves_to_the_first_of_march() -> None:
    assert add_years(datetime(2028, 2, 29, tzinfo=UTC), 5) == datetime(2033, 3, 1, tzinfo=UTC)
    assert add_years(datetime(2028, 2, 29, tzinfo=UTC), 4) == datetime(2032, 2, 29, tzinfo=UTC)


def test_time_zone_is_kept() -> None:
    beijing = timezone(timedelta(hours=8))
    until = retain_until(datetime(2026, 12, 31, 23, 59, 59, 999_999, tzinfo=beijing))
    assert until.tzinfo == beijing and until == datetime(2032, 1, 1, 0, 0, 0, tzinfo=beijing)


@pytest.mark.parametrize("years", [4, 0, -5])
def test_less_than_five_years_is_refused(years: int) -> None:
    with pytest.raises(ValueError, match="at least 5 years"):
        retain_until(datetime(2026, 1, 1, tzinfo=UTC), years)
    with pytest.raises(ValueError, match="at least 5 years"):
        expiry_days(years)


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        retain_until(datetime(2026, 1, 1))


def test_more_years_may_be_configured() -> None:
    recorded = datetime(2026, 3, 1, tzinfo=UTC)
    assert retain_until(recorded, 30) == datetime(2056, 3, 1, tzinfo=UTC)


def test_a_date_beyond_the_calendar_is_an_error_not_a_shorter_retention() -> None:
    with pytest.raises(ValueError):
        retain_until(datetime(9996, 1, 1, tzinfo=UTC))


@pytest.mark.parametrize("years", [MIN_RETENTION_YEARS, 7, 100])
def test_store_expiry_is_always_after_retention(years: int) -> None:
    """Even footage recorded on the worst day (before a run of leap years) expires late."""
    days = expiry_days(years)
    for recorded in (datetime(2027, 3, 1, tzinfo=UTC), datetime(2028, 2, 29, tzinfo=UTC),
                     datetime(2095, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)):
        grace = timedelta(days=days) - (retain_until(recorded, years) - recorded)
        assert grace >= timedelta(days=EXPIRY_GRACE_DAYS - 1)
