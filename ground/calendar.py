"""Working days (工作日) under China's official calendar: public holidays and make-up
workdays (调休) from the maintained ``chinesecalendar`` package.

Rule (State Council holiday notices, as the package records them): a date is a working
day when it is a Monday–Friday that is not a public holiday, or a weekend day declared a
make-up workday.

The State Council announces each year's arrangement late in the year before, and the
package follows. For a year it does not cover yet, deadlines are still computed, but
*provisionally*: from the statutory holidays of the 《全国年节及纪念日放假办法》 with the
weekday in lieu (补假) the regulation requires when a holiday falls on a weekend — as the
maintained ``holidays`` package computes them — and no make-up workdays. Pages say so
(:func:`is_provisional`); upgrading ``chinesecalendar`` turns them into the official days.
Dates before the package's first year raise :class:`CalendarNotCovered`.
"""

import datetime
from functools import lru_cache

import chinese_calendar
import holidays
from chinese_calendar import constants
from django.utils.translation import gettext as _

FIRST_YEAR = min(constants.holidays).year
LAST_YEAR = max(max(constants.holidays), max(constants.workdays)).year


class CalendarNotCovered(ValueError):
    """The holiday data does not cover this date's year."""


def is_provisional(day: datetime.date) -> bool:
    """Is ``day`` in a year whose official arrangement the package does not hold yet?"""
    return day.year > LAST_YEAR


@lru_cache(maxsize=16)
def _statutory_holidays(year: int) -> frozenset[datetime.date]:
    """The statutory holidays of ``year`` and the weekdays in lieu the regulation requires."""
    return frozenset(holidays.China(years=year).keys())


@lru_cache(maxsize=8192)
def is_working_day(day: datetime.date) -> bool:
    """Is ``day`` a working day? Public holidays are not; make-up workdays (调休) are."""
    if day.year < FIRST_YEAR:
        raise CalendarNotCovered(
            _("The holiday calendar starts in %(first)s; %(day)s is before it.")
            % {"first": FIRST_YEAR, "day": day.isoformat()}
        )
    if is_provisional(day):
        return day.weekday() < 5 and day not in _statutory_holidays(day.year)
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
