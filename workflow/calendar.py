"""Working days (工作日) under China's official calendar: public holidays and make-up
workdays (调休) from the maintained ``chinesecalendar`` package.

Rule (State Council holiday notices, as the package records them): a date is a working
day when it is a Monday–Friday that is not a public holiday, or a weekend day declared a
make-up workday. The package only knows the years the State Council has announced; a date
outside them raises :class:`CalendarNotCovered` instead of guessing — upgrade the package
(``pip install -U chinesecalendar``) when a new year's notice is out.
"""

import datetime
from functools import lru_cache

import chinese_calendar
from chinese_calendar import constants
from django.utils.translation import gettext as _

FIRST_YEAR = min(constants.holidays).year
LAST_YEAR = max(max(constants.holidays), max(constants.workdays)).year


class CalendarNotCovered(ValueError):
    """The holiday data does not cover this date's year."""


@lru_cache(maxsize=8192)
def is_working_day(day: datetime.date) -> bool:
    """Is ``day`` a working day? Public holidays are not; make-up workdays (调休) are."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise CalendarNotCovered(
            _(
                "The holiday calendar covers %(first)s–%(last)s only; %(day)s is outside it. "
                "Update the chinesecalendar package."
            )
            % {"first": FIRST_YEAR, "last": LAST_YEAR, "day": day.isoformat()}
        )
    return chinese_calendar.is_workday(day)


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The ``days``-th working day after ``start`` (before it when ``days`` is negative).

    ``start`` itself is never counted: a task that arrives on a Friday with one working day
    is due the next working day. ``days == 0`` returns ``start`` unchanged.
    """
    step = 1 if days >= 0 else -1
    remaining, day = abs(days), start
    while remaining:
        day += datetime.timedelta(days=step)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end <= start``).

    The inverse of :func:`add_working_days`: ``working_days_between(d, add_working_days(d, n)) == n``.
    """
    count, day = 0, start
    while day < end:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count
