"""What every approval operation shares: the refusal, the lock, the holder checks, the
audit record, and who may be named (the people pickers offer these and the acts check them)."""

from contextlib import contextmanager

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.status import STATUS

from ground import audit
from ground.audit import display_name
from permissions.jurisdiction import permission_holders

from ..exceptions import TaskUnavailable
from ..models import Delegation, SignOff
from ..subjects import conflicted_users, is_visible, region_of, subject_of

OPEN = (STATUS.NEW, STATUS.ASSIGNED)


class OperationRefused(TaskUnavailable):
    """The operation does not fit the task's state now (answered with HTTP 409)."""


def project_of(task):
    return subject_of(task.process)


def _state(task) -> dict:
    return {"status": task.status, "owner": task.owner_id}


def _user(user) -> dict:
    return {"id": user.pk, "name": display_name(user)}


@contextmanager
def locked(task):
    """Take the flow lock on the task's process and yield the task re-read inside it."""
    flow_class = task.flow_task.flow_class
    with flow_class.lock(task.process_id), transaction.atomic():
        yield flow_class.task_class._default_manager.select_related("owner").get(pk=task.pk)


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise OperationRefused(_("Give a reason."))
    return reason


def _require_holder(task, actor) -> None:
    """Only the official holding an open task (in their inbox) may operate on it."""
    if task.status not in OPEN:
        raise OperationRefused(_("This task has already been handled."))
    if task.owner_id != actor.pk or task.status != STATUS.ASSIGNED:
        raise PermissionDenied(_("Only the official holding this task may do this."))


def active_delegation(task) -> Delegation | None:
    return Delegation.objects.filter(task_id=task.pk, returned_at__isnull=True).first()


def _require_not_delegated(task) -> None:
    if active_delegation(task) is not None:
        raise OperationRefused(_("The task is delegated; wait until the colleague returns it."))


def colleagues(task, actor):
    """Officials who may hold this task besides ``actor``: the same role at the task's
    region, or the same operator (the permission and object stored on the task)."""
    from django.contrib.auth import get_user_model

    if not task.owner_permission or task.owner_permission_obj is None:
        return get_user_model().objects.none()
    return permission_holders(task.owner_permission, task.owner_permission_obj).exclude(pk=actor.pk)


# --- Who may be named: the people pickers offer these and the acts check them ----------


def _not_superuser(users):
    return users.filter(is_superuser=False)


def signer_candidates(task, actor):
    """Who may be added as a signer (加签) or copied (抄送): officials holding a role
    anywhere in the project's county, never the actor nor a superuser (``admin``)."""
    from permissions.jurisdiction import holders
    from permissions.models import Region
    from permissions.roles import REGION_ROLES

    county = region_of(task.process).parent.parent  # village → township → county
    return _not_superuser(holders(REGION_ROLES, Region.objects.subtree(county))).exclude(
        pk=actor.pk
    )


def panel_seats(task) -> list[tuple[str, str]]:
    """The seats of a countersigned step, (code, label), in their declared order."""
    return list(getattr(task.flow_task, "countersign_seats", ()))


def panel_candidates(task, seat, actor):
    """Who may take ``seat`` on the step's panel (会签): holders of the seat's roles at the
    task's region (the county), or for a seat no role fills (audit, outside expert) the
    accounts holding no role at all. Never the holder seating the panel, a superuser
    (``admin``), anyone the flow names as conflicted in the subject (a project's operator's
    staff), or someone already seated."""
    from django.contrib.auth import get_user_model

    from permissions.jurisdiction import holders, outsiders

    roles = dict(getattr(task.flow_task, "countersign_members", {})).get(seat)
    if seat not in dict(panel_seats(task)):
        return get_user_model().objects.none()
    if roles:
        region = task.owner_permission_obj
        users = holders(roles, [region]) if region is not None else get_user_model().objects.none()
    else:
        users = outsiders()
    users = users.exclude(pk__in=conflicted_users(task.process).values("pk"))
    seated = SignOff.objects.filter(task_id=task.pk).values("signer_id")
    return _not_superuser(users).exclude(pk=actor.pk).exclude(pk__in=seated)


def _require_colleague(task, user) -> None:
    if user.pk == task.owner_id:
        raise OperationRefused(_("Choose a colleague, not yourself."))
    if not task.flow_task.may_hold(user, task):
        raise OperationRefused(
            _("%(user)s does not hold this task's role at its region.")
            % {"user": display_name(user)}
        )


def _open_project_if_needed(actor, user, task, reason) -> bool:
    """Open the task's project to ``user`` (audited grant) unless they already see it."""
    from permissions.actions import open_project_to

    if is_visible(user, task.process):
        return False
    open_project_to(actor, user, project_of(task), reason=reason)
    return True


def _record(actor, act, task, **kwargs):
    return audit.record(actor, act, task, project_id=project_of(task).pk, **kwargs)


def _hand_to(actor, task, owner, act, reason, **after):
    """Make ``owner`` the task's holder from now, and audit ``act`` with the change."""
    before = _state(task)
    task.owner = owner
    task.assigned = timezone.now()
    task.save(update_fields=["owner", "assigned"])
    _record(actor, act, task, before=before, after={**_state(task), **after}, reason=reason)
