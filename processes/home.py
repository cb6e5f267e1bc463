"""The home page (工作台): what is waiting for me, in one screen, after sign-in and at "/".

My inbox (待办) and the queue of my roles (待签收) with their deadlines, the sign-offs
awaiting me (待我签署), what was copied to me (抄送我的), my newest notifications, and, for
township leads and supervisors, the five-ones and overdue / stalled counts of the projects
under them.

Everything is counted in the database and each list shows its first few rows: the page
runs a fixed number of queries however many tasks and projects there are
(tests/workflow/test_home.py pins it at two data sizes).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone
from django.views import generic

from workflow import notifications, operations
from workflow.deadlines import LIVE, STATUS_LABELS, deadlines_of, overdue_q
from workflow.tasks import ScopedTask

from .dashboard import STALL_WORKING_DAYS, may_supervise, stalled_q
from .models import Project

SHOWN = 8  # rows per list; the count says how many more there are


@dataclass
class Oversight:
    """Counts over the projects under a township lead or supervisor."""

    projects: int = 0
    led: int = 0  # projects whose responsible leader (五个一) is the viewer
    without_leader: int = 0  # the chain is broken: nobody answers for the project
    overdue: int = 0  # open steps past their deadline (the dashboard's overdue)
    stalled: int = 0  # not overdue, unmoved for STALL_WORKING_DAYS working days (the dashboard's)
    stall_days: int = STALL_WORKING_DAYS


@dataclass
class Home:
    inbox: list = field(default_factory=list)
    inbox_count: int = 0
    queue: list = field(default_factory=list)
    queue_count: int = 0
    sign_offs: list = field(default_factory=list)
    sign_off_count: int = 0
    copies: list = field(default_factory=list)
    notifications: list = field(default_factory=list)
    oversight: Oversight | None = None


def _tasks(queryset):
    return queryset.select_related(
        "process__projectprocess__project__village__parent", "owner"
    ).order_by("created", "pk")


def home_for(user, today: datetime.date | None = None) -> Home:
    from .flows import ProjectFlow

    today = today or timezone.localdate()
    flows = [ProjectFlow]
    inbox = ScopedTask.objects.inbox(flows, user).filter(flow_task_type="HUMAN")
    queue = ScopedTask.objects.queue(flows, user)
    home = Home(
        inbox=list(_tasks(inbox)[:SHOWN]),
        inbox_count=inbox.count(),
        queue=list(_tasks(queue)[:SHOWN]),
        queue_count=queue.count(),
    )
    deadlines = deadlines_of(home.inbox + home.queue)
    for task in home.inbox + home.queue:
        task.project = task.process.projectprocess.project
        task.deadline = deadlines.get(task.pk)
        task.deadline_status = task.deadline.status(today) if task.deadline else ""
        task.url = task.flow_task.reverse("index", args=[task.process_id, task.pk])
        task.returned = (task.data or {}).get("returned")
        task.deadline_label = STATUS_LABELS.get(task.deadline_status, "")
    sign_offs = operations.pending_sign_offs(user)
    home.sign_offs = list(
        sign_offs.select_related("task__process__projectprocess__project")[:SHOWN]
    )
    home.sign_off_count = sign_offs.count()
    for sign_off in home.sign_offs:
        sign_off.project = sign_off.task.process.projectprocess.project
    home.copies = list(operations.copies_for(user).select_related("task")[:SHOWN])
    projects = Project.objects.in_bulk({c.project_id for c in home.copies})
    for copy in home.copies:
        copy.project = projects.get(copy.project_id)
    home.notifications = list(notifications.recent(user))
    if may_supervise(user):
        home.oversight = oversight_for(user, today)
    return home


def oversight_for(user, today: datetime.date) -> Oversight:
    """Two aggregate queries over the projects in the user's jurisdiction, counting overdue
    and stalled steps by the dashboard's definitions (processes/dashboard.py ``overdue_q``,
    ``stalled_q``: from each task's stored deadline and the working-day index), so the desk
    and the 督办看板 never disagree."""
    projects = Project.objects.visible_to(user)
    counts = projects.aggregate(
        projects=Count("pk"),
        led=Count("pk", filter=Q(responsible_leader=user)),
        without_leader=Count("pk", filter=Q(responsible_leader__isnull=True)),
    )
    steps = ScopedTask.objects.filter(
        flow_task_type="HUMAN",
        status__in=LIVE,
        process__projectprocess__project__in=projects,
    ).aggregate(
        overdue=Count("pk", filter=overdue_q(today)),
        stalled=Count("pk", filter=stalled_q(today)),
    )
    return Oversight(**counts, **steps)


class HomeView(generic.TemplateView):
    """工作台: signed-out visitors are sent to sign in first."""

    template_name = "processes/home.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "home": home_for(self.request.user)}
