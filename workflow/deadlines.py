"""Deadlines of live tasks, counted in working days (ground/calendar.py).

The rules (issue 5, "Deadlines and stalls"; DOMAIN.md §3 practice time limits):

* **Limit.** Each human step of a flow has a time limit in working days, set per county by
  a :class:`~workflow.models.StageLimit` row, else the one its node declares
  (:func:`default_limits`).
* **Clock.** A task's clock starts on the day it became live (``task.created``, local
  date; that day is not counted) and its deadline is the ``limit``-th working day after it.
  The holder may still act on the deadline day; from the next day the task is overdue.
* **Paused while sent back (退回).** When a review step sends the work back for
  correction, that step's clock stops: the correction task (created by the send-back,
  ``task.data["returned"]``) runs on its own step's clock, and none of the time until the
  corrected work comes back is charged to the review step. When it comes back, the
  review step's clock resumes: the working days its earlier task(s) used before sending
  back — back to the last time the step passed the work on — are deducted from its limit.
* **Levels.** ``ok`` → ``due_soon`` from ``remind_before_days`` working days before the
  deadline → ``overdue`` after the deadline → ``escalated`` from ``escalate_after_days``
  working days after the deadline.

* **Stored.** Each live human task's deadline is stored on its
  :class:`~workflow.models.TaskClock` (``task.clock``): written when the node creates the
  task, rewritten by every sweep and when a county changes a limit
  (:func:`store_clocks`, :func:`refresh_clocks`), so lists filter overdue tasks in SQL
  (:func:`overdue_q`) and read a deadline without computing it (:func:`stored_deadline`).

Public API: :func:`deadline_of`, :func:`status_of`, :func:`deadlines_of` (a batch for
lists), :func:`limit_for`, the stored clocks, and the chain of command :func:`holders_of`,
:func:`superiors_of`, :func:`supervisors_of`.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from ground.acts import Act
from ground.calendar import CalendarNotCovered, add_working_days, working_days_between
from permissions.jurisdiction import holders, permission_holders
from permissions.models import Region
from permissions.roles import (
    COUNTY_DISCIPLINE,
    COUNTY_LEADING_GROUP,
    COUNTY_POVERTY_OFFICE,
    OPERATOR_PERMISSION,
    TOWNSHIP_LEAD,
    Level,
    Role,
    get_role,
)

from .subjects import region_of, timed_nodes

LIVE = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)

OK, DUE_SOON, OVERDUE, ESCALATED = "ok", "due_soon", "overdue", "escalated"
STATUS_LABELS = {
    OK: _("On time"),
    DUE_SOON: _("Due soon"),
    OVERDUE: _("Overdue"),
    ESCALATED: _("Escalated"),
}


@dataclass(frozen=True)
class Limit:
    working_days: int
    remind_before_days: int = 2
    escalate_after_days: int = 5


FALLBACK_LIMIT = Limit(10)


def default_limits() -> dict[str, Limit]:
    """Working days per step when the county has not set its own: each step's own
    declaration (``.Stage(..., days=...)`` on its node, workflow/nodes.py)."""
    return {node.name: node.time_limit for node in timed_nodes()}


def step_choices() -> list[tuple[str, str]]:
    """(node name, title) of every step with a clock, in viewflow's node order."""
    return [(node.name, node.task_title) for node in timed_nodes()]


# --- Limits ---------------------------------------------------------------------------


def county_limits(county_id: int) -> dict[str, Limit]:
    """The county's limits by step: its StageLimit rows over the defaults (one query)."""
    from .models import StageLimit

    limits = default_limits()
    for row in StageLimit.objects.filter(county_id=county_id):
        limits[row.node] = Limit(row.working_days, row.remind_before_days, row.escalate_after_days)
    return limits


def limit_for(county_id: int, node_name: str) -> Limit:
    return county_limits(county_id).get(node_name, FALLBACK_LIMIT)


# --- Deadlines ------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    started: datetime.date  # the day the task became live
    limit: Limit
    used_before: int  # working days used by the step before it sent the work back
    due: datetime.date
    remind_on: datetime.date
    escalate_on: datetime.date

    def status(self, today: datetime.date) -> str:
        if today >= self.escalate_on:
            return ESCALATED
        if today > self.due:
            return OVERDUE
        if today >= self.remind_on:
            return DUE_SOON
        return OK

    def days_left(self, today: datetime.date) -> int:
        """Working days left until the deadline (negative: working days overdue)."""
        if today <= self.due:
            return working_days_between(today, self.due)
        return -working_days_between(self.due, today)


