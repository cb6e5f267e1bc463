"""Jurisdiction for whole flows: who may open a flow's pages, and which processes.

viewflow's model-wide ``view_<process>`` permission would open every process of a flow
(VIEWFLOW-NOTES §8.5). Flows mix this in instead: a flow is visible to anyone holding a
role, and a process only when the flow's ``visible_processes(user)`` contains it.
Management (cancel, undo, revive) is for administrators only.
"""

from permissions.jurisdiction import task_grants


class JurisdictionFlowMixin:
    def visible_processes(self, user):
        """The flow's processes this user may see; flows override this."""
        raise NotImplementedError

    def has_view_permission(self, user, obj=None):
        if user is None or not user.is_authenticated:
            return False
        if obj is None:
            return user.is_superuser or bool(task_grants(user))
        process = obj.process if hasattr(obj, "flow_task") else obj  # a task, or a process
        return self.visible_processes(user).filter(pk=process.pk).exists()

    def has_manage_permission(self, user, obj=None):
        return user is not None and user.is_authenticated and user.is_superuser
