"""转办 and 委派: the holder hands a task to a colleague holding the same role at its region,
for good (transfer) or to be filled in and returned (delegation)."""

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.status import STATUS

from ground.acts import Act

from .. import notifications
from ..models import Delegation
from .common import (
    OPEN,
    OperationRefused,
    _hand_to,
    _record,
    _require_colleague,
    _require_holder,
    _require_not_delegated,
    _require_reason,
    _state,
    _user,
    active_delegation,
    locked,
    project_of,
)

# --- 转办 Transfer ---------------------------------------------------------------------


def transfer_task(actor, task, to_user, reason):
    """转办: the holder hands the task to a colleague with the same role at the task's
    region; the colleague owns it now and the holder no longer sees it in their inbox."""
    reason = _require_reason(reason)
    with locked(task) as task:
        _require_holder(task, actor)
        _require_not_delegated(task)
        _require_colleague(task, to_user)
        _hand_to(actor, task, to_user, Act.TASK_TRANSFER, reason, to=_user(to_user))
        notifications.transferred(actor, task, to_user, reason)
    return task


# --- 委派 Delegate with return --------------------------------------------------------


def delegate_task(actor, task, to_user, reason):
    """委派: lend the task to a colleague (same role and region). While delegated, only the
    colleague sees and fills it; their submission returns it to the delegator."""
    reason = _require_reason(reason)
    with locked(task) as task:
        _require_holder(task, actor)
        _require_not_delegated(task)
        _require_colleague(task, to_user)
        delegation = Delegation.objects.create(
            task=task,
            project_id=project_of(task).pk,
            delegator=actor,
            delegate=to_user,
            reason=reason,
        )
        _hand_to(
            actor,
            task,
            to_user,
            Act.TASK_DELEGATE,
            reason,
            delegate=_user(to_user),
            delegation=delegation.pk,
        )
        notifications.delegated(actor, task, delegation)
    return delegation


def return_delegated_task(actor, activation, form, note=""):
    """The delegate submits the filled form: nothing is written to the project; the
    entries are kept on the delegation and the task returns to the delegator, who
    confirms and completes it. Runs inside the execute view's lock."""
    task = activation.task
    delegation = active_delegation(task)
    if delegation is None or delegation.delegate_id != actor.pk:
        raise PermissionDenied
    proposal = {
        key: form.data.getlist(key) if hasattr(form.data, "getlist") else form.data[key]
        for key in form.data
        if key != "csrfmiddlewaretoken"
    }
    delegation.proposal = proposal
    delegation.note = note
    delegation.returned_at = timezone.now()
    delegation.save(update_fields=["proposal", "note", "returned_at"])
    before = _state(task)
    task.owner = delegation.delegator
    task.status = STATUS.ASSIGNED  # the execute view started it in memory; not done yet
    task.started = None
    task.save(update_fields=["owner", "status", "started"])
    _record(
        actor,
        Act.TASK_DELEGATION_RETURN,
        task,
        before=before,
        after={**_state(task), "delegation": delegation.pk, "proposal": proposal},
        reason=delegation.reason,
    )
    return delegation


def recall_delegation(actor, task, reason):
    """收回委派: the delegator takes a delegated task back before the delegate has returned
    it; whatever the delegate had not submitted is dropped."""
    reason = _require_reason(reason)
    with locked(task) as task:
        delegation = active_delegation(task)
        if delegation is None or delegation.delegator_id != actor.pk:
            raise OperationRefused(_("This task is not delegated by you, or has come back."))
        delegation.returned_at = timezone.now()
        delegation.note = str(_("Recalled by the delegator"))
        delegation.save(update_fields=["returned_at", "note"])
        _hand_to(actor, task, actor, Act.TASK_DELEGATION_RECALL, reason, delegation=delegation.pk)
    return delegation


def delegated_by(user):
    """Tasks ``user`` has delegated that have not come back yet: "我委派的"."""
    return (
        Delegation.objects.filter(delegator=user, returned_at__isnull=True, task__status__in=OPEN)
        .select_related("task", "delegate")
        .order_by("-created")
    )


def returned_proposal(task) -> Delegation | None:
    """The latest delegation returned on this task, whose entries pre-fill the form."""
    return (
        Delegation.objects.filter(task_id=task.pk, returned_at__isnull=False)
        .select_related("delegate")
        .first()
    )