def compute_deadline(started: datetime.date, limit: Limit, used_before: int = 0) -> Deadline:
    """The deadline of a task live since ``started`` with ``limit``, resuming a paused
    clock that already used ``used_before`` working days (never below the start day)."""
    remaining = max(limit.working_days - used_before, 0)
    due = add_working_days(started, remaining)
    remind_on = max(add_working_days(due, -limit.remind_before_days), started)
    escalate_on = add_working_days(due, max(limit.escalate_after_days, 1))
    return Deadline(started, limit, used_before, due, remind_on, escalate_on)


def _local_date(moment) -> datetime.date:
    return timezone.localdate(moment)


def _places(tasks) -> dict[int, tuple[int, int]]:
    """process id → (subject id, county id) for these tasks, one query per flow, whatever
    the tasks have loaded (the region path starts at the county: "/<county>/<township>/…")."""
    by_flow = defaultdict(set)
    for task in tasks:
        by_flow[task.flow_task.flow_class].add(task.process_id)
    places = {}
    for flow_class, process_ids in by_flow.items():
        subject, region = flow_class.subject_field, flow_class.region_field
        rows = flow_class.process_class._default_manager.filter(
            pk__in=process_ids, **{f"{subject}__isnull": False}
        ).values_list("pk", subject, f"{region}__path")
        for pk, subject_id, path in rows:
            places[pk] = (subject_id, int(path.strip("/").split("/")[0]))
    return places


def _sent_back_ids(project_ids) -> set[int]:
    """Tasks of these projects whose completion sent the work back (the audit says so)."""
    from ground.models import AuditEntry

    entries = AuditEntry.objects.filter(act=Act.TASK_SEND_BACK, project_id__in=project_ids)
    return {int(pk) for pk in entries.values_list("object_id", flat=True)}


def _paused_attempts(tasks, project_ids) -> dict[int, list[tuple]]:
    """For each live task: the (created, finished) of its step's earlier tasks that sent the
    work back, back to the last earlier task of the step that passed it on (two queries)."""
    done = (
        Task.objects.filter(
            process_id__in={t.process_id for t in tasks},
            flow_task_type="HUMAN",
            status=STATUS.DONE,
        )
        .order_by("-created", "-pk")
        .values_list("pk", "process_id", "flow_task", "created", "finished")
    )
    by_step = defaultdict(list)  # (process, step) → its done tasks, newest first
    for pk, process_id, flow_task, created, finished in done:
        by_step[process_id, flow_task].append((pk, created, finished))
    sent_back = _sent_back_ids(project_ids)  # always: a fixed number of queries
    attempts = {}
    for task in tasks:
        earlier = []
        for pk, created, finished in by_step.get((task.process_id, task.flow_task), ()):
            if created >= task.created:
                continue
            if pk not in sent_back or finished is None:
                break  # the step passed the work on here: its clock started afresh after
            earlier.append((created, finished))
        attempts[task.pk] = earlier
    return attempts


def _used(attempts) -> int:
    return sum(
        working_days_between(_local_date(created), _local_date(finished))
        for created, finished in attempts
    )


def deadlines_of(tasks, *, strict: bool = False) -> dict[int, Deadline | None]:
    """Deadlines of many live tasks in four queries, however many tasks (lists and
    dashboards call this, never :func:`deadline_of` in a loop). A task whose dates the
    holiday data does not cover gets ``None`` (or, with ``strict``, raises
    CalendarNotCovered)."""
    from .models import StageLimit

    tasks = list(tasks)
    if not tasks:
        return {}
    places = _places(tasks)
    counties = {county for _project, county in places.values()}
    rows = StageLimit.objects.filter(county_id__in=counties)
    overrides = {
        (r.county_id, r.node): Limit(r.working_days, r.remind_before_days, r.escalate_after_days)
        for r in rows
    }
    attempts = _paused_attempts(tasks, {project for project, _county in places.values()})
    defaults = default_limits()
    result = {}
    for task in tasks:
        node = task.flow_task.name
        county = places.get(task.process_id, (None, None))[1]
        limit = overrides.get((county, node)) or defaults.get(node, FALLBACK_LIMIT)
        try:
            used = _used(attempts[task.pk])
            result[task.pk] = compute_deadline(_local_date(task.created), limit, used)
        except CalendarNotCovered:
            if strict:
                raise
            result[task.pk] = None
    return result


