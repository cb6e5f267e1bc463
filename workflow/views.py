"""Views shared by every flow: task forms and task acts, plus the site's favicon and 403.

Task views stay thin: validate the form, call the act in ``workflow.actions``, redirect.
viewflow's flow-wide pages are replaced by versions scoped to jurisdiction: the lists in
workflow/list_views.py, the charts in workflow/chart_views.py.
"""

from django import forms
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import generic
from viewflow.workflow.flow.views import mixins as vf_mixins

from ground.audit import display_name

from . import actions, operations
from .inputs import InputDiscipline


class ReasonForm(InputDiscipline, forms.Form):
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


# --- Task forms ---------------------------------------------------------------------


class TaskFormView(
    vf_mixins.TaskSuccessUrlMixin,
    vf_mixins.TaskViewTemplateNames,
    generic.FormView,
):
    """Execute a human task: the node's form collects the stage data and the decision."""

    form_class = None
    template_filename = "task.html"

    def get_form_kwargs(self):
        activation = self.request.activation
        return {
            **super().get_form_kwargs(),
            "process": activation.process,
            "task": activation.task,
            "user": self.request.user,
        }

    def get_initial(self):
        # 委派: the delegate's entries, returned to the holder, pre-fill the holder's form.
        proposal = operations.returned_proposal(self.request.activation.task)
        if proposal is None or self.request.activation.task.owner_id != proposal.delegator_id:
            return super().get_initial()
        return {k: v[0] if len(v) == 1 else v for k, v in proposal.proposal.items()}

    def get_context_data(self, **kwargs):
        from .deadlines import deadlines_of
        from .operation_views import task_panel

        task = self.request.activation.task
        return super().get_context_data(
            returned=returned_note(task),
            approvals=task_panel(task, self.request.user),
            deadline=deadlines_of([task]).get(task.pk),
            **kwargs,
        )

    def form_valid(self, form):
        activation, user = self.request.activation, self.request.user
        delegation = operations.active_delegation(activation.task)
        if delegation is not None and delegation.delegate_id == user.pk:
            operations.return_delegated_task(user, activation, form)
            messages.success(
                self.request,
                _("Returned to %(name)s to confirm and complete.")
                % {"name": display_name(delegation.delegator)},
            )
            return HttpResponseRedirect(reverse("workflow:inbox"))
        blocker = operations.completion_blocker(
            activation.task, form.cleaned_data.get("decision", "")
        )
        if blocker:
            form.add_error(None, blocker)
            return self.form_invalid(form)
        actions.complete_task(self.request.user, self.request.activation, form)
        messages.success(
            self.request,
            _("“%(task)s” has been completed.")
            % {"task": self.request.activation.flow_task.task_title},
        )
        return HttpResponseRedirect(self.get_success_url())


class StartFormView(
    vf_mixins.TaskSuccessUrlMixin,
    vf_mixins.TaskViewTemplateNames,
    generic.FormView,
):
    form_class = None
    template_filename = "start.html"

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "process": self.request.activation.process,
            "task": self.request.activation.task,
            "user": self.request.user,
        }

    def form_valid(self, form):
        actions.start_process(self.request.user, self.request.activation, form)
        messages.success(self.request, _("The process has been started."))
        return HttpResponseRedirect(self.get_success_url())


def returned_note(task) -> dict | None:
    """The send-back (退回) that created this task, if any: who, when and why."""
    return (task.data or {}).get("returned")


# --- Task acts ------------------------------------------------------------------------


class _ActView(vf_mixins.TaskSuccessUrlMixin, vf_mixins.TaskViewTemplateNames, generic.FormView):
    form_class = ReasonForm
    success_message = ""

    def form_valid(self, form):
        self.act(form.cleaned_data.get("reason", ""))
        if self.success_message:
            messages.success(self.request, self.success_message)
        return HttpResponseRedirect(self.get_success_url())


class ClaimTaskView(_ActView):
    template_filename = "task_assign.html"
    form_class = forms.Form
    success_message = _("The task is now in your inbox.")

    def form_valid(self, form):
        actions.claim_task(self.request.user, self.request.activation)
        # 签收并继续 lands on the task's own form: "in your inbox" would send them away from it.
        continuing = "_continue" in self.request.POST
        messages.success(
            self.request,
            _("Claimed: the task is yours, handle it below.")
            if continuing
            else self.success_message,
        )
        return HttpResponseRedirect(self.get_success_url())


class ReleaseTaskView(_ActView):
    template_filename = "task_unassign.html"
    success_message = _("The task is back in the queue.")

    def act(self, reason):
        actions.release_task(self.request.user, self.request.activation, reason)


class CancelTaskView(_ActView):
    template_filename = "task_cancel.html"
    success_message = _("The task has been cancelled.")

    def act(self, reason):
        actions.cancel_task(self.request.user, self.request.activation, reason)


class UndoTaskView(_ActView):
    template_filename = "task_undo.html"
    success_message = _("The task has been undone.")

    def act(self, reason):
        actions.undo_task(self.request.user, self.request.activation, reason)


class ReviveTaskView(_ActView):
    template_filename = "task_revive.html"
    success_message = _("The task has been revived.")

    def act(self, reason):
        actions.revive_task(self.request.user, self.request.activation, reason)


def favicon(request):
    """/favicon.ico, which browsers ask for on their own: the icon every page links to."""
    from django.contrib.staticfiles import finders
    from django.http import FileResponse

    response = FileResponse(
        open(finders.find("qiyue/favicon.ico"), "rb"), content_type="image/x-icon"
    )
    response["Cache-Control"] = "public, max-age=86400"
    return response


def permission_denied(request, exception=None):
    """403 for officials; a visitor who has not signed in goes to the sign-in page first."""
    from django.contrib.auth.views import redirect_to_login
    from django.views.defaults import permission_denied as default_permission_denied

    if not request.user.is_authenticated and request.method == "GET":
        return redirect_to_login(request.get_full_path())
    return default_permission_denied(request, exception)
