"""加签 and 会签: officials whose signed opinion a task needs before it can be completed, and
the county acceptance panel whose members must all agree."""

from types import SimpleNamespace

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.status import STATUS

from ground.acts import Act
from ground.audit import display_name

from .. import actions, notifications
from ..forms import BACK
from ..models import Delegation, SignOff
from .common import (
    OPEN,
    OperationRefused,
    _open_project_if_needed,
    _record,
    _require_holder,
    _require_not_delegated,
    _require_reason,
    _user,
    locked,
    panel_candidates,
    project_of,
    signer_candidates,
)


def add_signer(actor, task, signer, reason):
    """加签: the holder names an official whose signed opinion this task needs before it
    can be completed. An official outside the project's jurisdiction gets it opened."""
    if signer.pk != actor.pk and not signer_candidates(task, actor).filter(pk=signer.pk).exists():
        raise OperationRefused(
            _("%(user)s holds no role in this county and cannot sign.")
            % {"user": display_name(signer)}
        )
    return _add_sign_off(actor, task, signer, reason, kind=SignOff.Kind.ADDED, seat="")


def seat_panel_member(actor, task, member, seat, reason):
    """会签: the poverty office seats a member of the county acceptance panel (a node
    declared ``.Countersign(seats)``). Every member must sign "agree" before approval."""
    seats = dict(getattr(task.flow_task, "countersign_seats", ()))
    if seat not in seats:
        raise OperationRefused(_("This step has no countersign panel with that seat."))
    if not panel_candidates(task, seat, actor).filter(pk=member.pk).exists():
        if SignOff.objects.filter(task_id=task.pk, signer=member).exists():
            raise OperationRefused(
                _("%(user)s already signs this task.") % {"user": display_name(member)}
            )
        raise OperationRefused(
            _("%(user)s may not take the seat “%(seat)s”.")
            % {"user": display_name(member), "seat": seats[seat]}
        )
    return _add_sign_off(actor, task, member, reason, kind=SignOff.Kind.PANEL, seat=seat)


def seat_panel(actor, task, members, reason):
    """会签: seat several panel members at once (``members``: seat code → user), all or
    none: one refused seat leaves the panel as it was."""
    if not members:
        raise OperationRefused(_("Choose a member for at least one seat."))
    with transaction.atomic():
        return [
            seat_panel_member(actor, task, member, seat, reason) for seat, member in members.items()
        ]


def _add_sign_off(actor, task, signer, reason, *, kind, seat):
    reason = _require_reason(reason)
    with locked(task) as task:
        _require_holder(task, actor)
        _require_not_delegated(task)
        if signer.pk == actor.pk:
            raise OperationRefused(_("You cannot add yourself as a signer."))
        if SignOff.objects.filter(task_id=task.pk, signer=signer).exists():
            raise OperationRefused(
                _("%(user)s already signs this task.") % {"user": display_name(signer)}
            )
        project = project_of(task)
        opened = _open_project_if_needed(actor, signer, task, reason)
        sign_off = SignOff.objects.create(
            task=task,
            project_id=project.pk,
            kind=kind,
            seat=seat,
            signer=signer,
            requested_by=actor,
            reason=reason,
        )
        _record(
            actor,
            Act.TASK_PANEL_SEAT if kind == SignOff.Kind.PANEL else Act.TASK_ADD_SIGNER,
            task,
            after={
                "sign_off": sign_off.pk,
                "signer": _user(signer),
                "seat": seat,
                "project_opened": opened,
            },
            reason=reason,
        )
        notifications.sign_off_requested(actor, task, sign_off)
    return sign_off


def sign(actor, sign_off, decision, opinion):
    """An added signer or panel member signs with an opinion. A panel member's reject
    sends the acceptance back (退回) at once with the member's reason."""
    opinion = (opinion or "").strip()
    if decision not in (SignOff.Decision.AGREE, SignOff.Decision.REJECT):
        raise OperationRefused(_("Choose agree or reject."))
    if decision == SignOff.Decision.REJECT and not opinion:
        raise OperationRefused(_("Give the reason for rejecting."))
    with locked(sign_off.task) as task:
        sign_off = SignOff.objects.select_for_update().get(pk=sign_off.pk)
        if sign_off.signer_id != actor.pk:
            raise PermissionDenied
        if sign_off.signed_at is not None:
            raise OperationRefused(_("You have already signed."))
        if task.status not in OPEN:
            raise OperationRefused(_("This task has already been handled."))
        sign_off.decision = decision
        sign_off.opinion = opinion
        sign_off.signed_at = timezone.now()
        sign_off.save(update_fields=["decision", "opinion", "signed_at"])
        panel = sign_off.kind == SignOff.Kind.PANEL
        _record(
            actor,
            Act.TASK_COUNTERSIGN if panel else Act.TASK_SIGN,
            task,
            after={"sign_off": sign_off.pk, "decision": decision, "seat": sign_off.seat},
            reason=opinion,
        )
        if panel and decision == SignOff.Decision.REJECT:
            _send_back(actor, task, opinion)
    return sign_off


def _send_back(actor, task, reason):
    """Complete the task with "send back" and the panel member's reason, as the holder's
    own send-back would (the same form, act and gate)."""
    node = task.flow_task
    activation = node.activation_class(task)
    if task.status == STATUS.NEW:
        activation.assign(actor)
    activation.start(SimpleNamespace(user=actor))
    form = node.form_class(
        data={"decision": BACK, "reason": reason},
        process=activation.process,
        task=activation.task,
        user=actor,
    )
    if not form.is_valid():
        raise OperationRefused(_("This step cannot be sent back."))
    actions.complete_task(actor, activation, form)
    # A delegation still out on the task ends with it.
    Delegation.objects.filter(task_id=task.pk, returned_at__isnull=True).update(
        returned_at=timezone.now()
    )


def pending_sign_offs(user):
    """Sign-offs (加签, 会签) waiting for ``user`` on tasks still open: "待我签署", oldest
    first. One query (task and requester joined); the home page and the menu reuse it,
    ``.count()`` for the badge. Each row's ``task`` names the step (``flow_task``)."""
    return (
        SignOff.objects.filter(signer=user, signed_at__isnull=True, task__status__in=OPEN)
        .select_related("task", "requested_by")
        .order_by("created")
    )


def completion_blocker(task, decision) -> str | None:
    """Why the holder may not complete the task yet, or None.

    Rules: every added signer (加签) must have signed; a countersigned step (会签) is
    approved only with a seated panel whose members all signed "agree".
    """
    sign_offs = list(SignOff.objects.filter(task_id=task.pk).select_related("signer"))
    waiting = [s for s in sign_offs if s.kind == SignOff.Kind.ADDED and s.signed_at is None]
    if waiting:
        return _("Waiting for the added signers to sign: %(names)s.") % {
            "names": "、".join(display_name(s.signer) for s in waiting)
        }
    if getattr(task.flow_task, "countersign_seats", None) and decision != BACK:
        panel = [s for s in sign_offs if s.kind == SignOff.Kind.PANEL]
        if not panel:
            return _("Seat the acceptance panel first: every member must countersign.")
        unsigned = [s for s in panel if s.decision != SignOff.Decision.AGREE]
        if unsigned:
            return _("Every panel member must sign “agree” first; waiting for: %(names)s.") % {
                "names": "、".join(display_name(s.signer) for s in unsigned)
            }
    return None
