"""viewflow's flow-wide lists (queue, inbox, archive, dashboard, process and task lists,
process detail), showing only what lies in the user's jurisdiction."""

from django.http import Http404
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django_filters import ChoiceFilter, DateRangeFilter, FilterSet
from viewflow.utils import viewprop
from viewflow.workflow.flow.views.dashboard import (
    DashboardProcessListView,
    DashboardTaskListView,
    DashboardView,
)
from viewflow.workflow.flow.views.detail import DetailProcessView
from viewflow.workflow.flow.views.list import (
    WorkflowArchiveListView,
    WorkflowInboxListView,
    WorkflowQueueListView,
)
from viewflow.workflow.models import Task

from . import operations
from .tasks import ScopedTask
from .views import returned_note


def flow_task_choices(flow_classes):
    """Task-type choices from the flow definitions: no query over the task table."""
    from viewflow.workflow.fields import get_task_ref

    return [
        (get_task_ref(node), f"{flow_class.process_title} / {node.task_title}")
        for flow_class in flow_classes
        for node in flow_class.instance.nodes()
        if getattr(node, "task_type", None) == "HUMAN"
    ]


class LeanTaskFilter(FilterSet):
    """Filter by task type and date; no per-process select that enumerates the queue."""

    flow_task = ChoiceFilter(label=_("Task"))
    created = DateRangeFilter(label=_("Created"))

    def __init__(self, *args, flow_classes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["flow_task"].field.choices = flow_task_choices(flow_classes)

    class Meta:
        model = Task
        fields = ("flow_task", "created")


class _ScopedListMixin:
    model = ScopedTask
    filterset_class = LeanTaskFilter

    # viewflow's own columns are headed by their method names ("Brief", "Created").
    def brief(self, task):
        return task.brief

    brief.short_description = _("Summary")

    def created(self, task):
        return date_format(localtime(task.created), "Y-m-d H:i")

    created.short_description = _("Created")

    def finished(self, task):
        return date_format(localtime(task.finished), "Y-m-d H:i") if task.finished else ""

    finished.short_description = _("Finished at")

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        if issubclass(filterset_class, LeanTaskFilter):
            kwargs["flow_classes"] = self.flow_classes
        return kwargs

    def process_brief(self, task):
        flow_viewset = task.flow_task.flow_class.parent
        url = flow_viewset.reverse("process_detail", args=[task.process_id])
        from django.utils.html import format_html

        return format_html('<a href="{}">{}</a>', url, task.process.coerced.brief)

    process_brief.short_description = _("Project")


def list_related(flow_classes) -> list[str]:
    """What task lists select along, so each row's project costs no query (flows declare it)."""
    return sorted(
        {path for flow in flow_classes for path in getattr(flow, "list_select_related", ())}
    )


class _DeadlineColumnMixin:
    """A "办理时限" column: each task's deadline and its status, computed for the page shown
    in a fixed number of queries (workflow/deadlines.py)."""

    def get_page_data(self, page):
        from .deadlines import deadlines_of

        tasks = list(page)
        self._deadlines = deadlines_of(tasks)
        return super().get_page_data(tasks)

    def deadline(self, task):
        from django.utils import formats, timezone
        from django.utils.html import format_html

        from ground.calendar import is_provisional

        from .deadlines import OK, STATUS_LABELS

        deadline = getattr(self, "_deadlines", {}).get(task.pk)
        if deadline is None:
            return ""
        status = deadline.status(timezone.localdate())
        label = formats.date_format(deadline.due, "SHORT_DATE_FORMAT")
        if is_provisional(deadline.due):
            label += str(_("(provisional)"))
        if status == OK:
            return label
        return format_html(
            '{} <span class="qy-deadline qy-deadline-{}">{}</span>',
            label,
            status,
            STATUS_LABELS[status],
        )

    deadline.short_description = _("Deadline")


class ScopedInboxView(_DeadlineColumnMixin, _ScopedListMixin, WorkflowInboxListView):
    columns = ("task_id", "flow_task", "process_brief", "returned", "deadline", "created")

    def returned(self, task):
        note = returned_note(task)
        return _("Sent back: %(reason)s") % {"reason": note["reason"]} if note else ""

    returned.short_description = _("Note")

    @viewprop
    def queryset(self):
        return (
            ScopedTask.objects.inbox(self.flow_classes, self.request.user)
            .select_related(*list_related(self.flow_classes))
            .order_by("-created")
        )


class ScopedQueueView(_DeadlineColumnMixin, _ScopedListMixin, WorkflowQueueListView):
    columns = ("task_id", "process_brief", "flow_task", "deadline", "created")

    @viewprop
    def queryset(self):
        return (
            ScopedTask.objects.queue(self.flow_classes, self.request.user)
            .select_related(*list_related(self.flow_classes))
            .order_by("-created")
        )


class ScopedArchiveView(_ScopedListMixin, WorkflowArchiveListView):
    filterset_class = None
    columns = ("task_id", "flow_task", "brief", "process_brief", "created", "finished", "withdraw")

    def withdraw(self, task):
        """撤回: a link on the user's own completed steps; the page says when it is too late."""
        from django.utils.html import format_html

        if not operations.may_offer_withdrawal(task, self.request.user):
            return ""
        url = reverse("approvals:withdraw", args=[task.pk])
        return format_html('<a href="{}" data-turbo="false">{}</a>', url, _("Withdraw"))

    withdraw.short_description = _("Withdraw")

    @viewprop
    def queryset(self):
        return (
            ScopedTask.objects.archive(self.flow_classes, self.request.user)
            .select_related(*list_related(self.flow_classes))
            .order_by("-finished")
        )


class ScopedDashboardView(DashboardView):
    """The kanban board, built from ``ScopedTask`` whose ``filter_available`` is scoped."""


class ScopedProcessListView(DashboardProcessListView):
    columns = ("process_id", "project", "created", "finished", "active_tasks")
    object_link_columns = ("process_id", "project")

    def process_id(self, process):
        return super().process_id(process)

    process_id.short_description = _("No.")

    def project(self, process):
        return process.coerced.brief

    project.short_description = _("Project")

    def active_tasks(self, process):
        return process.active_tasks_count

    active_tasks.short_description = _("Open steps")

    def get_queryset(self):
        visible = self.flow_class.instance.visible_processes(self.request.user).values("pk")
        return super().get_queryset().filter(pk__in=visible).order_by("-created")


class ScopedTaskListView(DashboardTaskListView):
    @viewprop
    def queryset(self):
        visible = self.flow_class.instance.visible_processes(self.request.user).values("pk")
        return super().queryset.filter(process__in=visible)


class ScopedProcessDetailView(DetailProcessView):
    """Process detail, 404 outside the user's jurisdiction."""

    def dispatch(self, request, *args, **kwargs):
        flow = self.flow_class.instance
        if not flow.visible_processes(request.user).filter(pk=kwargs.get("process_pk")).exists():
            raise Http404
        return super().dispatch(request, *args, **kwargs)
