"""Workflow nodes that know who may act: a role at a region, or an operator.

``View(...).Role(role, at=...)`` gives a task to whoever holds ``role`` at the region
``at(process)`` returns; ``.Operator(of=...)`` to the users who act for that operator.
``.Stage(code, days=...)`` names the lifecycle stage the step belongs to and its default
time limit: a step is declared once, on its node, and stage lists, deadline defaults, the
demo builder and the test driver read it from there (:meth:`Staged.holder`).
Claim checks the permission and object stored on the task when it was created, never
a model-wide permission, so the queue and the claim check always agree; a revived task
keeps its scope (stock revive drops it).
"""

from functools import update_wrapper

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.fsm import TransitionNotAllowed
from viewflow.utils import is_owner
from viewflow.workflow import flow
from viewflow.workflow.flow import utils as vf_utils
from viewflow.workflow.nodes.view import ViewActivation
from viewflow.workflow.status import STATUS

from permissions.jurisdiction import roles_of
from permissions.roles import OPERATOR_PERMISSION, Role

from . import views
from .deadlines import Limit
from .exceptions import TaskUnavailable


class Staged:
    """What a step declares about itself besides its form: stage, time limit, holder."""

    stage = None
    time_limit = None
    _holder = None

    def Stage(self, stage: str, days: int | None = None, remind_before=2, escalate_after=5):
        """The lifecycle stage this step belongs to and, for a step with a clock, its time
        limit in working days when the county has set none (a StageLimit row)."""
        self.stage = stage
        if days is not None:
            self.time_limit = Limit(days, remind_before, escalate_after)
        return self

    def holder(self, process) -> tuple:
        """Who holds this step for ``process``: ``(role, region)``, or ``(None, operator)``
        for the users acting for that operator."""
        return self._holder(process.coerced)


class ScopedViewActivation(ViewActivation):
    def prepare_revived_task(self, task):
        task.owner_permission = self.task.owner_permission
        task.owner_permission_content_type = self.task.owner_permission_content_type
        task.owner_permission_obj_pk = self.task.owner_permission_obj_pk


