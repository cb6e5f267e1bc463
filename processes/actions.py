"""Acts on a whole project outside its task flow: one function per act, each taking the
acting user, running in one transaction and writing one audit entry on the project.

- change_five_ones: replace the responsible leader, team or policy set (五个一, DOMAIN.md §2).
- reclaim_funds: the township reclaims the project's funds on a violation (收回资金, §3).
- reassign_operator: the township moves the project to another operator (调项, §3).

Who may do each act is answered by the ``may_*`` predicates; views call them and answer
403 otherwise. The actions check them again, so no other caller can skip them.
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from viewflow.workflow.exceptions import FlowRuntimeError
from viewflow.workflow.status import PROCESS, STATUS

from ground import audit
from ground.acts import Act
from permissions.roles import COUNTY_POVERTY_OFFICE, OPERATOR_PERMISSION, TOWNSHIP_LEAD
from workflow.tasks import ScopedTask

from . import ledger
from .models import FundMovement, Operator, Project
from .rules import RuleViolation, funds, operators, reasons


def _holds(user, role, region) -> bool:
    return user.is_authenticated and user.has_perm(role.permission, region)


def may_change_five_ones(user, project) -> bool:
    """The township lead of the project's township, or the county poverty office."""
    return _holds(user, TOWNSHIP_LEAD, project.township) or _holds(
        user, COUNTY_POVERTY_OFFICE, project.county
    )


def may_act_on_violation(user, project) -> bool:
    """收回资金 / 调项 are the township's: its township lead only (DOMAIN.md §1)."""
    return _holds(user, TOWNSHIP_LEAD, project.township)


def violation_blocker(project) -> str | None:
    """Why 收回资金 / 调项 cannot be done on the project now, or None: not once its
    process has finished or been stopped (the project is closed)."""
    process = getattr(project, "process", None)
    if process is not None and process.status == PROCESS.DONE:
        return _("The project has finished; its funds and operator can no longer be changed.")
    if process is not None and process.status == PROCESS.CANCELED:
        return _("The project was stopped; its funds and operator can no longer be changed.")
    return None


def _five_ones(project) -> dict:
    return {
        "responsible_leader": project.responsible_leader_id,
        "team": project.team,
        "policy_set": project.policy_set,
    }


@transaction.atomic
def change_five_ones(actor, project, leader, team, policy_set, reason):
    """Replace the project's responsible leader, working team and policy set. The chain is
    one leader to the end (一抓到底), so every change is recorded with its reason."""
    if not may_change_five_ones(actor, project):
        raise PermissionDenied
    reason = reasons.check_five_ones_change_reason(reason)
    project = Project.objects.select_for_update().get(pk=project.pk)
    before = _five_ones(project)
    project.responsible_leader = leader
    project.team = team
    project.policy_set = policy_set
    project.save(update_fields=["responsible_leader", "team", "policy_set"])
    after = _five_ones(project)
    if after == before:
        raise RuleViolation(_("Nothing was changed."))
    return audit.record(
        actor,
        Act.PROJECT_FIVE_ONES,
        project,
        project_id=project.pk,
        before=before,
        after=after,
        reason=reason,
    )


def _live_process(project):
    process = getattr(project, "process", None)
    if process is None or process.status in (PROCESS.DONE, PROCESS.CANCELED):
        return None
    return process


@transaction.atomic
def reclaim_funds(actor, project, amount: Decimal, reason: str, stop: bool = False):
    """收回资金: the township reclaims funds from a project on a violation.

    Rule: the amount is at most what the ledger shows allocated to the project less what
    was already reclaimed (processes.ledger.reclaimable). With ``stop`` the project ends
    here: its running process is cancelled with the same reason; without it the project
    goes on (e.g. a partial reclaim after an overpayment)."""
    if not may_act_on_violation(actor, project):
        raise PermissionDenied
    reason = reasons.check_reclaim_reason(reason)
    project = Project.objects.select_for_update().get(pk=project.pk)
    blocker = violation_blocker(project)
    if blocker:
        raise RuleViolation(blocker)
    available = ledger.reclaimable(project)
    funds.check_reclaim(amount, available)
    process = _live_process(project) if stop else None
    entry = audit.record(
        actor,
        Act.PROJECT_RECLAIM_FUNDS,
        project,
        project_id=project.pk,
        before={"reclaimable": available},
        after={"reclaimed": amount, "reclaimable": available - amount, "stopped": bool(process)},
        reason=reason,
    )
    FundMovement.objects.create(
        project=project,
        kind=FundMovement.Kind.RECLAIMED,
        amount=amount,
        payee=project.township.name,
        audit_entry=entry,
    )
    if process is not None:
        _stop(actor, process, reason)
    return entry


def _stop(actor, process, reason):
    """Cancel every open task and the process itself (viewflow's Flow.cancel)."""
    from .flows import ProjectFlow

    try:
        ProjectFlow.instance.cancel(process)
    except FlowRuntimeError as error:  # a step that cannot be cancelled now: nothing is saved
        raise RuleViolation(
            _("The project's running process could not be stopped: %(error)s") % {"error": error}
        ) from error
    audit.record(
        actor,
        Act.PROCESS_STOP,
        process,
        project_id=process.project_id,
        before={"status": PROCESS.NEW},
        after={"status": PROCESS.CANCELED},
        reason=reason,
    )


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
    process = _live_process(project)
    if process is None:
        return []
    from .flows import ProjectFlow

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
