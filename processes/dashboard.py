"""The supervisor dashboard's queries (督办看板): stalled and overdue projects, the township ×
stage heatmap of overdue projects, and the median working days per stage per township.

Scoped by ``Project.objects.visible_to(user)``: a township lead sees their township only,
county bureaus and the discipline commission the whole county. Everything is counted in
the database, from the stored deadlines (``task.clock``, workflow/deadlines.py) and the
working-day index (ground/workdays.py); only the page of rows shown is built in Python,
so every function runs a fixed number of queries, however many projects there are
(tests/processes/test_dashboard.py).

Definitions (issue 5, "Supervisor dashboard"):

* **overdue**: the project's open task is past its deadline (workflow/deadlines.py), escalated
  or not;
* **stalled**: nothing has moved on the project's open task — it has been neither claimed
  nor completed — for :data:`STALL_WORKING_DAYS` working days or more, though it is not
  yet overdue (e.g. an application, or a long step such as the yearly maintenance report);
* **age**: working days the open task has been live (days in the current step);
* **median time**: of completed tasks, ``created`` → ``finished`` in **working days**,
  grouped by the township of the project and the stage of the step (processes/stages.py).
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Aggregate, Case, Count, FloatField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from ground.calendar import LAST_YEAR
from ground.workdays import day_with_ordinal_at_most, local_date, working_days_expr
from permissions.models import Region, User
from permissions.roles import ROLES_BY_CODE, Level
from workflow.deadlines import (
    ESCALATED,
    LIVE,
    OVERDUE,
    STATUS_LABELS,
    Deadline,
    overdue_q,
    stored_deadline,
)
from workflow.models import TaskClock
from workflow.tasks import ScopedTask

from .models import Operator, Project
from .stages import STAGE_LABELS, STAGES

STALL_WORKING_DAYS = settings.QIYUE_STALL_WORKING_DAYS
PAGE_SIZE = 50

PROJECT = "process__projectprocess__project"
TOWNSHIP = f"{PROJECT}__village__parent"


@dataclass
class Row:
    project: Project
    task: ScopedTask
    stage: str
    holder: str
    deadline: Deadline | None
    status: str  # ok | due_soon | overdue | escalated | "" (outside the holiday data)
    age: int | None  # working days in the current step
    idle: int | None  # working days since the open task arrived or was claimed
    stalled: bool

    @property
    def overdue(self) -> bool:
        return self.status in (OVERDUE, ESCALATED)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, "")

    @property
    def stage_label(self) -> str:
        return STAGE_LABELS.get(self.stage, "")


# --- SQL pieces -------------------------------------------------------------------------


def stage_case(prefix: str = "") -> Case:
    """The stage code of a task's step (processes/stages.py) as an SQL expression."""
    from .flows import ProjectFlow

    whens = [
        When(
            **{f"{prefix}flow_task__in": [ProjectFlow.instance.node(n) for n in nodes]},
            then=Value(code),
        )
        for code, _label, nodes in STAGES
        if nodes
    ]
    return Case(*whens, default=Value(""))


def _after(day: datetime.date | None) -> datetime.datetime | None:
    """The first moment after ``day`` (local midnight), for comparing timestamps with it."""
    if day is None:
        return None
    midnight = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())
    return timezone.make_aware(midnight)


def stalled_q(today: datetime.date, prefix: str = "") -> Q:
    """Not overdue, and neither arrived nor claimed for STALL_WORKING_DAYS working days."""
    limit = _after(day_with_ordinal_at_most(today, STALL_WORKING_DAYS))
    if limit is None:  # today is outside the holiday data
        return Q(pk__in=[])
    not_overdue = Q(**{f"{prefix}clock__due__isnull": True}) | Q(
        **{f"{prefix}clock__due__gte": today}
    )
    unmoved = Q(**{f"{prefix}created__lt": limit}) & (
        Q(**{f"{prefix}assigned__isnull": True}) | Q(**{f"{prefix}assigned__lt": limit})
    )
    return not_overdue & unmoved


def with_clock_days(tasks, today: datetime.date):
    """Annotate ``age`` and ``idle`` (working days, NULL outside the holiday data)."""
    created = local_date("created")
    moved = Greatest(created, Coalesce(local_date("assigned"), created))
    return tasks.annotate(
        age=working_days_expr(created, today), idle=working_days_expr(moved, today)
    )


# --- Queries ----------------------------------------------------------------------------


def projects_of(who):
    """The projects a user may see; a page resolves them once and passes the queryset to
    every function here (each takes a user or that queryset)."""
    return who if isinstance(who, QuerySet) else Project.objects.visible_to(who)