class View(Staged, flow.View):
    """A human task held by a role at a region (or by an operator)."""

    activation_class = ScopedViewActivation
    assign_view_class = views.ClaimTaskView
    unassign_view_class = views.ReleaseTaskView
    cancel_view_class = views.CancelTaskView
    undo_view_class = views.UndoTaskView
    revive_view_class = views.ReviveTaskView

    def __init__(self, form_class, **kwargs):
        super().__init__(views.TaskFormView.as_view(form_class=form_class), **kwargs)
        self.form_class = form_class

    def Role(self, role: Role, at):
        """Holders of ``role`` at region ``at(process)`` may claim and act on this task."""
        self.role = role
        self._holder = lambda process: (role, at(process))
        return self.Permission(role.permission, obj=lambda process: at(process.coerced))

    def Operator(self, of):
        """Users acting for operator ``of(process)`` may claim and act on this task."""
        self.role = None
        self._holder = lambda process: (None, of(process))
        return self.Permission(OPERATOR_PERMISSION, obj=lambda process: of(process.coerced))

    def AfterComplete(self, hook):
        """``hook(activation, actor, audit_entry)`` runs in the act's transaction when the
        task is completed with approval (not on a send-back): e.g. the act signs a paper."""
        self._after_complete = hook
        return self

    def Countersign(self, seats, members=None):
        """会签: the holder seats a panel (``seats``: (code, label) pairs); the step is
        approved only when every member signed "agree", and any member's "reject"
        sends it back with their reason (workflow/operations/sign_offs.py). ``members`` maps a seat
        to the roles whose holders at the task's region may take it; a seat left out is
        for outside members (accounts holding no role)."""
        self.countersign_seats = tuple(seats)
        self.countersign_members = dict(members or {})
        return self

    def _resolve(self, instance):
        super()._resolve(instance)
        self._after_complete = this.resolve(instance, getattr(self, "_after_complete", None))

    def HeldBy(self, holder):
        """The holder depends on the process: ``holder(process)`` returns ``(role, region)``,
        or ``(None, operator)`` for the users acting for that operator."""

        def permission(activation):
            role, _ = holder(activation.process)
            return role.permission if role else OPERATOR_PERMISSION

        self._holder = holder
        return self.Permission(permission, obj=lambda process: holder(process.coerced)[1])

    def ReturnsToLastHolder(self):
        """When this step comes round again (a send-back, or the next report), it goes
        straight to whoever did it last, provided they still hold the role."""

        def last_holder(activation):
            task = activation.task
            previous = (
                activation.flow_class.task_class._default_manager.filter(
                    process=activation.process, flow_task=activation.flow_task, status=STATUS.DONE
                )
                .select_related("owner")
                .order_by("-pk")
                .first()
            )
            user = previous.owner if previous else None
            if user is None or not user.is_active or not task.owner_permission:
                return None
            return user if user.has_perm(task.owner_permission, task.owner_permission_obj) else None

        return self.Assign(last_holder)

    @property
    def assign_path(self):
        return path(
            f"<int:process_pk>/{self.name}/<int:task_pk>/assign/",
            vf_utils.wrap_task_view(self, self.assign_view, permission=self.can_claim),
            name="assign",
        )

    @property
    def view_path(self):
        return path(
            f"<int:process_pk>/{self.name}/<int:task_pk>/execute/",
            wrap_execute_view(self, self.view),
            name="execute",
        )

    def may_hold(self, user, task) -> bool:
        """Does the user hold the role (or operator) this task names? Checked against the
        permission and object stored on the task, never a model-wide permission."""
        if user is None or not user.is_authenticated or not task.owner_permission:
            return False  # every task of ours names who may take it
        obj = task.owner_permission_obj
        return obj is not None and user.has_perm(task.owner_permission, obj)

    def can_claim(self, user, task):
        """``can_assign`` for the claim URL: 403 to those who may not hold the task at all,
        and a clear 409 to holders who come second (already claimed or handled)."""
        if not self.may_hold(user, task):
            return False
        if task.owner_id is not None and task.status in (STATUS.ASSIGNED, STATUS.STARTED):
            if task.owner_id == user.pk:
                raise TaskUnavailable(_("You have already claimed this task; it is in your inbox."))
            raise TaskUnavailable(_("This task has already been claimed by someone else."))
        if task.status != STATUS.NEW:
            raise TaskUnavailable(_("This task has already been handled."))
        return True

    def can_assign(self, user, task):
        return task.owner_id is None and task.status == STATUS.NEW and self.may_hold(user, task)


def wrap_execute_view(flow_task, origin_view):
    """viewflow's ``wrap_view`` (lock, then load the task inside it), except that a second
    submit of a task the user already completed answers 409 with a message instead of 403."""

    def view(request, process_pk, task_pk, **kwargs):
        def call():
            task = get_object_or_404(
                flow_task.flow_class.task_class, pk=task_pk, process_id=process_pk
            )
            if task.flow_task != flow_task:
                raise Http404
            if not is_owner(task.owner, request.user):
                raise PermissionDenied
            if task.status != STATUS.ASSIGNED:
                raise TaskUnavailable(_("This task has already been completed."))
            request.activation = flow_task.activation_class(task)
            request.activation.start(request)
            return origin_view(request, process_pk=process_pk, task_pk=task_pk, **kwargs)

        try:
            if request.method == "POST":
                with flow_task.flow_class.lock(process_pk), transaction.atomic():
                    return call()
            return call()
        except TransitionNotAllowed as error:
            raise PermissionDenied(",".join(error.args)) from error

    update_wrapper(view, origin_view)
    return view


class Start(Staged, flow.Start):
    """A process started by whoever holds ``role`` at some region (``at(process)`` names
    it once the process exists)."""

    def __init__(self, form_class, role: Role, at=None, **kwargs):
        super().__init__(views.StartFormView.as_view(form_class=form_class), **kwargs)
        self.form_class = form_class
        self.role = role
        self._holder = lambda process: (role, at(process) if at else None)
        self.Available(lambda user: any(r.role == role for r in roles_of(user)))
