"""调项: the township moves a project to another operator of the township on a violation
(DOMAIN.md §3); the running process's open operator tasks follow.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from viewflow.workflow.status import STATUS

from ground import audit
from ground.acts import Act
from permissions.roles import OPERATOR_PERMISSION
from workflow.tasks import ScopedTask

from ..models import Operator, Project
from ..rules import RuleViolation, operators, reasons
from .violations import live_process, may_act_on_violation, violation_blocker


def operators_for(project):
    """Operators the project may be reassigned to: the others of its township."""
    return Operator.objects.filter(township=project.township).exclude(pk=project.operator_id)


@transaction.atomic
def reassign_operator(actor, project, operator, reason):
    """调项: the township moves the project to another operator of the township.

    The running process follows: every open task held by or waiting for the old operator
    now waits for the new one (a claimed task goes back to the queue, since its holder no
    longer acts for the project). Later steps name the new operator because they read
    ``project.operator``. The old operator's users lose the project with it (visibility is
    ``Project.operator``); documents already signed stay as they are."""
    if not may_act_on_violation(actor, project):
        raise PermissionDenied
    reason = reasons.check_reassign_reason(reason)
    project = Project.objects.select_for_update().get(pk=project.pk)
    blocker = violation_blocker(project)
    if blocker:
        raise RuleViolation(blocker)
    operators.check_reassignment(
        project.operator_id,
        operator and operator.pk,
        operator and operator.township_id,
        project.township.pk,
    )
    old = project.operator
    project.operator = operator
    project.save(update_fields=["operator"])
    moved = _move_open_tasks(project, old, operator)
    return audit.record(
        actor,
        Act.PROJECT_REASSIGN_OPERATOR,
        project,
        project_id=project.pk,
        before={"operator": old.pk, "operator_name": old.name},
        after={"operator": operator.pk, "operator_name": operator.name, "tasks_moved": moved},
        reason=reason,
    )


def _move_open_tasks(project, old, new) -> list[int]:
    process = live_process(project)
    if process is None:
        return []
    from ..flows import ProjectFlow

    moved = []
    with ProjectFlow.lock(process.pk):
        tasks = ScopedTask.objects.filter(
            process=process,
            finished__isnull=True,
            owner_permission=OPERATOR_PERMISSION,
            owner_permission_obj_pk=str(old.pk),
        )
        for task in tasks:
            if task.status == STATUS.ASSIGNED:
                task.flow_task.activation_class(task).unassign()  # back to the queue
            task.owner_permission_obj_pk = str(new.pk)
            task.assigned = None
            task.save(update_fields=["owner_permission_obj_pk", "assigned"])
            moved.append(task.pk)
    return moved