def open_tasks(who):
    """The open human tasks of every project the user may see (a queryset)."""
    return ScopedTask.objects.filter(
        flow_task_type="HUMAN", status__in=LIVE, **{f"{PROJECT}__in": projects_of(who)}
    )


def attention(
    who,
    today: datetime.date,
    *,
    township=None,
    stage=None,
    leader=None,
    min_age=None,
    show=None,
):
    """The open tasks that need attention, with the dashboard's filters, oldest first;
    ``show`` is "overdue", "stalled" or anything else for both."""
    tasks = open_tasks(who)
    overdue, stalled = overdue_q(today), stalled_q(today)
    if show == "overdue":
        tasks = tasks.filter(overdue)
    elif show == "stalled":
        tasks = tasks.filter(stalled)
    else:
        tasks = tasks.filter(overdue | stalled)
    if township:
        tasks = tasks.filter(**{f"{TOWNSHIP}_id": township})
    if stage:
        tasks = tasks.annotate(stage=stage_case()).filter(stage=stage)
    if leader:
        tasks = tasks.filter(**{f"{PROJECT}__responsible_leader_id": leader})
    if min_age is not None:
        cutoff = _after(day_with_ordinal_at_most(today, min_age))
        tasks = tasks.filter(created__lt=cutoff) if cutoff else tasks.none()
    return tasks.order_by("created", "pk")


def rows_of(tasks, today: datetime.date) -> list[Row]:
    """The rows of these tasks (a page: a queryset or slice), in three queries."""
    tasks = list(
        with_clock_days(tasks, today)
        .annotate(stage_code=stage_case())
        .select_related(
            "owner",
            "clock",
            f"{PROJECT}__village__parent",
            f"{PROJECT}__responsible_leader",
        )
    )
    holders = _holder_labels(tasks)
    rows = []
    for task in tasks:
        deadline = stored_deadline(getattr(task, "clock", None))
        status = deadline.status(today) if deadline else ""
        rows.append(
            Row(
                project=task.process.coerced.project,
                task=task,
                stage=task.stage_code,
                holder=holders[task.pk],
                deadline=deadline,
                status=status,
                age=task.age,
                idle=task.idle,
                stalled=status not in (OVERDUE, ESCALATED)
                and task.idle is not None
                and task.idle >= STALL_WORKING_DAYS,
            )
        )
    return rows


def overview(who, today: datetime.date) -> tuple[dict, list[dict]]:
    """The counts above the rows and the heatmap, from one query grouping the open tasks
    by township and stage: :func:`summary` and :func:`heatmap` in one go."""
    last_announced = datetime.date(LAST_YEAR, 12, 31)
    cells = (
        open_tasks(who)
        .annotate(stage=stage_case())
        .values(f"{TOWNSHIP}_id", f"{TOWNSHIP}__name", f"{TOWNSHIP}__path", "stage")
        .annotate(
            projects_overdue=Count(PROJECT, distinct=True, filter=overdue_q(today)),
            overdue=Count("pk", filter=overdue_q(today)),
            stalled=Count("pk", filter=stalled_q(today)),
            gaps=Count("pk", filter=Q(clock__due__isnull=True)),
            provisional=Count("pk", filter=Q(clock__escalate_on__gt=last_announced)),
        )
        .order_by()
    )
    totals = dict.fromkeys(("overdue", "stalled", "gaps", "provisional"), 0)
    townships, counts = {}, {}
    for cell in cells:
        for key in totals:
            totals[key] += cell[key]
        key = cell[f"{TOWNSHIP}_id"]
        townships[key] = Region(
            pk=key, name=cell[f"{TOWNSHIP}__name"], path=cell[f"{TOWNSHIP}__path"]
        )
        counts[key, cell["stage"]] = cell["projects_overdue"]
    peak = max(counts.values(), default=0)
    table = []
    for township in sorted(townships.values(), key=lambda r: r.path):
        line = []
        for code, _label, _nodes in STAGES:
            n = counts.get((township.pk, code), 0)
            line.append({"stage": code, "count": n, "shade": round(n / peak, 2) if peak else 0})
        table.append({"township": township, "cells": line})
    return totals, table


def summary(who, today: datetime.date) -> dict:
    """Overdue and stalled counts, and how many deadlines are missing (outside the holiday
    data) or provisional (past the announced years)."""
    return overview(who, today)[0]


def heatmap(who, today: datetime.date) -> list[dict]:
    """Township × stage: how many projects are overdue, with a shade (0–1) for the cell;
    one line per township with open work."""
    return overview(who, today)[1]


