"""The five-ones responsibility chain (五个一, DOMAIN.md §2) as officials read it.

A township lead's page lists every project under them with its stage, who holds it now,
days in the stage, its deadline and the next action, a page of :data:`PAGE_SIZE` at a
time; the county view counts the same projects by township and by leader. Both are
computed in the database from the stored deadlines (``task.clock``) and the working-day
index: only the page shown is built into rows, and the counts are two aggregate queries,
whatever the number of projects (tests/processes/test_five_ones.py pins them).
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.status import PROCESS

from permissions.jurisdiction import roles_of
from permissions.models import Region
from permissions.roles import ROLES_BY_CODE, TOWNSHIP_LEAD
from workflow.deadlines import overdue_q, stored_deadline
from workflow.tasks import ScopedTask

from .dashboard import STALL_WORKING_DAYS, stage_case, stalled_q, with_clock_days
from .models import Operator, Project
from .stages import STAGE_LABELS, STAGES, stage_of

PAGE_SIZE = 50
STOPPED = ("stopped", _("Stopped"))
STAGE_CODES = [code for code, _label, _nodes in STAGES] + ["finished", STOPPED[0]]
LABELS = {**STAGE_LABELS, STOPPED[0]: STOPPED[1]}


@dataclass
class ChainRow:
    project: Project
    led: bool  # the viewer is this project's responsible leader
    stage: str | None
    holder: str = ""
    next_action: str = ""
    days_in_stage: int | None = None
    deadline: object = None  # the date the current step is due
    task: object = None
    stalled: bool = False  # needs attention: past its deadline, or no movement (dashboard)

    @property
    def stage_label(self):
        return LABELS.get(self.stage, "")


def projects_under(user):
    """Projects in the user's jurisdiction in the page's order: the ones the user leads
    first, then by township and name, with what the chain rows print."""
    led_first = Case(
        When(responsible_leader_id=user.pk, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return (
        Project.objects.visible_to(user)
        .select_related("village__parent", "responsible_leader", "process", "operator")
        .annotate(led_first=led_first)
        .order_by("led_first", "village__parent__name", "name", "pk")
    )


def current_tasks(tasks):
    """Of these open human tasks, each process's newest (its current step)."""
    newer = ScopedTask.objects.filter(
        process_id=OuterRef("process_id"), flow_task_type="HUMAN", finished__isnull=True
    ).filter(
        Q(created__gt=OuterRef("created")) | Q(created=OuterRef("created"), pk__gt=OuterRef("pk"))
    )
    return tasks.filter(flow_task_type="HUMAN", finished__isnull=True).filter(~Exists(newer))


def chain_rows(user, projects, today=None) -> list[ChainRow]:
    """The rows of these projects (a page), in four queries: projects, their current tasks
    (with owners and clocks), and the regions and operators those tasks wait for."""
    today = today or timezone.localdate()
    projects = list(projects)
    process_ids = [p.process.pk for p in projects if _process(p) is not None]
    tasks = with_clock_days(
        current_tasks(ScopedTask.objects.filter(process_id__in=process_ids)), today
    ).select_related("owner", "clock")
    open_tasks = {task.process_id: task for task in tasks}
    waiting = [t for t in open_tasks.values() if t.owner_id is None]
    regions = Region.objects.in_bulk(
        [int(t.owner_permission_obj_pk) for t in waiting if _role_of(t)]
    )
    operators = Operator.objects.in_bulk(
        [int(t.owner_permission_obj_pk) for t in waiting if not _role_of(t)]
    )
    rows = []
    for project in projects:
        process = _process(project)
        task = open_tasks.get(process.pk) if process else None
        row = ChainRow(
            project=project,
            led=project.responsible_leader_id == user.pk,
            stage=_stage(process, task),
        )
        if task is not None:
            row.task = task
            row.holder = _holder(task, regions, operators)
            row.next_action = task.flow_task.task_title
            deadline = stored_deadline(getattr(task, "clock", None))
            row.deadline = deadline.due if deadline else None
            row.days_in_stage = task.age  # working days, as on the dashboard
            overdue = deadline is not None and today > deadline.due
            row.stalled = overdue or (task.idle is not None and task.idle >= STALL_WORKING_DAYS)
        rows.append(row)
    return rows


