"""The viewflow site: menu of applications, with every flow page scoped to jurisdiction."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from viewflow.urls import Site
from viewflow.workflow.flow import nodes
from viewflow.workflow.flow.viewset import FlowViewset, WorkflowAppViewset

from workflow import chart_views, list_views
from workflow.tasks import ScopedTask


class ScopedFlowViewset(FlowViewset):
    dashboard_view_class = list_views.ScopedDashboardView
    process_list_view_class = list_views.ScopedProcessListView
    process_detail_view_class = list_views.ScopedProcessDetailView
    task_list_view_class = list_views.ScopedTaskListView
    chart_view_class = chart_views.ScopedChartView

    def get_success_url(self, request):
        """A process just started: its first step waits in the queue of the role that does it,
        so the official lands on the queue (待签收), where it is, not on whatever list they
        last opened (viewflow's pinned location)."""
        activation = getattr(request, "activation", None)
        started = activation is not None and isinstance(activation.flow_task, nodes.Start)
        if started and "_continue" not in request.POST and "back" not in request.GET:
            return reverse("workflow:queue")
        return super().get_success_url(request)

    @property
    def process_chart_page_path(self):
        view = chart_views.ProcessChartPageView.as_view(
            **self.filter_kwargs(chart_views.ProcessChartPageView)
        )
        return path("<int:process_pk>/chart/page/", view, name="process_chart_page")


class ScopedWorkflowApp(WorkflowAppViewset):
    title = _("Tasks")
    inbox_view_class = list_views.ScopedInboxView
    queue_view_class = list_views.ScopedQueueView
    archive_view_class = list_views.ScopedArchiveView

    @property
    def index_path(self):
        """The tasks app opens on the inbox (待办). viewflow's own index goes to the app's first
        address without parameters, the bulk claim (queue/assign/), which, opened without a
        selection, greets the official with "no tasks selected"."""
        return path("", RedirectView.as_view(url="./inbox/"), name="index")

    def get_context_data(self, request):
        # Not super(): viewflow's own queue() would load every object permission (§2.5).
        return {
            "user_inbox": ScopedTask.objects.inbox(self.flow_classes, request.user),
            "user_queue": ScopedTask.objects.queue(self.flow_classes, request.user),
        }


class QiyueSite(Site):
    menu_template_name = "workflow/site_menu.html"  # the desk (工作台) first, then the apps

    @property
    def index_path(self):
        """The site's root is the official's desk (工作台), inside the site's frame."""
        from django.urls import path

        from processes.home import HomeView

        return path("", HomeView.as_view(), name="index")


def build_site() -> Site:
    from processes.dashboard_views import OversightApp
    from processes.flows import ProjectFlow
    from processes.supervision_views import SupervisionApp
    from processes.views import ProjectsApp
    from workflow.operation_views import ApprovalsApp

    return QiyueSite(
        title=_("Qiyue"),
        primary_color="#b71c1c",
        secondary_color="#5d4037",
        viewsets=[
            ScopedWorkflowApp(flow_viewsets=[ScopedFlowViewset(ProjectFlow, icon="account_tree")]),
            ProjectsApp(),
            SupervisionApp(),
            OversightApp(),
            ApprovalsApp(),
        ],
    )


site = build_site()
