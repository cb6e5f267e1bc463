"""The holiday calendar as tables: the working-day index answers exactly what
ground/calendar.py answers (National Day 2025: Oct 1–8 off; Sun Sep 28 and Sat Oct 11 are
make-up workdays), in SQL, and edits in the admin rebuild it."""

from datetime import date, timedelta

import pytest
from django.db.models import OuterRef

from ground.calendar import LAST_YEAR, working_days_between
from ground.models import CalendarDay, WorkingDay
from ground.workdays import (
    LAST_INDEXED_YEAR,
    day_with_ordinal_at_most,
    sync_calendar,
    working_days,
    working_days_expr,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "start, end, expected",
    [
        (date(2025, 9, 26), date(2025, 10, 13), 7),  # Sep 28, 29, 30, Oct 9, 10, 11, 13
        (date(2025, 10, 1), date(2025, 10, 8), 0),  # the holiday week
        (date(2025, 10, 13), date(2025, 10, 1), 0),  # reversed
        (date(2025, 10, 9), date(2025, 10, 9), 0),  # same day
        (date(2025, 9, 26), date(2025, 9, 28), 1),  # Sat off, Sun a make-up workday
        (date(2025, 10, 10), date(2025, 10, 12), 1),  # Sat Oct 11 make-up, Sun off
        (date(2025, 11, 7), date(2025, 11, 10), 1),  # an ordinary weekend
        (date(2025, 11, 8), date(2025, 11, 9), 0),  # Sat → Sun
    ],
)
def test_the_index_counts_weekends_holidays_and_make_up_days(start, end, expected):
    assert working_days_between(start, end) == expected
    assert working_days(start, end) == expected


def test_every_pair_of_days_over_national_day_agrees_with_the_python_calendar():
    days = [date(2025, 9, 20) + timedelta(days=n) for n in range(40)]
    ordinal = dict(WorkingDay.objects.filter(day__in=days).values_list("day", "ordinal"))
    for a in days:
        for b in days:
            assert max(ordinal[b] - ordinal[a], 0) == working_days_between(a, b), (a, b)


def test_the_sql_expression_counts_per_row():
    start = date(2025, 9, 26)
    rows = (
        WorkingDay.objects.filter(day__range=(date(2025, 9, 20), date(2025, 10, 20)))
        .annotate(n=working_days_expr(start, OuterRef("day")))
        .values_list("day", "n")
    )
    assert {day: n for day, n in rows} == {
        day: working_days_between(start, day) for day, _n in rows
    }


def test_outside_the_index_the_count_is_unknown():
    assert working_days(date(2000, 1, 1), date(2025, 1, 1)) is None
    assert WorkingDay.objects.filter(day__year=LAST_INDEXED_YEAR).exists()
    assert LAST_INDEXED_YEAR > LAST_YEAR  # provisional years are indexed too


def test_the_latest_day_far_enough_back_for_a_stall():
    # Mon Oct 13 2025: 3 working days back covers Oct 9, 10, 11 (make-up) → Oct 8 and before
    cutoff = day_with_ordinal_at_most(date(2025, 10, 13), 4)
    assert cutoff == date(2025, 10, 8)
    assert working_days_between(cutoff, date(2025, 10, 13)) == 4
    assert working_days_between(cutoff + timedelta(days=1), date(2025, 10, 13)) == 3


def test_a_day_edited_in_the_admin_rebuilds_the_index_and_survives_a_sync(admin_client):
    friday = date(2025, 11, 7)
    assert working_days(friday - timedelta(days=1), friday) == 1
    response = admin_client.post(
        "/admin/ground/calendarday/add/",
        {"day": "2025-11-07", "name": "县庆", "working": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert working_days(friday - timedelta(days=1), friday) == 0
    sync_calendar()
    assert CalendarDay.objects.get(day=friday).source == CalendarDay.Source.ADMIN
    assert working_days(friday - timedelta(days=1), friday) == 0
    assert CalendarDay.objects.filter(day=date(2025, 10, 1), working=False).exists()
