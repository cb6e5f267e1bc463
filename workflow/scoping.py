"""Jurisdiction for whole flows: who may open a flow's pages, and which processes.

viewflow's model-wide ``view_<process>`` permission would open every process of a flow
(VIEWFLOW-NOTES §8.5). Flows mix this in instead: a flow is visible to anyone holding a
role, and a process only when the flow's ``visible_processes(user)`` contains it.
Management (cancel, undo, revive) is for administrators only.

The mixin is also where a flow answers the machinery's protocol (workflow/subjects.py):
what its processes are about, where they belong, and who holds each step.
"""

from permissions.jurisdiction import task_grants


class JurisdictionFlowMixin:
    subject_field = "subject"  # the process field naming what it is about
    region_field = "region"  # the lookup from the process to its Region
    subject_url_name = None  # the URL name of a subject's page

    def visible_subjects(self, user):
        """The subjects (projects) this user may see; flows override this."""
        raise NotImplementedError

    def conflicted_users(self, process):
        """Users with a conflict of interest in what ``process`` is about, who may not judge
        it (sit on its panels); a queryset. Flows override this; none by default."""
        from django.contrib.auth import get_user_model

        return get_user_model().objects.none()

    def visible_processes(self, user):
        """The flow's processes this user may see: those about a visible subject."""
        return self.process_class._default_manager.filter(
            **{f"{self.subject_field}__in": self.visible_subjects(user)}
        )

    @classmethod
    def holder_of(cls, node_name: str, process) -> tuple:
        """Who holds step ``node_name`` for ``process``: ``(role, region)``, or
        ``(None, operator)`` (the step's own declaration, workflow/nodes.py)."""
        return cls.instance.node(node_name).holder(process)

    def has_view_permission(self, user, obj=None):
        if user is None or not user.is_authenticated:
            return False
        if obj is None:
            return user.is_superuser or bool(task_grants(user))
        process = obj.process if hasattr(obj, "flow_task") else obj  # a task, or a process
        if getattr(user, "_qiyue_process_seen", None) == process.pk:
            return True  # this request's scope check (ProcessScopeMiddleware) let it through
        return self.visible_processes(user).filter(pk=process.pk).exists()

    def has_manage_permission(self, user, obj=None):
        return user is not None and user.is_authenticated and user.is_superuser