def attention_count(counts: dict, show=None, **filters) -> int | None:
    """How many rows :func:`attention` gives, when :func:`summary` already says it (no
    filter but ``show``; overdue and stalled never overlap), else None."""
    if any(value not in (None, "") for value in filters.values()):
        return None
    if show == "overdue":
        return counts["overdue"]
    if show == "stalled":
        return counts["stalled"]
    return counts["overdue"] + counts["stalled"]


def leaders(who) -> list:
    """The responsible leaders of the user's projects, by name (one query)."""
    led = projects_of(who).values("responsible_leader_id")
    return sorted(User.objects.filter(pk__in=led), key=lambda u: u.get_full_name())


class Median(Aggregate):
    """PostgreSQL's ``percentile_cont(0.5)``: the median, halfway between the two middle
    values of an even count (as ``statistics.median``)."""

    function = "PERCENTILE_CONT"
    name = "median"
    output_field = FloatField()
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"


def median_working_days(who) -> list[dict]:
    """Median working days per stage per township, from completed tasks of the villages
    the user's projects are in (each task's working days, village and stage are stored on
    its clock when it is completed; index ``clock_worked_by_place``): on PostgreSQL one
    ``percentile_cont`` query; elsewhere one query counting tasks per number of days (a
    histogram as long as the distinct durations, never one row per task)."""
    done = TaskClock.objects.filter(
        worked__isnull=False, region__in=projects_of(who).values("village_id")
    ).exclude(stage="")
    keys = ("region__parent_id", "region__parent__name", "region__parent__path", "stage")
    medians, names = {}, {}
    if connection.vendor == "postgresql":
        for row in done.values(*keys).annotate(median=Median("worked")).order_by():
            township = row[keys[0]]
            names[township] = (row[keys[2]], row[keys[1]])
            medians[township, row["stage"]] = row["median"]
    else:
        histograms = {}
        for row in done.values(*keys, "worked").annotate(n=Count("pk")).order_by():
            township = row[keys[0]]
            names[township] = (row[keys[2]], row[keys[1]])
            histograms.setdefault((township, row["stage"]), []).append((row["worked"], row["n"]))
        medians = {key: _median(counts) for key, counts in histograms.items()}
    table = []
    for township, (_path, name) in sorted(names.items(), key=lambda item: item[1][0]):
        cells = []
        for code, _label, _nodes in STAGES:
            value = medians.get((township, code))
            # one format for every cell: a median of an even count may fall on a half day
            cells.append(round(float(value), 1) if value is not None else None)
        table.append({"township": name, "cells": cells})
    return table


def _median(counts: list[tuple[int, int]]) -> float:
    """The median of values given as (value, how many times)."""
    counts = sorted(counts)
    total = sum(n for _value, n in counts)
    wanted = {(total - 1) // 2, total // 2}  # the middle one, or the two middle ones
    seen, picked = 0, []
    for value, n in counts:
        picked += [value for index in sorted(wanted) if seen <= index < seen + n]
        seen += n
    return sum(picked) / len(picked)


def _holder_labels(tasks) -> dict[int, str]:
    """Who holds each task: the owner, or the role and region (or operator) it waits for —
    the regions and operators loaded in two queries, not one per task."""
    region_ct = ContentType.objects.get_for_model(Region).pk
    region_ids = {
        int(t.owner_permission_obj_pk)
        for t in tasks
        if not t.owner_id and t.owner_permission_content_type_id == region_ct
    }
    operator_ids = {
        int(t.owner_permission_obj_pk)
        for t in tasks
        if not t.owner_id and t.owner_permission_content_type_id not in (None, region_ct)
    }
    regions = Region.objects.in_bulk(region_ids) if region_ids else {}
    operators = Operator.objects.in_bulk(operator_ids) if operator_ids else {}
    labels = {}
    for task in tasks:
        if task.owner_id:
            labels[task.pk] = task.owner.get_full_name()
            continue
        role = ROLES_BY_CODE.get((task.owner_permission or "").split(".")[-1])
        pk = int(task.owner_permission_obj_pk or 0)
        if role is not None and pk in regions:
            labels[task.pk] = f"{role.label} · {regions[pk].name}"
        else:
            labels[task.pk] = str(operators.get(pk, ""))
    return labels


def may_supervise(user) -> bool:
    """County bureaus, the leading group, the discipline commission and township leads see
    the dashboard (each for their own region); others do not."""
    from permissions.jurisdiction import roles_of

    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return any(
        r.role.level == Level.COUNTY or r.role.code == "township_lead" for r in roles_of(user)
    )
