"""The supervisor dashboard page (督办看板); its queries are in processes/dashboard.py.
It lives among the machinery's deadline pages (/oversight/dashboard/, :class:`OversightApp`)."""

from django.core.exceptions import PermissionDenied
from django.urls import path
from django.views import generic

from ground.calendar import LAST_YEAR, is_provisional
from workflow import oversight_views
from workflow.inputs import query_id
from workflow.supervision import may_urge, urge_regions

from . import dashboard
from .stages import STAGES


class DashboardView(generic.TemplateView):
    template_name = "processes/dashboard.html"

    def dispatch(self, request, *args, **kwargs):
        if not dashboard.may_supervise(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        user, params = self.request.user, self.request.GET
        rows = dashboard.project_rows(user)
        townships = dashboard.townships_of(rows)
        shown = dashboard.filter_rows(
            rows,
            township=query_id(params, "township"),
            stage=params.get("stage") or None,
            leader=query_id(params, "leader"),
            min_age=query_id(params, "age"),
            show=params.get("show") or None,
        )
        regions = urge_regions(user)
        for row in shown:
            row.may_urge = may_urge(user, row.task, regions)
        stages = [(code, label) for code, label, _nodes in STAGES]
        return {
            **super().get_context_data(**kwargs),
            "rows": shown,
            "overdue_count": sum(1 for r in rows if r.overdue),
            "calendar_gap": any(r.deadline is None for r in rows),
            "provisional_after": LAST_YEAR
            if any(r.deadline and is_provisional(r.deadline.escalate_on) for r in rows)
            else None,
            "stalled_count": sum(1 for r in rows if r.stalled),
            "stall_days": dashboard.STALL_WORKING_DAYS,
            "townships": townships,
            "stages": stages,
            "leaders": dashboard.leaders_of(rows),
            "heatmap": dashboard.heatmap(rows, townships),
            "medians": dashboard.median_working_days(user),
            "params": params,
        }


class OversightApp(oversight_views.OversightApp):
    """The machinery's deadline pages with the domain's supervisor dashboard among them."""

    menu_template_name = "processes/oversight_menu.html"

    @property
    def dashboard_path(self):
        return path("dashboard/", DashboardView.as_view(), name="dashboard")
