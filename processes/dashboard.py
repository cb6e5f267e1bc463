"""The supervisor dashboard's queries (督办看板): stalled and overdue projects, the township ×
stage heatmap of overdue projects, and the median working days per stage per township.

Scoped by ``Project.objects.visible_to(user)``: a township lead sees their township only,
county bureaus and the discipline commission the whole county. Every function runs a
fixed number of queries, however many projects there are (tests/processes/test_dashboard.py).

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
import statistics
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from viewflow.workflow.status import STATUS

from ground.calendar import CalendarNotCovered, working_days_between
from permissions.models import Region
from permissions.roles import ROLES_BY_CODE, Level
from workflow.deadlines import ESCALATED, LIVE, OVERDUE, STATUS_LABELS, Deadline, deadlines_of
from workflow.tasks import ScopedTask

from .models import Operator, Project
from .stages import STAGE_LABELS, STAGES, stage_of

STALL_WORKING_DAYS = settings.QIYUE_STALL_WORKING_DAYS


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


def _open_tasks(projects):
    return (
        ScopedTask.objects.filter(
            flow_task_type="HUMAN",
            status__in=LIVE,
            process__projectprocess__project__in=projects,
        )
        .select_related(
            "owner",
            "process__projectprocess__project__village__parent",
            "process__projectprocess__project__responsible_leader",
        )
        .order_by("created", "pk")
    )


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


def _working_days(start, end) -> int | None:
    try:
        return working_days_between(start, end)
    except CalendarNotCovered:
        return None


def project_rows(user, today: datetime.date | None = None) -> list[Row]:
    """One row per open task of every project the user may see, with its deadline status."""
    today = today or timezone.localdate()
    projects = Project.objects.visible_to(user)
    tasks = list(_open_tasks(projects))
    deadlines = deadlines_of(tasks)
    holders = _holder_labels(tasks)
    rows = []
    for task in tasks:
        project = task.process.coerced.project
        deadline = deadlines[task.pk]
        rows.append(
            Row(
                project=project,
                task=task,
                stage=stage_of(task.flow_task.name) or "",
                holder=holders[task.pk],
                deadline=deadline,
                **task_clock(task, deadline, today),
            )
        )
    return rows


def task_clock(task, deadline: Deadline | None, today: datetime.date) -> dict:
    """``status``, ``age``, ``idle`` and ``stalled`` of one open task on ``today``, as
    defined above (the five-ones pages use the same definitions)."""
    status = deadline.status(today) if deadline else ""
    started = timezone.localdate(task.created)
    claimed = timezone.localdate(task.assigned) if task.assigned else started
    idle = _working_days(max(started, claimed), today)
    return {
        "status": status,
        "age": _working_days(started, today),
        "idle": idle,
        "stalled": status not in (OVERDUE, ESCALATED)
        and idle is not None
        and idle >= STALL_WORKING_DAYS,
    }


def filter_rows(rows, *, township=None, stage=None, leader=None, min_age=None, show=None):
    """The dashboard's filters; ``show`` is "overdue", "stalled" or anything else for both."""
    result = []
    for row in rows:
        if show == "overdue" and not row.overdue:
            continue
        if show == "stalled" and not row.stalled:
            continue
        if show not in ("overdue", "stalled") and not (row.overdue or row.stalled):
            continue
        if township and row.project.village.parent_id != township:
            continue
        if stage and row.stage != stage:
            continue
        if leader and row.project.responsible_leader_id != leader:
            continue
        if min_age is not None and (row.age is None or row.age < min_age):
            continue
        result.append(row)
    return result


def townships_of(rows) -> list[Region]:
    seen = {}
    for row in rows:
        township = row.project.village.parent
        seen.setdefault(township.pk, township)
    return sorted(seen.values(), key=lambda r: r.path)


def heatmap(rows, townships) -> list[dict]:
    """Township × stage: how many projects are overdue, with a shade (0–1) for the cell."""
    counts = defaultdict(set)
    for row in rows:
        if row.overdue:
            counts[row.project.village.parent_id, row.stage].add(row.project.pk)
    peak = max((len(v) for v in counts.values()), default=0)
    table = []
    for township in townships:
        cells = []
        for code, _label, _nodes in STAGES:
            n = len(counts.get((township.pk, code), ()))
            cells.append({"stage": code, "count": n, "shade": round(n / peak, 2) if peak else 0})
        table.append({"township": township, "cells": cells})
    return table


def median_working_days(user) -> list[dict]:
    """Median working days per stage per township, from completed tasks (one query)."""
    done = ScopedTask.objects.filter(
        flow_task_type="HUMAN",
        status=STATUS.DONE,
        finished__isnull=False,
        process__projectprocess__project__in=Project.objects.visible_to(user),
    ).values(
        "flow_task",
        "created",
        "finished",
        "process__projectprocess__project__village__parent_id",
        "process__projectprocess__project__village__parent__name",
        "process__projectprocess__project__village__parent__path",
    )
    samples = defaultdict(list)
    names = {}
    for row in done:
        node = row["flow_task"]
        stage = stage_of(getattr(node, "name", str(node).rsplit(".", 1)[-1]))
        if stage is None:
            continue
        township = row["process__projectprocess__project__village__parent_id"]
        names[township] = (
            row["process__projectprocess__project__village__parent__path"],
            row["process__projectprocess__project__village__parent__name"],
        )
        days = _working_days(
            timezone.localdate(row["created"]), timezone.localdate(row["finished"])
        )
        if days is not None:
            samples[township, stage].append(days)
    table = []
    for township, (_path, name) in sorted(names.items(), key=lambda item: item[1][0]):
        cells = []
        for code, _label, _nodes in STAGES:
            values = samples.get((township, code))
            # one format for every cell: a median of an even count may fall on a half day
            cells.append(round(float(statistics.median(values)), 1) if values else None)
        table.append({"township": name, "cells": cells})
    return table


def leaders_of(rows) -> list:
    seen = {}
    for row in rows:
        leader = row.project.responsible_leader
        if leader is not None:
            seen.setdefault(leader.pk, leader)
    return sorted(seen.values(), key=lambda u: u.get_full_name())


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