def _process(project):
    try:
        return project.process
    except Project.process.RelatedObjectDoesNotExist:
        return None


def _stage(process, task) -> str | None:
    if process is None:
        return None
    if process.status == PROCESS.DONE:
        return "finished"
    if process.status == PROCESS.CANCELED:
        return STOPPED[0]
    return stage_of(task.flow_task.name) if task is not None else None


def _role_of(task):
    return ROLES_BY_CODE.get((task.owner_permission or "").split(".")[-1])


def _holder(task, regions, operators) -> str:
    """The task's owner, or the queue it waits in: a role at a region, or an operator."""
    if task.owner_id:
        return task.owner.get_full_name()
    role = _role_of(task)
    if role is not None:
        region = regions.get(int(task.owner_permission_obj_pk))
        return f"{role.label} · {region.name if region else ''}"
    operator = operators.get(int(task.owner_permission_obj_pk or 0))
    return f"{_('Operator')} · {operator.name if operator else ''}"


def leads_a_township(user) -> bool:
    return any(r.role == TOWNSHIP_LEAD for r in roles_of(user))


@dataclass
class Rollup:
    """Counts per stage and stalled counts for one township or one leader."""

    name: str
    per_stage: Counter = field(default_factory=Counter)
    stalled: int = 0
    total: int = 0

    def counts(self) -> list[int]:
        return [self.per_stage.get(code, 0) for code in STAGE_CODES]


def rollup(user, today=None) -> tuple[list[Rollup], list[Rollup]]:
    """The county view: the user's projects counted by township and by responsible leader,
    per stage and stalled, in two aggregate queries (projects by process status; current
    steps by stage), grouped by township × leader and summed up here."""
    today = today or timezone.localdate()
    projects = Project.objects.visible_to(user)
    place = ("village__parent_id", "village__parent__name", "responsible_leader_id")
    leader = ("responsible_leader__full_name", "responsible_leader__username")
    by_status = (
        projects.values(*place, *leader, "process__status").annotate(n=Count("pk")).order_by()
    )
    project = "process__projectprocess__project__"
    steps = (
        current_tasks(ScopedTask.objects.filter(**{f"{project[:-2]}__in": projects}))
        .exclude(process__status__in=[PROCESS.DONE, PROCESS.CANCELED])
        .annotate(stage=stage_case())
        .values(*(project + key for key in place), "stage")
        .annotate(n=Count("pk"), stalled=Count("pk", filter=overdue_q(today) | stalled_q(today)))
        .order_by()
    )
    by_township, by_leader = {}, {}

    def entries(township_name, leader_id, leader_name):
        township = by_township.setdefault(township_name, Rollup(name=township_name))
        # namesakes stay apart: leaders are keyed by their account
        person = by_leader.setdefault(leader_id, Rollup(name=leader_name))
        return township, person

    names = {}
    for row in by_status:
        leader_id = row["responsible_leader_id"]
        names[leader_id] = (
            row["responsible_leader__full_name"] or row["responsible_leader__username"]
            if leader_id
            else str(_("No leader"))
        )
        stage = {PROCESS.DONE: "finished", PROCESS.CANCELED: STOPPED[0]}.get(row["process__status"])
        for entry in entries(row["village__parent__name"], leader_id, names[leader_id]):
            entry.total += row["n"]
            if stage:
                entry.per_stage[stage] += row["n"]
    for row in steps:
        leader_id = row[project + "responsible_leader_id"]
        township_name = row[project + "village__parent__name"]
        for entry in entries(township_name, leader_id, names.get(leader_id, "")):
            entry.per_stage[row["stage"]] += row["n"]
            entry.stalled += row["stalled"]
    return (
        sorted(by_township.values(), key=lambda r: r.name),
        sorted(by_leader.values(), key=lambda r: r.name),
    )


def stage_headers() -> list:
    return [LABELS[code] for code in STAGE_CODES]
