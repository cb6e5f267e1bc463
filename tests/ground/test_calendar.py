"""Working-day arithmetic over National Day 2025 (Oct 1–8 off; Sun Sep 28 and Sat Oct 11 are
make-up workdays, 调休)."""

from datetime import date

import pytest

from ground.calendar import (
    FIRST_YEAR,
    LAST_YEAR,
    CalendarNotCovered,
    add_working_days,
    is_provisional,
    is_working_day,
    working_days_between,
)


def test_holiday_week_is_not_working_and_make_up_days_are():
    assert not any(is_working_day(date(2025, 10, d)) for d in range(1, 9))
    assert is_working_day(date(2025, 9, 28))  # Sunday, make-up workday
    assert is_working_day(date(2025, 10, 11))  # Saturday, make-up workday
    assert not is_working_day(date(2025, 10, 12))  # an ordinary Sunday


def test_adding_working_days_skips_the_holiday_week():
    # Tue Sep 30 + 1 → Thu Oct 9 (Oct 1–8 are holidays)
    assert add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 9)
    # Fri Sep 26 + 1 → Sun Sep 28, the make-up workday
    assert add_working_days(date(2025, 9, 26), 1) == date(2025, 9, 28)
    # Thu Oct 9, Fri Oct 10, Sat Oct 11 (make-up), Mon Oct 13
    assert add_working_days(date(2025, 10, 8), 3) == date(2025, 10, 11)
    assert add_working_days(date(2025, 10, 8), 4) == date(2025, 10, 13)


def test_subtracting_working_days_runs_backwards_over_the_holiday():
    assert add_working_days(date(2025, 10, 9), -1) == date(2025, 9, 30)
    assert add_working_days(date(2025, 10, 9), 0) == date(2025, 10, 9)


def test_counting_working_days_between_two_dates():
    # Sep 26 (Fri) → Oct 13 (Mon): Sep 28, 29, 30, Oct 9, 10, 11, 13
    assert working_days_between(date(2025, 9, 26), date(2025, 10, 13)) == 7
    assert working_days_between(date(2025, 10, 1), date(2025, 10, 8)) == 0
    assert working_days_between(date(2025, 10, 13), date(2025, 10, 1)) == 0


@pytest.mark.parametrize("n", [1, 5, 10, 14])
def test_counting_is_the_inverse_of_adding(n):
    start = date(2025, 9, 25)
    assert working_days_between(start, add_working_days(start, n)) == n


def test_a_date_before_the_holiday_data_fails_clearly():
    with pytest.raises(CalendarNotCovered, match=str(FIRST_YEAR)):
        is_working_day(date(FIRST_YEAR - 1, 6, 1))


def test_a_year_not_yet_announced_counts_statutory_holidays_provisionally():
    """2027 (not in the package yet): the Spring Festival, Sat 6 Feb – Tue 9 Feb 2027 with its
    weekend days given back in lieu, and no make-up workdays."""
    year = LAST_YEAR + 1
    assert is_provisional(date(year, 1, 5)) and not is_provisional(date(LAST_YEAR, 12, 31))
    if year == 2027:
        assert not is_working_day(date(2027, 2, 8))  # Mon, Spring Festival
        assert not is_working_day(date(2027, 2, 10))  # Wed, in lieu of the weekend
        assert is_working_day(date(2027, 2, 11))
        assert not is_working_day(date(2027, 10, 1))  # National Day
        assert add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)  # over New Year
    assert not is_working_day(date(year, 1, 1))  # New Year's Day, every year
    saturday = next(date(year, 1, d) for d in range(1, 8) if date(year, 1, d).weekday() == 5)
    assert not is_working_day(saturday)  # no make-up workdays are guessed
