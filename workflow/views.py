"""Views shared by every flow: task forms, task acts, and the jurisdiction-scoped lists.

Task views stay thin: validate the form, call the act in ``workflow.actions``, redirect.
viewflow's flow-wide pages (queue, inbox, archive, dashboard, process and task lists,
charts) are replaced by versions that show only what lies in the user's jurisdiction.
"""

import re
import unicodedata

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext
from django.views import generic
from django_filters import ChoiceFilter, DateRangeFilter, FilterSet
from viewflow.utils import viewprop
from viewflow.workflow import chart
from viewflow.workflow.flow.views import mixins as vf_mixins
from viewflow.workflow.flow.views.chart import FlowChartView
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

from ground.audit import display_name

from . import actions, operations
from .inputs import InputDiscipline
from .subjects import subject_of
from .tasks import ScopedTask


class ReasonForm(InputDiscipline, forms.Form):
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


# --- Task forms ---------------------------------------------------------------------


class TaskFormView(
    vf_mixins.TaskSuccessUrlMixin,
    vf_mixins.TaskViewTemplateNames,
    generic.FormView,
):
    """Execute a human task: the node's form collects the stage data and the decision."""

    form_class = None
    template_filename = "task.html"

    def get_form_kwargs(self):
        activation = self.request.activation
        return {
            **super().get_form_kwargs(),
            "process": activation.process,
            "task": activation.task,
            "user": self.request.user,
        }

    def get_initial(self):
        # 委派: the delegate's entries, returned to the holder, pre-fill the holder's form.
        proposal = operations.returned_proposal(self.request.activation.task)
        if proposal is None or self.request.activation.task.owner_id != proposal.delegator_id:
            return super().get_initial()
        return {k: v[0] if len(v) == 1 else v for k, v in proposal.proposal.items()}

    def get_context_data(self, **kwargs):
        from .deadlines import deadlines_of
        from .operation_views import task_panel

        task = self.request.activation.task
        return super().get_context_data(
            returned=returned_note(task),
            approvals=task_panel(task, self.request.user),
            deadline=deadlines_of([task]).get(task.pk),
            **kwargs,
        )

    def form_valid(self, form):
        activation, user = self.request.activation, self.request.user
        delegation = operations.active_delegation(activation.task)
        if delegation is not None and delegation.delegate_id == user.pk:
            operations.return_delegated_task(user, activation, form)
            messages.success(
                self.request,
                _("Returned to %(name)s to confirm and complete.")
                % {"name": display_name(delegation.delegator)},
            )
            return HttpResponseRedirect(reverse("workflow:inbox"))
        blocker = operations.completion_blocker(
            activation.task, form.cleaned_data.get("decision", "")
        )
        if blocker:
            form.add_error(None, blocker)
            return self.form_invalid(form)
        actions.complete_task(self.request.user, self.request.activation, form)
        messages.success(
            self.request,
            _("“%(task)s” has been completed.")
            % {"task": self.request.activation.flow_task.task_title},
        )
        return HttpResponseRedirect(self.get_success_url())


class StartFormView(
    vf_mixins.TaskSuccessUrlMixin,
    vf_mixins.TaskViewTemplateNames,
    generic.FormView,
):
    form_class = None
    template_filename = "start.html"

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "process": self.request.activation.process,
            "task": self.request.activation.task,
            "user": self.request.user,
        }

    def form_valid(self, form):
        actions.start_process(self.request.user, self.request.activation, form)
        messages.success(self.request, _("The process has been started."))
        return HttpResponseRedirect(self.get_success_url())


def returned_note(task) -> dict | None:
    """The send-back (退回) that created this task, if any: who, when and why."""
    return (task.data or {}).get("returned")


# --- Task acts ------------------------------------------------------------------------


class _ActView(vf_mixins.TaskSuccessUrlMixin, vf_mixins.TaskViewTemplateNames, generic.FormView):
    form_class = ReasonForm
    success_message = ""

    def form_valid(self, form):
        self.act(form.cleaned_data.get("reason", ""))
        if self.success_message:
            messages.success(self.request, self.success_message)
        return HttpResponseRedirect(self.get_success_url())


class ClaimTaskView(_ActView):
    template_filename = "task_assign.html"
    form_class = forms.Form
    success_message = _("The task is now in your inbox.")

    def form_valid(self, form):
        actions.claim_task(self.request.user, self.request.activation)
        # 签收并继续 lands on the task's own form: "in your inbox" would send them away from it.
        continuing = "_continue" in self.request.POST
        messages.success(
            self.request,
            _("Claimed: the task is yours, handle it below.")
            if continuing
            else self.success_message,
        )
        return HttpResponseRedirect(self.get_success_url())


class ReleaseTaskView(_ActView):
    template_filename = "task_unassign.html"
    success_message = _("The task is back in the queue.")

    def act(self, reason):
        actions.release_task(self.request.user, self.request.activation, reason)


class CancelTaskView(_ActView):
    template_filename = "task_cancel.html"
    success_message = _("The task has been cancelled.")

    def act(self, reason):
        actions.cancel_task(self.request.user, self.request.activation, reason)


class UndoTaskView(_ActView):
    template_filename = "task_undo.html"
    success_message = _("The task has been undone.")

    def act(self, reason):
        actions.undo_task(self.request.user, self.request.activation, reason)


