"""Approval operations officials expect (审批操作), each ONE audited act with a reason.

- :func:`transfer_task` 转办: the holder hands the task to a colleague holding the same
  role at the task's region; the colleague owns it from then on.
- :func:`delegate_task` / :func:`return_delegated_task` 委派: the holder lends the task to a
  colleague who fills it in; submitting returns it to the holder, who stays responsible
  and completes it (the colleague's entries pre-fill the holder's form).
- :func:`add_signer` / :func:`sign` 加签: the holder names another official whose signed
  opinion the task needs; it cannot be completed until every added signer has signed.
- :func:`seat_panel_member` / :func:`sign` 会签: the county acceptance panel.
- :func:`carbon_copy` 抄送: copy the project to officials with a note ("抄送我的").
- :func:`withdraw_task` 撤回: take back one's own completed step while the next step is
  still untouched.

Why the countersign is a panel model and not Split/Join nodes: the panel is chosen by
the poverty office at run time (one to five seats, outside experts among them), viewflow
core has no multi-instance split (``data_source`` is PRO-only, VIEWFLOW-NOTES §1.2), and
a member's "reject" must send the whole acceptance back exactly as the existing
send-back does. So :class:`~workflow.models.SignOff` rows of kind ``panel`` hang on the
one ``county_acceptance`` task, the node declares ``.Countersign(seats)``, and
``ProjectFlow`` still reads top to bottom as one step per stage.

Every act takes the flow lock (``select_for_update_lock``) and re-reads the task inside
it; a task that moved on meanwhile is refused with :class:`OperationRefused` (HTTP 409).
Officials outside the project's jurisdiction who are made signers, panel members or
carbon-copy recipients get the project opened to them by the audited
:func:`permissions.actions.open_project_to` grant.
"""

from contextlib import contextmanager
from types import SimpleNamespace

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import get_users_with_perms
from viewflow.workflow.status import STATUS

from ground import audit
from ground.audit import display_name

from . import actions, notifications
from .exceptions import TaskUnavailable
from .forms import BACK
from .models import CarbonCopy, Delegation, SignOff
from .subjects import is_visible, subject_of

OPEN = (STATUS.NEW, STATUS.ASSIGNED)


class OperationRefused(TaskUnavailable):
    """The operation does not fit the task's state now (answered with HTTP 409)."""


# --- Helpers --------------------------------------------------------------------------


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
    codename = task.owner_permission.split(".", 1)[1]
    return (
        get_users_with_perms(
            task.owner_permission_obj, only_with_perms_in=[codename], with_group_users=True
        )
        .filter(is_active=True)
        .exclude(pk=actor.pk)
        .order_by("username")
    )


# --- Who may be named: the people pickers offer these and the acts check them ----------


def _not_superuser(users):
    return users.filter(is_superuser=False)


def signer_candidates(task, actor):
    """Who may be added as a signer (加签) or copied (抄送): officials holding a role
    anywhere in the project's county, never the actor nor a superuser (``admin``)."""
    from permissions.jurisdiction import holders
    from permissions.models import Region
    from permissions.roles import REGION_ROLES

    county = project_of(task).county
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
    (``admin``), the staff of the operator being accepted, or someone already seated."""
    from django.contrib.auth import get_user_model

    from permissions.jurisdiction import acts_for, holders, outsiders

    roles = dict(getattr(task.flow_task, "countersign_members", {})).get(seat)
    if seat not in dict(panel_seats(task)):
        return get_user_model().objects.none()
    if roles:
        region = task.owner_permission_obj
        users = holders(roles, [region]) if region is not None else get_user_model().objects.none()
    else:
        users = outsiders()
    operator = getattr(project_of(task), "operator", None)
    if operator is not None:
        users = users.exclude(pk__in=acts_for(operator).values("pk"))
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


# --- 转办 Transfer ---------------------------------------------------------------------


def transfer_task(actor, task, to_user, reason):
    """转办: the holder hands the task to a colleague with the same role at the task's
    region; the colleague owns it now and the holder no longer sees it in their inbox."""
    reason = _require_reason(reason)
    with locked(task) as task:
        _require_holder(task, actor)
        _require_not_delegated(task)
        _require_colleague(task, to_user)
        _hand_to(actor, task, to_user, "task.transfer", reason, to=_user(to_user))
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
            "task.delegate",
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
        "task.delegation_return",
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
        _hand_to(actor, task, actor, "task.delegation_recall", reason, delegation=delegation.pk)
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


# --- 加签 / 会签 Sign-offs --------------------------------------------------------------


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
            "task.panel_seat" if kind == SignOff.Kind.PANEL else "task.add_signer",
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
            "task.countersign" if panel else "task.sign",
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


# --- 抄送 Carbon copy ------------------------------------------------------------------


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
            "task.carbon_copy",
            task,
            after={"recipients": [_user(r) for r in recipients], "project_opened": opened},
            reason=note,
        )
        notifications.copied(actor, task, copies)
    return copies


def copies_for(user):
    """What was copied to ``user`` ("抄送我的"): only their own copies, newest first."""
    return CarbonCopy.objects.filter(recipient=user).select_related("sender").order_by("-created")


# --- 撤回 Withdraw ---------------------------------------------------------------------


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
            "task.withdraw",
            done,
            before={"next": [t.pk for t in humans]},
            after={"cancelled": [t.pk for t in humans], "recreated": revived.pk},
            reason=reason,
        )
    return revived
