"""Pages of the approval operations: one form per operation, "待我签署" and "抄送我的".

Views stay thin: load the task within the user's jurisdiction (404 outside it), check
who may operate (403), validate the form, call the act in ``workflow.operations``
(409 when the task moved on meanwhile), redirect.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views import generic
from viewflow.urls import Application
from viewflow.workflow.status import STATUS

from . import operation_forms as forms
from . import operations
from .models import SignOff
from .subjects import attach_subjects, subject_url
from .tasks import ScopedTask


def task_for(user, task_pk):
    """The task, or 404 when its process lies outside the user's jurisdiction."""
    task = get_object_or_404(
        ScopedTask.objects.select_related("process", "owner"), pk=task_pk, flow_task_type="HUMAN"
    )
    flow = task.flow_task.flow_class.instance
    if not flow.visible_processes(user).filter(pk=task.process_id).exists():
        raise Http404
    return task


def execute_url(task):
    return task.flow_task.reverse("execute", args=[task.process_id, task.pk])


def project_url(task):
    return subject_url(operations.project_of(task))


class TaskOperationView(generic.FormView):
    """Base: an operation on an open task by its holder."""

    template_name = "workflow/operations/form.html"
    title = ""
    help = ""
    success_message = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return HttpResponseRedirect(reverse("login") + f"?next={request.path}")
        self.task = task_for(request.user, kwargs["task_pk"])
        self.check_actor()
        return super().dispatch(request, *args, **kwargs)

    def check_actor(self):
        task = self.task
        if task.owner_id != self.request.user.pk or task.status != STATUS.ASSIGNED:
            raise PermissionDenied(_("Only the official holding this task may do this."))

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "task": self.task, "actor": self.request.user}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            task=self.task,
            project=operations.project_of(self.task),
            title=self.title,
            help=self.help,
            back_url=execute_url(self.task),
            **kwargs,
        )

    def form_valid(self, form):
        url = self.perform(form)
        messages.success(self.request, self.success_message)
        return HttpResponseRedirect(url)


class TransferView(TaskOperationView):
    form_class = forms.TransferForm
    title = _("Transfer")
    help = _("The colleague takes over this task; it leaves your inbox.")
    success_message = _("The task has been transferred.")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not operations.colleagues(self.task, self.request.user).exists():
            context["blocker"] = _(
                "Nobody else holds this task's role at its region: there is no one to hand it to."
            )
        return context

    def perform(self, form):
        operations.transfer_task(
            self.request.user, self.task, form.cleaned_data["to_user"], form.cleaned_data["reason"]
        )
        return reverse("workflow:inbox")


class DelegateView(TransferView):
    form_class = forms.DelegateForm
    title = _("Delegate")
    help = _(
        "The colleague fills in this task; it then returns to you to confirm and complete. "
        "You remain responsible."
    )
    success_message = _("The task has been delegated; it will return to you.")

    def perform(self, form):
        operations.delegate_task(
            self.request.user, self.task, form.cleaned_data["to_user"], form.cleaned_data["reason"]
        )
        return reverse("workflow:inbox")


class RecallDelegationView(TaskOperationView):
    """收回委派: the delegator takes the task back before the delegate returns it."""

    form_class = forms.WithdrawForm  # a reason only
    title = _("Recall the delegation")
    help = _("The task comes back to your inbox; the colleague can no longer fill it in.")
    success_message = _("The delegation has been recalled; the task is back in your inbox.")

    def check_actor(self):
        delegation = operations.active_delegation(self.task)
        if delegation is None or delegation.delegator_id != self.request.user.pk:
            raise PermissionDenied(_("Only the official who delegated this task may recall it."))

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "back_url": reverse("approvals:delegated")}

    def perform(self, form):
        operations.recall_delegation(self.request.user, self.task, form.cleaned_data["reason"])
        return execute_url(self.task)


