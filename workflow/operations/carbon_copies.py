"""抄送: the holder copies the project to officials with a note ("抄送我的")."""

from django.utils.translation import gettext as _

from ground.acts import Act
from ground.audit import display_name

from .. import notifications
from ..models import CarbonCopy
from .common import (
    OperationRefused,
    _open_project_if_needed,
    _record,
    _require_holder,
    _require_reason,
    _user,
    locked,
    project_of,
    signer_candidates,
)


def carbon_copy(actor, task, recipients, note):
    """抄送: the holder copies the project to officials with a note; they see it under
    "抄送我的" and may open the project read-only. Recipients outside the jurisdiction
    get the project opened to them (audited grant)."""
    note = _require_reason(note)
    recipients = [r for r in recipients if r.pk != actor.pk]
    if not recipients:
        raise OperationRefused(_("Choose at least one recipient other than yourself."))
    eligible = set(
        signer_candidates(task, actor)
        .filter(pk__in=[r.pk for r in recipients])
        .values_list("pk", flat=True)
    )
    strangers = [r for r in recipients if r.pk not in eligible]
    if strangers:
        raise OperationRefused(
            _("%(users)s hold no role in this county.")
            % {"users": "、".join(display_name(r) for r in strangers)}
        )
    with locked(task) as task:
        _require_holder(task, actor)
        project = project_of(task)
        opened = [r.pk for r in recipients if _open_project_if_needed(actor, r, task, note)]
        copies = [
            CarbonCopy.objects.create(
                task=task, project_id=project.pk, sender=actor, recipient=r, note=note
            )
            for r in recipients
        ]
        _record(
            actor,
            Act.TASK_CARBON_COPY,
            task,
            after={"recipients": [_user(r) for r in recipients], "project_opened": opened},
            reason=note,
        )
        notifications.copied(actor, task, copies)
    return copies


def copies_for(user):
    """What was copied to ``user`` ("抄送我的"): only their own copies, newest first."""
    return CarbonCopy.objects.filter(recipient=user).select_related("sender").order_by("-created")