class ReviveTaskView(_ActView):
    template_filename = "task_revive.html"
    success_message = _("The task has been revived.")

    def act(self, reason):
        actions.revive_task(self.request.user, self.request.activation, reason)


# --- Scoped lists ---------------------------------------------------------------------


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


def _display_width(text: str) -> int:
    """Width in half-width units: a CJK character is as wide as two Latin letters."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


CHART_FONT_SIZE = 14


def wrap_title(title: str, width: int = 20) -> list[str]:
    """A chart box holds about 10 CJK characters a line at 14 px (viewflow wraps at 20
    characters whatever their width, so longer Chinese titles overflow, VIEWFLOW-NOTES §6.3)."""
    lines, line = [], ""
    for token in re.findall(r"[^\s\u2e80-\uffff]+|\s+|\S", title):
        if token.isspace():
            line += " " if line else ""
        elif line and _display_width(line + token) > width:
            lines.append(line.rstrip())
            line = token
        else:
            line += token
    return [*lines, line.rstrip()] if line.strip() else lines


def readable_chart(grid) -> None:
    """Chart text in the UI language: titles wrapped to their boxes, gate edges 是/否."""
    edge_labels = {
        "yes": pgettext("flow chart gate edge", "yes"),
        "no": pgettext("flow chart gate edge", "no"),
    }
    for edge in grid.edges:
        if edge.label in edge_labels:
            edge.label = edge_labels[edge.label]
        if edge.label_pos:  # clear of the arrow it names (a CJK glyph is taller than "yes")
            edge.label_pos = (edge.label_pos[0], edge.label_pos[1] - 4)
    for cell in grid.cells:
        texts = cell.shape.text
        if not texts or texts[0][1] != "align-middle":
            continue
        _text, css, _size, x, _y = texts[0]
        font_size = CHART_FONT_SIZE
        lines = wrap_title(force_str(cell.node.task_title or cell.node.name))
        top = int((cell.shape.height - (len(lines) - 1) * font_size * 1.2) / 2)
        texts[:] = [
            (line, css, font_size, x, top + n * font_size * 1.2) for n, line in enumerate(lines)
        ]


class ScopedChartView(FlowChartView):
    """The flow chart is public to the flow's users; a process chart only within jurisdiction."""

    def get(self, request, *args, **kwargs):
        process_pk = kwargs.get("process_pk")
        grid = chart.calc_layout_data(self.flow_class)
        readable_chart(grid)
        if process_pk is not None:
            calc_current_status(self.flow_class, grid, process_pk)
        if request.GET.get("format") == "bpmn":
            filename = self.flow_class.instance.flow_label.replace("/", "_")
            response = HttpResponse(chart.grid_to_bpmn(grid), content_type="application/xml")
            response["Content-Disposition"] = f'attachment; filename="{filename}.bpmn"'
            return response
        return HttpResponse(chart.grid_to_svg(grid), content_type="image/svg+xml")

    def dispatch(self, request, *args, **kwargs):
        process_pk = kwargs.get("process_pk")
        if process_pk is not None:
            flow = self.flow_class.instance
            if not flow.visible_processes(request.user).filter(pk=process_pk).exists():
                raise Http404
        elif not self.flow_class.instance.has_view_permission(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ProcessChartPageView(generic.TemplateView):
    """A process's chart at a readable size inside the site, with the way back to its project."""

    flow_class = None
    viewset = None
    template_name = "workflow/chart_page.html"

    def dispatch(self, request, *args, **kwargs):
        flow = self.flow_class.instance
        self.process = flow.visible_processes(request.user).filter(pk=kwargs["process_pk"]).first()
        if self.process is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        project = subject_of(self.process)
        return super().get_context_data(
            project=project,
            back_url=reverse("projects:detail", args=[project.pk]),
            svg_url=self.flow_class.instance.reverse("process_chart", args=[self.process.pk]),
            **kwargs,
        )


class ScopedProcessDetailView(DetailProcessView):
    """Process detail, 404 outside the user's jurisdiction."""

    def dispatch(self, request, *args, **kwargs):
        flow = self.flow_class.instance
        if not flow.visible_processes(request.user).filter(pk=kwargs.get("process_pk")).exists():
            raise Http404
        return super().dispatch(request, *args, **kwargs)


def calc_current_status(flow_class, grid, process_pk) -> None:
    """Colour each node by its *latest* task, so a step sent back shows as current again
    (stock viewflow keeps the older "done" colour, VIEWFLOW-NOTES §6.3)."""
    tasks = flow_class.task_class._default_manager.filter(process_id=process_pk).order_by(
        "created", "pk"
    )
    latest = {}
    for task in tasks:
        latest[task.flow_task] = task.status
    for node in grid.nodes:
        if node in latest:
            grid[node].status = latest[node]


def favicon(request):
    """/favicon.ico, which browsers ask for on their own: the icon every page links to."""
    from django.contrib.staticfiles import finders
    from django.http import FileResponse

    response = FileResponse(
        open(finders.find("qiyue/favicon.ico"), "rb"), content_type="image/x-icon"
    )
    response["Cache-Control"] = "public, max-age=86400"
    return response


def permission_denied(request, exception=None):
    """403 for officials; a visitor who has not signed in goes to the sign-in page first."""
    from django.contrib.auth.views import redirect_to_login
    from django.views.defaults import permission_denied as default_permission_denied

    if not request.user.is_authenticated and request.method == "GET":
        return redirect_to_login(request.get_full_path())
    return default_permission_denied(request, exception)
