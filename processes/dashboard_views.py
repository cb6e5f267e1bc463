"""The supervisor dashboard page (督办看板); its queries are in processes/dashboard.py.
It lives among the machinery's deadline pages (/oversight/dashboard/, :class:`OversightApp`)."""

from django.core.exceptions import PermissionDenied
from django.urls import path
from django.utils import timezone
from django.views import generic

from ground.calendar import LAST_YEAR
from workflow import oversight_views
from workflow.inputs import query_id
from workflow.supervision import may_urge, urge_regions

from . import dashboard
from .paging import paginate
from .stages import STAGES


class DashboardView(generic.TemplateView):
    template_name = "processes/dashboard.html"

    def dispatch(self, request, *args, **kwargs):
        if not dashboard.may_supervise(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        user, params, today = self.request.user, self.request.GET, timezone.localdate()
        projects = dashboard.projects_of(user)  # the jurisdiction, resolved once
        filters = {
            "township": query_id(params, "township"),
            "stage": params.get("stage") or None,
            "leader": query_id(params, "leader"),
            "min_age": query_id(params, "age"),
            "show": params.get("show") or None,
        }
        counts, heatmap = dashboard.overview(projects, today)
        tasks = dashboard.attention(projects, today, **filters)
        count = dashboard.attention_count(counts, **filters)
        pages = paginate(tasks, params, dashboard.PAGE_SIZE, count=count)
        rows = dashboard.rows_of(pages["page_obj"].object_list, today)
        regions = urge_regions(user)
        for row in rows:
            row.may_urge = may_urge(user, row.task, regions)
        stages = [(code, label) for code, label, _nodes in STAGES]
        return {
            **super().get_context_data(**kwargs),
            "rows": rows,
            **pages,
            "overdue_count": counts["overdue"],
            "calendar_gap": bool(counts["gaps"]),
            "provisional_after": LAST_YEAR if counts["provisional"] else None,
            "stalled_count": counts["stalled"],
            "stall_days": dashboard.STALL_WORKING_DAYS,
            "townships": [line["township"] for line in heatmap],
            "stages": stages,
            "leaders": dashboard.leaders(projects),
            "heatmap": heatmap,
            "medians": dashboard.median_working_days(projects),
            "params": params,
        }


class OversightApp(oversight_views.OversightApp):
    """The machinery's deadline pages with the domain's supervisor dashboard among them."""

    menu_template_name = "processes/oversight_menu.html"

    @property
    def dashboard_path(self):
        return path("dashboard/", DashboardView.as_view(), name="dashboard")
