"""The five-ones responsibility chain (五个一, DOMAIN.md §2) as officials read it.

A township lead's page lists every project under them with its stage, who holds it now,
days in the stage, its deadline and the next action; the county view rolls the same rows
up by township and by leader. Rows are built from a fixed number of queries, however
many projects there are (tests/processes/test_five_ones.py pins it).
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.status import PROCESS

from permissions.jurisdiction import roles_of
from permissions.models import Region
from permissions.roles import ROLES_BY_CODE, TOWNSHIP_LEAD
from workflow.deadlines import ESCALATED, OVERDUE

from .dashboard import task_clock
from .models import Operator, Project
from .stages import STAGE_LABELS, STAGES, stage_of

STOPPED = ("stopped", _("Stopped"))
STAGE_CODES = [code for code, _label, _nodes in STAGES] + ["finished", STOPPED[0]]
LABELS = {**STAGE_LABELS, STOPPED[0]: STOPPED[1]}


def deadlines_for(tasks) -> dict:
    """task pk → its :class:`~workflow.deadlines.Deadline` (None outside the holiday data):
    working days, holidays, 调休, paused while sent back; all rows in a fixed number of
    queries."""
    from workflow.deadlines import deadlines_of

    return deadlines_of(tasks)


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
    """Projects in the user's jurisdiction, with what the chain rows print, ready to read."""
    return Project.objects.visible_to(user).select_related(
        "village__parent", "responsible_leader", "process", "operator"
    )


def chain_rows(user, projects=None) -> list[ChainRow]:
    """One row per project: the projects the user leads first, then by township and name.

    Four queries: projects, their open human tasks (with owners), and the regions and
    operators those tasks wait for."""
    from workflow.tasks import ScopedTask

    projects = list(projects if projects is not None else projects_under(user))
    process_ids = [p.process.pk for p in projects if _process(p) is not None]
    open_tasks = {}
    for task in (
        ScopedTask.objects.filter(
            process_id__in=process_ids, flow_task_type="HUMAN", finished__isnull=True
        )
        .select_related("owner")
        .order_by("created", "pk")
    ):
        open_tasks[task.process_id] = task  # the newest open task is the current step
    waiting = [t for t in open_tasks.values() if t.owner_id is None]
    regions = Region.objects.in_bulk(
        [int(t.owner_permission_obj_pk) for t in waiting if _role_of(t)]
    )
    operators = Operator.objects.in_bulk(
        [int(t.owner_permission_obj_pk) for t in waiting if not _role_of(t)]
    )
    today = timezone.localdate()
    deadlines = deadlines_for(list(open_tasks.values()))
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
            deadline = deadlines.get(task.pk)
            row.deadline = deadline.due if deadline else None
            clock = task_clock(task, deadline, today)
            row.days_in_stage = clock["age"]  # working days, as on the dashboard
            row.stalled = clock["stalled"] or clock["status"] in (OVERDUE, ESCALATED)
        rows.append(row)
    rows.sort(key=lambda r: (not r.led, r.project.village.parent.name, r.project.name))
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


def rollup(rows: list[ChainRow]) -> tuple[list[Rollup], list[Rollup]]:
    """The county view: the same rows counted by township and by responsible leader."""
    by_township, by_leader = defaultdict(lambda: None), defaultdict(lambda: None)
    for row in rows:
        township = row.project.village.parent.name
        leader = row.project.responsible_leader
        leader_name = leader.get_full_name() if leader else str(_("No leader"))
        for table, key, name in (
            (by_township, township, township),
            (by_leader, leader.pk if leader else None, leader_name),  # namesakes stay apart
        ):
            entry = table[key] or Rollup(name=name)
            entry.per_stage[row.stage] += 1
            entry.stalled += row.stalled
            entry.total += 1
            table[key] = entry
    return (
        sorted(by_township.values(), key=lambda r: r.name),
        sorted(by_leader.values(), key=lambda r: r.name),
    )


def stage_headers() -> list:
    return [LABELS[code] for code in STAGE_CODES]
