"""The holiday calendar as tables, so working days are counted in SQL.

:class:`~ground.models.CalendarDay` holds the days that break the weekday rule (holidays
on weekdays, make-up workdays on weekends), seeded from :mod:`ground.calendar` and editable
in the admin; :class:`~ground.models.WorkingDay` is the index built from it, one row per
covered date with its working-day ordinal. "Working days after ``a`` up to and including
``b``" (``ground.calendar.working_days_between``) is then ``ordinal(b) − ordinal(a)``, never
below 0: :func:`working_days_expr` for querysets, :func:`working_days` for two dates.

The index covers ``FIRST_YEAR`` to :data:`LAST_INDEXED_YEAR` (the years beyond the
package's last one provisionally, as ground/calendar.py computes them); outside it the
expression is NULL, as ``working_days_between`` raises ``CalendarNotCovered``.
"""

import datetime

import chinese_calendar
import holidays
from django.db.models import (
    DateTimeField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Subquery,
    Value,
)
from django.db.models.functions import Greatest, TruncDate

from .calendar import FIRST_YEAR, LAST_YEAR, is_provisional, is_working_day

PROVISIONAL_YEARS = 5  # deadlines reach this far past the announced years
LAST_INDEXED_YEAR = LAST_YEAR + PROVISIONAL_YEARS


def _models(apps=None):
    if apps is None:
        from .models import CalendarDay, WorkingDay
    else:  # a migration's historical models
        CalendarDay, WorkingDay = (
            apps.get_model("ground", "CalendarDay"),
            apps.get_model("ground", "WorkingDay"),
        )
    return CalendarDay, WorkingDay


def _dates(first_year: int, last_year: int):
    day, last = datetime.date(first_year, 1, 1), datetime.date(last_year, 12, 31)
    while day <= last:
        yield day
        day += datetime.timedelta(days=1)


def _name(day: datetime.date) -> str:
    if is_provisional(day):
        return holidays.China(years=day.year).get(day, "")
    return chinese_calendar.get_holiday_detail(day)[1] or ""


def package_days(first_year: int = FIRST_YEAR, last_year: int = LAST_INDEXED_YEAR):
    """(day, working, name) of every day ground/calendar.py rules against the weekday rule."""
    for day in _dates(first_year, last_year):
        working = is_working_day(day)
        if working != (day.weekday() < 5):
            yield day, working, _name(day)


def sync_calendar(apps=None) -> int:
    """Bring the package's days into the table (the days edited by hand stay as they are),
    then rebuild the index. Run by the migration, and again after upgrading
    ``chinesecalendar`` (``manage.py sync_calendar``). Returns the number of package days."""
    CalendarDay, _WorkingDay = _models(apps)
    edited = set(CalendarDay.objects.filter(source="admin").values_list("day", flat=True))
    CalendarDay.objects.filter(source="package").delete()
    rows = [
        CalendarDay(day=day, working=working, name=name[:64], source="package")
        for day, working, name in package_days()
        if day not in edited
    ]
    CalendarDay.objects.bulk_create(rows, batch_size=1000)
    rebuild_index(apps)
    return len(rows)


def rebuild_index(apps=None) -> None:
    """Rebuild the working-day index from the weekday rule and the CalendarDay rows."""
    CalendarDay, WorkingDay = _models(apps)
    exceptions = dict(CalendarDay.objects.values_list("day", "working"))
    rows, ordinal = [], 0
    for day in _dates(FIRST_YEAR, LAST_INDEXED_YEAR):
        working = exceptions.get(day, day.weekday() < 5)
        ordinal += working
        rows.append(WorkingDay(day=day, working=working, ordinal=ordinal))
    WorkingDay.objects.all().delete()
    WorkingDay.objects.bulk_create(rows, batch_size=2000)


def ordinal_of(date_expression):
    """The working-day ordinal of a date, or of a date expression of the outer query's
    columns (written with ``OuterRef``: :func:`local_date`), NULL outside the index."""
    from .models import WorkingDay

    return Subquery(
        WorkingDay.objects.filter(day=date_expression).values("ordinal")[:1],
        output_field=IntegerField(),
    )


def local_date(field: str):
    """The outer query's datetime column ``field`` as a local date (TZ Asia/Shanghai), for
    :func:`ordinal_of` and :func:`working_days_expr`."""
    from django.utils import timezone

    outer = ExpressionWrapper(OuterRef(field), output_field=DateTimeField())
    return TruncDate(outer, tzinfo=timezone.get_current_timezone())


def working_days_expr(start, end):
    """``working_days_between(start, end)`` as an SQL expression of two dates or date
    expressions of the outer query (``local_date("created")``, ``OuterRef("day")``): working days after ``start`` up to and including ``end``, 0 when
    ``end <= start``, NULL outside the index."""
    start = Value(start) if isinstance(start, datetime.date) else start
    end = Value(end) if isinstance(end, datetime.date) else end
    return Greatest(ordinal_of(end) - ordinal_of(start), Value(0))


def working_days(start: datetime.date, end: datetime.date) -> int | None:
    """``working_days_between`` answered by the index (one query; None outside it)."""
    from .models import WorkingDay

    ordinals = dict(WorkingDay.objects.filter(day__in=[start, end]).values_list("day", "ordinal"))
    if start not in ordinals or end not in ordinals:
        return None
    return max(ordinals[end] - ordinals[start], 0)


def day_with_ordinal_at_most(today: datetime.date, days_back: int) -> datetime.date | None:
    """The latest date ``d`` with ``working_days(d, today) >= days_back``: a column's date is
    at least ``days_back`` working days before ``today`` exactly when it is ``<= d``."""
    from .models import WorkingDay

    target = (
        WorkingDay.objects.filter(day=today)
        .annotate(target=F("ordinal") - days_back)
        .values("target")[:1]
    )
    return (
        WorkingDay.objects.filter(ordinal__lte=Subquery(target))
        .order_by("-day")
        .values_list("day", flat=True)
        .first()
    )