def deadline_of(task) -> Deadline:
    """The deadline of one live task (raises CalendarNotCovered outside the holiday data)."""
    return deadlines_of([task], strict=True)[task.pk]


def status_of(task, today: datetime.date | None = None) -> str:
    """``ok`` | ``due_soon`` | ``overdue`` | ``escalated`` for a live task on ``today``."""
    return deadline_of(task).status(today or timezone.localdate())


# --- Stored clocks ---------------------------------------------------------------------

_CLOCK_FIELDS = [
    "started",
    "working_days",
    "remind_before_days",
    "escalate_after_days",
    "used_before",
    "due",
    "remind_on",
    "escalate_on",
]


def save_clocks(tasks, deadlines: dict) -> None:
    """Store these tasks' deadlines (``deadlines_of``'s answer) on their clocks, in one
    statement per thousand tasks."""
    from .models import TaskClock

    rows = []
    for task in tasks:
        deadline = deadlines.get(task.pk)
        started = _local_date(task.created)
        if deadline is None:
            rows.append(TaskClock(task_id=task.pk, started=started, working_days=0))
            continue
        limit = deadline.limit
        rows.append(
            TaskClock(
                task_id=task.pk,
                started=deadline.started,
                working_days=limit.working_days,
                remind_before_days=limit.remind_before_days,
                escalate_after_days=limit.escalate_after_days,
                used_before=deadline.used_before,
                due=deadline.due,
                remind_on=deadline.remind_on,
                escalate_on=deadline.escalate_on,
            )
        )
    TaskClock.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["task"],
        update_fields=_CLOCK_FIELDS,
    )


def store_clocks(tasks) -> None:
    """Compute and store the deadlines of these live tasks."""
    tasks = list(tasks)
    if tasks:
        save_clocks(tasks, deadlines_of(tasks))


def live_tasks(county_id: int | None = None):
    """Live human tasks (of one county's processes, when given)."""
    from .subjects import served_flows, task_lookup

    tasks = Task.objects.filter(flow_task_type="HUMAN", status__in=LIVE)
    if county_id is not None:
        in_county = Q(pk__in=[])
        for flow_class in served_flows():
            lookup = task_lookup(flow_class, f"{flow_class.region_field}__path__startswith")
            in_county |= Q(**{lookup: f"/{county_id}/"})
        tasks = tasks.filter(in_county)
    return tasks


def refresh_clocks(tasks=None, chunk: int = 2000) -> int:
    """Recompute the stored deadlines of ``tasks`` (a queryset; every live human task by
    default), a chunk at a time. Returns how many were stored."""
    tasks = live_tasks() if tasks is None else tasks
    count, batch = 0, []
    for task in tasks.order_by("pk").iterator(chunk_size=chunk):
        batch.append(task)
        if len(batch) == chunk:
            store_clocks(batch)
            count, batch = count + len(batch), []
    store_clocks(batch)
    return count + len(batch)


def stored_deadline(clock) -> Deadline | None:
    """The :class:`Deadline` a stored clock holds (None outside the holiday data)."""
    if clock is None or clock.due is None:
        return None
    limit = Limit(clock.working_days, clock.remind_before_days, clock.escalate_after_days)
    return Deadline(
        clock.started, limit, clock.used_before, clock.due, clock.remind_on, clock.escalate_on
    )


def overdue_q(today: datetime.date, prefix: str = "") -> Q:
    """Live tasks past their stored deadline on ``today`` (escalated or not)."""
    return Q(**{f"{prefix}clock__due__lt": today})


def escalated_q(today: datetime.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}clock__escalate_on__lte": today})


def _regions(tasks) -> dict[int, int]:
    """process id → the id of the region its flow declares (a village), one query per flow."""
    by_flow = defaultdict(set)
    for task in tasks:
        by_flow[task.flow_task.flow_class].add(task.process_id)
    regions = {}
    for flow_class, process_ids in by_flow.items():
        rows = flow_class.process_class._default_manager.filter(pk__in=process_ids)
        regions.update(rows.values_list("pk", flow_class.region_field))
    return regions


