"""Working-day arithmetic over National Day 2025 (Oct 1–8 off; Sun Sep 28 and Sat Oct 11 are
make-up workdays, 调休)."""

from datetime import date

import pytest

from workflow.calendar import (
    LAST_YEAR,
    CalendarNotCovered,
    add_working_days,
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


def test_a_date_outside_the_holiday_data_fails_clearly():
    with pytest.raises(CalendarNotCovered, match=str(LAST_YEAR)):
        is_working_day(date(LAST_YEAR + 1, 1, 5))
