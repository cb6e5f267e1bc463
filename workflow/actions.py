"""Task acts: one function per state-changing act on a workflow task.

Each takes the acting user, runs inside the caller's lock and transaction (viewflow's
task views hold both on POST), performs the viewflow transition and appends the audit
entry. viewflow's signals miss claim, release, cancel, undo and revive, so every one of
those goes through here.
"""

from django.db import transaction
from django.utils import timezone

from ground import audit
from ground.acts import Act

from . import notifications
from .subjects import subject_id_of


def _project_id(task):
    return subject_id_of(task.process)


def _state(task) -> dict:
    return {"status": task.status, "owner": task.owner_id}


@transaction.atomic
def claim_task(actor, activation):
    """签收: the official takes a task from the queue into their inbox."""
    task = activation.task
    before = _state(task)
    activation.assign(actor)
    task.assigned = timezone.now()  # viewflow never sets it (VIEWFLOW-NOTES §8.7)
    task.save(update_fields=["assigned"])
    audit.record(
        actor, Act.TASK_CLAIM, task, project_id=_project_id(task), before=before, after=_state(task)
    )
    notifications.settle_task(task)


@transaction.atomic
def release_task(actor, activation, reason=""):
    """Put a claimed task back into the queue of its role."""
    task = activation.task
    before = _state(task)
    activation.unassign()
    task.assigned = None
    task.save(update_fields=["assigned"])
    audit.record(
        actor,
        Act.TASK_RELEASE,
        task,
        project_id=_project_id(task),
        before=before,
        after=_state(task),
        reason=reason,
    )


@transaction.atomic
def complete_task(actor, activation, form):
    """Complete a task with the data its form collected, and its decision.

    ``form.apply()`` writes the stage's data and returns ``(before, after)`` for the audit;
    a review form whose ``decision`` is "back" sends the work back (退回) with its ``reason``.
    """
    task = activation.task
    since = timezone.now()
    decision = form.cleaned_data.get("decision", "")
    from .operations import OperationRefused, completion_blocker  # operations uses these acts

    blocker = completion_blocker(task, decision) if decision != "back" else None
    if blocker:  # 加签 / 会签 not yet signed: the view says so beside the form; this holds
        raise OperationRefused(blocker)  # for every other caller too
    before, after = form.apply()
    reason = form.cleaned_data.get("reason", "")
    activation.execute()
    act = Act.TASK_SEND_BACK if decision == "back" else Act.TASK_COMPLETE
    after = {**after, "decision": decision} if decision else after
    entry = audit.record(
        actor, act, task, project_id=_project_id(task), before=before, after=after, reason=reason
    )
    hook = getattr(activation.flow_task, "_after_complete", None)
    if hook is not None and decision != "back":
        hook(activation, actor, entry)
    notifications.settle_task(task)
    notifications.announce_new_tasks(
        actor, task.process, since, sent_back=decision == "back", reason=reason
    )


@transaction.atomic
def cancel_task(actor, activation, reason=""):
    task = activation.task
    before = _state(task)
    activation.cancel()
    notifications.settle_task(task)
    audit.record(
        actor,
        Act.TASK_CANCEL,
        task,
        project_id=_project_id(task),
        before=before,
        after=_state(task),
        reason=reason,
    )


@transaction.atomic
def undo_task(actor, activation, reason=""):
    task = activation.task
    before = _state(task)
    activation.undo()
    audit.record(
        actor,
        Act.TASK_UNDO,
        task,
        project_id=_project_id(task),
        before=before,
        after=_state(task),
        reason=reason,
    )


@transaction.atomic
def revive_task(actor, activation, reason=""):
    task = activation.task
    before = _state(task)
    new_task = activation.revive()
    audit.record(
        actor,
        Act.TASK_REVIVE,
        task,
        project_id=_project_id(task),
        before=before,
        after={**_state(task), "revived_as": new_task.pk},
        reason=reason,
    )
    return new_task


@transaction.atomic
def start_process(actor, activation, form):
    """Start a process from its start form (e.g. a village opening a project)."""
    since = timezone.now()
    before, after = form.apply()
    activation.execute()
    process = activation.process
    audit.record(
        actor,
        Act.PROCESS_START,
        process,
        project_id=subject_id_of(process),
        before=before,
        after=after,
    )
    notifications.announce_new_tasks(actor, process, since)