class DelegatedListView(generic.ListView):
    """我委派的: tasks the user delegated that have not come back, each with a recall link."""

    template_name = "workflow/operations/delegated.html"

    def get_queryset(self):
        return operations.delegated_by(self.request.user)


class AddSignerView(TaskOperationView):
    form_class = forms.AddSignerForm
    title = _("Add a signer")
    help = _("The task cannot be completed until the signer has signed an opinion.")
    success_message = _("The signer has been added.")

    def perform(self, form):
        operations.add_signer(
            self.request.user, self.task, form.cleaned_data["signer"], form.cleaned_data["reason"]
        )
        return execute_url(self.task)


class PanelView(TaskOperationView):
    """会签: seat the acceptance panel, several seats in one form."""

    form_class = forms.PanelForm
    template_name = "workflow/operations/panel.html"
    title = _("Seat the acceptance panel")
    help = _(
        "Every panel member must countersign “agree” before the acceptance can be approved; "
        "a member who rejects sends it back."
    )
    success_message = _("The panel members have been seated.")

    def check_actor(self):
        super().check_actor()
        if not operations.panel_seats(self.task):
            raise Http404

    def perform(self, form):
        data = form.cleaned_data
        operations.seat_panel(self.request.user, self.task, data["members"], data["reason"])
        return execute_url(self.task)

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except operations.OperationRefused as refused:
            form.add_error(None, str(refused))
            return self.form_invalid(form)


class CarbonCopyView(TaskOperationView):
    form_class = forms.CarbonCopyForm
    title = _("Carbon copy")
    help = _("The recipients may open the project read-only.")
    success_message = _("The project has been copied.")

    def perform(self, form):
        operations.carbon_copy(
            self.request.user, self.task, form.cleaned_data["recipients"], form.cleaned_data["note"]
        )
        return execute_url(self.task)


class WithdrawView(TaskOperationView):
    """撤回 a step the user completed; the page says why when it is too late."""

    form_class = forms.WithdrawForm
    title = _("Withdraw")
    help = _(
        "Take back a step you completed while the next step is untouched; it returns to your inbox."
    )
    success_message = _("The step has been withdrawn; it is back in your inbox.")

    def check_actor(self):
        if self.task.owner_id != self.request.user.pk or self.task.status != STATUS.DONE:
            raise PermissionDenied(_("Only the official who completed this step may withdraw it."))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            blocker=operations.withdrawal_blocker(self.task, self.request.user), **kwargs
        )
        return {**context, "back_url": project_url(self.task)}

    def perform(self, form):
        revived = operations.withdraw_task(
            self.request.user, self.task, form.cleaned_data["reason"]
        )
        return execute_url(revived)


# --- Signing and the lists ---------------------------------------------------------------