def store_worked(tasks) -> None:
    """Store the working days these finished tasks took (``created`` → ``finished``, local
    dates; None outside the holiday data), with their region and stage, for the medians."""
    from .models import TaskClock

    regions = _regions(tasks)
    rows = []
    for task in tasks:
        started, finished = _local_date(task.created), _local_date(task.finished)
        try:
            worked = working_days_between(started, finished)
        except CalendarNotCovered:
            worked = None
        rows.append(
            TaskClock(
                task_id=task.pk,
                started=started,
                working_days=0,
                worked=worked,
                region_id=regions.get(task.process_id),
                stage=getattr(task.flow_task, "stage", None) or "",
            )
        )
    TaskClock.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["task"],
        update_fields=["worked", "region", "stage"],
    )


def refresh_worked(tasks=None, chunk: int = 5000) -> int:
    """Recompute the working days taken by finished human tasks (all by default)."""
    if tasks is None:
        tasks = Task.objects.filter(
            flow_task_type="HUMAN", status=STATUS.DONE, finished__isnull=False
        )
    count, batch = 0, []
    fields = ("pk", "created", "finished", "flow_task", "process_id")
    for task in tasks.only(*fields).order_by("pk").iterator(chunk_size=chunk):
        batch.append(task)
        if len(batch) == chunk:
            store_worked(batch)
            count, batch = count + len(batch), []
    store_worked(batch)
    return count + len(batch)


def task_saved(sender, instance, created, **kwargs) -> None:
    """post_save of a task (workflow/apps.py): a new live human task gets its clock; a
    completed one records the working days it took."""
    if instance.flow_task_type != "HUMAN":
        return
    if created and instance.status in LIVE:
        store_clocks([instance])
    elif instance.status == STATUS.DONE and instance.finished is not None:
        store_worked([instance])


def limit_changed(sender, instance, **kwargs) -> None:
    """post_save / post_delete of a StageLimit: the county's live tasks are re-timed."""
    refresh_clocks(live_tasks(instance.county_id))


# --- Chain of command -----------------------------------------------------------------
#
# Who is reminded, who is told when a task is overdue, and who supervises:
#   holder      the task's owner, or (unclaimed) everyone holding its role at its region
#               (or acting for its operator);
#   superior    a village role → the township lead of its township; a township role → the
#               township lead, and when the holder IS the township lead → the county poverty
#               office; a county role → the county leading group, and when the holder is the
#               leading group → the county poverty office; an operator → the township lead
#               of the project's township;
#   supervisor  the county poverty office and the county discipline commission.


def users_holding(role: Role, region: Region):
    """Active users holding ``role`` at exactly ``region``: the one answer, in permissions."""
    return holders(role, region)


def task_role(task) -> tuple[Role | None, object]:
    """(role, region) the task names, or (None, operator) for an operator's task."""
    obj = task.owner_permission_obj
    if task.owner_permission == OPERATOR_PERMISSION:
        return None, obj
    return get_role(task.owner_permission.split(".", 1)[1]), obj


def holders_of(task) -> list:
    """The task's owner, or everyone who may claim it while it is unclaimed."""
    if task.owner_id is not None:
        return [task.owner]
    role, obj = task_role(task)
    if obj is None:
        return []
    if role is None:
        return list(permission_holders(OPERATOR_PERMISSION, obj))
    return list(users_holding(role, obj))


def superior_role(task) -> tuple[Role, Region]:
    """Whose job it is to chase an overdue task (see the table above)."""
    role, obj = task_role(task)
    township = region_of(task.process).parent
    county = township.parent
    if role is None or role.level == Level.VILLAGE:
        return TOWNSHIP_LEAD, township
    if role.level == Level.TOWNSHIP:
        return (COUNTY_POVERTY_OFFICE, county) if role == TOWNSHIP_LEAD else (TOWNSHIP_LEAD, obj)
    if role == COUNTY_LEADING_GROUP:
        return COUNTY_POVERTY_OFFICE, county
    return COUNTY_LEADING_GROUP, county


def superiors_of(task) -> list:
    role, region = superior_role(task)
    return list(users_holding(role, region))


def supervisors_of(county: Region) -> list:
    """The county supervisors an escalation goes to: poverty office + discipline commission."""
    users = list(users_holding(COUNTY_POVERTY_OFFICE, county))
    users += [u for u in users_holding(COUNTY_DISCIPLINE, county) if u not in users]
    return users
