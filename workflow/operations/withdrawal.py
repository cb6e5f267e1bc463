"""撤回: the official who completed a step takes it back while the next step is untouched."""

from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.status import STATUS

from ground.acts import Act

from ..models import CarbonCopy, Delegation, SignOff
from .common import OPEN, OperationRefused, _record, _require_reason, locked


def _following(done):
    """The tasks that followed ``done``: gateways passed through (done) and the human
    tasks they opened, walking the ``leading`` links until a human task."""
    gates, humans, frontier = [], [], list(done.leading.all())
    while frontier:
        task = frontier.pop()
        if task.flow_task_type == "HUMAN":
            humans.append(task)
        elif task.status == STATUS.DONE:  # a gateway passed through; cancelled timers are past
            gates.append(task)
            frontier.extend(task.leading.all())
    return gates, humans


def _kind_blocker(done, actor) -> str | None:
    """The part of :func:`withdrawal_blocker` read from the step itself, without a query
    (the process comes with the task in lists)."""
    if done.owner_id != actor.pk or done.status != STATUS.DONE:
        return _("Only the official who completed this step may withdraw it.")
    if done.process.status == STATUS.DONE:
        return _("The process has finished; nothing can be withdrawn.")
    if getattr(done.flow_task, "_after_complete", None) is not None:
        return _("This step signed papers or booked funds when completed; it cannot be withdrawn.")
    if not getattr(getattr(done.flow_task, "form_class", None), "withdrawable", True):
        return _(
            "This step recorded a report, a conclusion or a payment that stands as entered; it "
            "cannot be withdrawn. Ask the next official to send it back."
        )
    return None


def may_offer_withdrawal(done, actor) -> bool:
    """Whether a list should offer 撤回 on ``done``: the step is of a kind that can be
    withdrawn, by this official, and its process is still running. Whether the next step
    is still untouched is answered on the withdraw page (:func:`withdrawal_blocker`)."""
    return done.flow_task_type == "HUMAN" and _kind_blocker(done, actor) is None


def withdrawal_blocker(done, actor) -> str | None:
    """Why ``actor`` may not withdraw ``done`` now, or None. Rule: only the official who
    completed it, only while every next step is untouched (not claimed, not operated on)
    and nothing irreversible (a signed paper, a ledger entry, an appended record) followed
    the step."""
    blocker = _kind_blocker(done, actor)
    if blocker:
        return blocker
    _gates, humans = _following(done)
    if not humans:
        return _("Nothing follows this step that could be withdrawn.")
    for task in humans:
        touched = (
            task.status not in OPEN
            or task.assigned is not None
            or SignOff.objects.filter(task_id=task.pk).exists()
            or Delegation.objects.filter(task_id=task.pk).exists()
            or CarbonCopy.objects.filter(task_id=task.pk).exists()
        )
        if touched:
            return _("The next step has already been claimed or acted on; it cannot be withdrawn.")
    return None


def withdraw_task(actor, done, reason):
    """撤回: cancel the untouched next step, undo the gateways and this step, and recreate
    this step in the actor's inbox (revive keeps its role and region scope)."""
    reason = _require_reason(reason)
    with locked(done) as done:
        blocker = withdrawal_blocker(done, actor)
        if blocker:
            raise OperationRefused(blocker)
        gates, humans = _following(done)
        for task in humans:
            task.flow_task.activation_class(task).cancel()
        for gate in reversed(gates):  # the gate nearest the next step first
            gate.flow_task.activation_class(gate).undo()
        activation = done.flow_task.activation_class(done)
        activation.undo()
        revived = activation.revive()
        revived.owner = actor
        revived.status = STATUS.ASSIGNED
        revived.assigned = timezone.now()
        revived.save(update_fields=["owner", "status", "assigned"])
        _record(
            actor,
            Act.TASK_WITHDRAW,
            done,
            before={"next": [t.pk for t in humans]},
            after={"cancelled": [t.pk for t in humans], "recreated": revived.pk},
            reason=reason,
        )
    return revived