class SignOffListView(generic.ListView):
    """待我签署: sign-offs (加签, 会签) waiting for the user on open tasks."""

    template_name = "workflow/operations/sign_offs.html"

    def get_queryset(self):
        return operations.pending_sign_offs(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        attach_subjects(context["object_list"])
        for sign_off in context["object_list"]:
            sign_off.seat_label = dict(operations.panel_seats(sign_off.task)).get(sign_off.seat, "")
        return context


class SignView(generic.FormView):
    form_class = forms.SignForm
    template_name = "workflow/operations/sign.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return HttpResponseRedirect(reverse("login") + f"?next={request.path}")
        self.sign_off = get_object_or_404(
            SignOff.objects.select_related("task", "requested_by"),
            pk=kwargs["pk"],
            signer=request.user,
        )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        task = self.sign_off.task
        return super().get_context_data(
            sign_off=self.sign_off,
            seat_label=dict(operations.panel_seats(task)).get(self.sign_off.seat, ""),
            task=task,
            project=operations.project_of(task),
            **kwargs,
        )

    def form_valid(self, form):
        operations.sign(
            self.request.user,
            self.sign_off,
            form.cleaned_data["decision"],
            form.cleaned_data["opinion"],
        )
        messages.success(self.request, _("Your opinion has been signed."))
        return HttpResponseRedirect(reverse("approvals:sign_offs"))


class CarbonCopyListView(generic.ListView):
    """抄送我的: what was copied to the user, and only to them."""

    template_name = "workflow/operations/copies.html"
    paginate_by = 25

    def get_queryset(self):
        return operations.copies_for(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        attach_subjects(context["object_list"])
        return context


class ApprovalsApp(Application):
    """The approval pages inside the site's frame (menu, colours): 待我签署 with its count,
    抄送我的, 我委派的, and the operation forms the task page links to."""

    title = _("Approvals")
    icon = "draw"
    app_name = "approvals"
    menu_template_name = "workflow/operations/menu.html"

    def has_view_permission(self, user, obj=None):
        return user.is_authenticated

    @property
    def index_path(self):
        return path("", login_required(SignOffListView.as_view()), name="index")

    transfer_path = path("tasks/<int:task_pk>/transfer/", TransferView.as_view(), name="transfer")
    delegate_path = path("tasks/<int:task_pk>/delegate/", DelegateView.as_view(), name="delegate")
    add_signer_path = path(
        "tasks/<int:task_pk>/add-signer/", AddSignerView.as_view(), name="add_signer"
    )
    panel_path = path("tasks/<int:task_pk>/panel/", PanelView.as_view(), name="panel")
    carbon_copy_path = path(
        "tasks/<int:task_pk>/carbon-copy/", CarbonCopyView.as_view(), name="carbon_copy"
    )
    withdraw_path = path("tasks/<int:task_pk>/withdraw/", WithdrawView.as_view(), name="withdraw")
    recall_path = path("tasks/<int:task_pk>/recall/", RecallDelegationView.as_view(), name="recall")
    delegated_path = path(
        "delegated/", login_required(DelegatedListView.as_view()), name="delegated"
    )
    sign_offs_path = path("sign-offs/", login_required(SignOffListView.as_view()), name="sign_offs")
    sign_path = path("sign-offs/<int:pk>/", SignView.as_view(), name="sign")
    copies_path = path("copies/", login_required(CarbonCopyListView.as_view()), name="copies")


def task_panel(task, user) -> dict:
    """What the task page shows about operations: sign-offs, delegation, and links to the
    operations the user can do now (none that would only be refused: no 转办 with nobody
    to hand to, no panel with every seat taken, nothing while the task is delegated)."""
    delegation = operations.active_delegation(task)
    delegated_to_me = delegation is not None and delegation.delegate_id == user.pk
    seats = dict(operations.panel_seats(task))
    sign_offs = list(
        SignOff.objects.filter(task_id=task.pk).select_related("signer").order_by("created")
    )
    for s in sign_offs:
        s.seat_label = seats.get(s.seat, "")
    links = []
    # The execute page has started the task in memory: its holder is its owner.
    holding = task.owner_id == user.pk and task.finished is None
    if holding and delegation is None:
        if operations.colleagues(task, user).exists():
            links.append((_("Transfer"), reverse("approvals:transfer", args=[task.pk])))
            links.append((_("Delegate"), reverse("approvals:delegate", args=[task.pk])))
        signers = operations.signer_candidates(task, user).exists()
        if signers:
            links.append((_("Add a signer"), reverse("approvals:add_signer", args=[task.pk])))
        taken = {s.seat for s in sign_offs if s.kind == SignOff.Kind.PANEL}
        if seats and set(seats) - taken:
            links.append(
                (_("Seat the acceptance panel"), reverse("approvals:panel", args=[task.pk]))
            )
        if signers:
            links.append((_("Carbon copy"), reverse("approvals:carbon_copy", args=[task.pk])))
    return {
        "links": links,
        "delegation": delegation,
        "delegated_to_me": delegated_to_me,
        "returned": operations.returned_proposal(task) if not delegation else None,
        "sign_offs": sign_offs,
        "countersigned": bool(seats),
    }
