"""Task storage scoped by jurisdiction: a proxy of viewflow's ``Task``.

Flows set ``task_class = ScopedTask``. Its queryset replaces viewflow's two queries that
ignore jurisdiction: ``filter_available`` (inbox, archive, dashboard: restricted to
processes the user may see) and ``user_queue`` (tasks whose role and region, or
operator, the user holds; no per-project permission rows — VIEWFLOW-NOTES §2.5).
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.managers import TaskQuerySet
from viewflow.workflow.models import Task

from permissions.jurisdiction import task_filter


def visible_processes_q(flow_classes, user, prefix="process") -> Q:
    """Processes of these flows that ``user`` may see, as a ``Q`` on ``<prefix>__…``."""
    q = Q(pk__in=[])
    for flow_class in flow_classes:
        visible = flow_class.instance.visible_processes(user).values("pk")
        q |= Q(**{f"{prefix}__flow_class": flow_class, f"{prefix}__in": visible})
    return q


class ScopedTaskQuerySet(TaskQuerySet):
    def filter_available(self, flow_classes, user):
        available = super().filter_available(flow_classes, user)
        return available.filter(visible_processes_q(flow_classes, user))

    def user_queue(self, user, flow_class=None):
        queryset = self.filter(flow_task_type="HUMAN")
        if flow_class is not None:
            queryset = queryset.filter(process__flow_class=flow_class)
        return queryset.filter(task_filter(user))


class ScopedTask(Task):
    objects = ScopedTaskQuerySet.as_manager()

    class Meta:
        proxy = True
        ordering = ["-created"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
