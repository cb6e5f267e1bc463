"""Supervision pages: the five-ones chain, the county roll-up, the project acts outside
the task flow (change the five-ones, reclaim funds, reassign the operator) and the public
reports routed to the viewer. Views stay thin: check, validate, call the action, redirect."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views import generic
from viewflow.urls import Application

from permissions.jurisdiction import roles_of
from workflow.inputs import InputDiscipline
from workflow.operation_forms import PersonChoiceField

from . import chain, ledger, reports
from .acts import five_ones, reassign, reclaim, violations
from .dashboard import STALL_WORKING_DAYS
from .forms import leaders_for
from .models import Operator
from .paging import paginate
from .rules import RuleViolation
from .views import get_project_for_user

REASON = forms.CharField(
    label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
)


class ChainView(generic.TemplateView):
    """我的五个一: every project under the viewer, the ones they lead first."""

    template_name = "processes/chain.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        pages = paginate(chain.projects_under(user), self.request.GET, chain.PAGE_SIZE)
        return {
            **super().get_context_data(**kwargs),
            **pages,
            "rows": chain.chain_rows(user, pages["page_obj"].object_list),
            "stall_days": STALL_WORKING_DAYS,
        }


class CountyChainView(generic.TemplateView):
    """The chain rolled up by township and by leader: counts per stage, and stalled."""

    template_name = "processes/chain_county.html"

    def get_context_data(self, **kwargs):
        by_township, by_leader = chain.rollup(self.request.user)
        return {
            **super().get_context_data(**kwargs),
            "headers": chain.stage_headers(),
            "by_township": by_township,
            "by_leader": by_leader,
            "stall_days": STALL_WORKING_DAYS,
        }


class ProjectActView(generic.FormView):
    """A form for one act on a project: 404 outside the jurisdiction, 403 without the role."""

    template_name = "processes/project_act.html"
    title = ""
    success_message = ""
    allowed = staticmethod(lambda user, project: False)

    def dispatch(self, request, *args, **kwargs):
        self.project = get_project_for_user(request.user, kwargs["pk"])
        if not self.allowed(request.user, self.project):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "project": self.project}

    def get_context_data(self, **kwargs):
        return super().get_context_data(project=self.project, title=self.title, **kwargs)

    def form_valid(self, form):
        try:
            self.act(form.cleaned_data)
        except RuleViolation as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(
            self.request, self.success_message or _("Done: %(act)s.") % {"act": self.title}
        )
        return HttpResponseRedirect(reverse("projects:detail", args=[self.project.pk]))


class FiveOnesForm(InputDiscipline, forms.Form):
    responsible_leader = PersonChoiceField(
        label=_("Responsible leader"), queryset=None, required=False
    )
    team = forms.CharField(
        label=_("Working team"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    policy_set = forms.CharField(
        label=_("Policy set"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    reason = REASON

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_leader"].queryset = leaders_for(project)
        self.fields["responsible_leader"].initial = project.responsible_leader_id
        self.fields["team"].initial = project.team
        self.fields["policy_set"].initial = project.policy_set


class FiveOnesChangeView(ProjectActView):
    form_class = FiveOnesForm
    title = _("Change the five-ones")
    success_message = _(
        "The five-ones were changed; the reason is recorded in the project's history."
    )
    allowed = staticmethod(five_ones.may_change_five_ones)

    def act(self, data):
        five_ones.change_five_ones(
            self.request.user,
            self.project,
            data["responsible_leader"],
            data["team"],
            data["policy_set"],
            data["reason"],
        )


class ReclaimForm(InputDiscipline, forms.Form):
    amount = forms.DecimalField(
        label=_("Amount reclaimed (yuan)"), max_digits=14, decimal_places=2, min_value=0.01
    )
    stop = forms.BooleanField(
        label=_("Stop the project (cancel its running process)"), required=False
    )
    reason = REASON

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].help_text = _("At most ¥%(available)s.") % {
            "available": f"{ledger.reclaimable(project):,.2f}"
        }


class ReclaimView(ProjectActView):
    form_class = ReclaimForm
    title = _("Reclaim funds")
    success_message = _("The reclaimed funds were recorded in the fund ledger.")
    allowed = staticmethod(violations.may_act_on_violation)

    def act(self, data):
        reclaim.reclaim_funds(
            self.request.user, self.project, data["amount"], data["reason"], stop=data["stop"]
        )


class ReassignForm(InputDiscipline, forms.Form):
    operator = forms.ModelChoiceField(label=_("New operator"), queryset=Operator.objects.none())
    reason = REASON

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["operator"].queryset = reassign.operators_for(project)


class ReassignView(ProjectActView):
    form_class = ReassignForm
    title = _("Reassign the project to another operator")
    success_message = _("The project was reassigned to the new operator.")
    allowed = staticmethod(violations.may_act_on_violation)

    def act(self, data):
        reassign.reassign_operator(
            self.request.user, self.project, data["operator"], data["reason"]
        )


class ReportListView(generic.ListView):
    """The public reports routed to the viewer."""

    template_name = "processes/report_list.html"
    paginate_by = 50

    def get_queryset(self):
        return reports.reports_visible_to(self.request.user).select_related(
            "project__village__parent"
        )


class AdvanceForm(InputDiscipline, forms.Form):
    findings = forms.CharField(
        label=_("Findings"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )


class ReportDetailView(generic.FormView):
    """One report, its timeline, and (for its handlers) the next step of the investigation."""

    template_name = "processes/report_detail.html"
    form_class = AdvanceForm

    def dispatch(self, request, *args, **kwargs):
        from django.shortcuts import get_object_or_404

        self.report = get_object_or_404(
            reports.reports_visible_to(request.user).select_related("project__village"),
            pk=kwargs["pk"],
        )
        self.may_handle = reports.may_handle(request.user, self.report)
        if request.method == "POST" and not self.may_handle:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            report=self.report,
            timeline=reports.report_timeline(self.report),
            may_handle=self.may_handle,
            next_status=reports.NEXT_STATUS.get(self.report.status),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            reports.advance_report(self.request.user, self.report, form.cleaned_data["findings"])
        except RuleViolation as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The report's status was updated."))
        return HttpResponseRedirect(reverse("supervision:report", args=[self.report.pk]))


class SupervisionApp(Application):
    """Supervision for officials holding a role at a region (operators have none here)."""

    title = _("Supervision")
    icon = "visibility"
    app_name = "supervision"
    menu_template_name = "processes/supervision_menu.html"

    def has_view_permission(self, user, obj=None):
        return user.is_authenticated and (user.is_superuser or bool(roles_of(user)))

    @property
    def index_path(self):
        return path("", ChainView.as_view(), name="index")

    @property
    def county_path(self):
        return path("county/", CountyChainView.as_view(), name="county")

    @property
    def five_ones_path(self):
        return path("projects/<int:pk>/five-ones/", FiveOnesChangeView.as_view(), name="five_ones")

    @property
    def reclaim_path(self):
        return path("projects/<int:pk>/reclaim/", ReclaimView.as_view(), name="reclaim")

    @property
    def reassign_path(self):
        return path("projects/<int:pk>/reassign/", ReassignView.as_view(), name="reassign")

    @property
    def reports_path(self):
        return path("reports/", ReportListView.as_view(), name="reports")

    @property
    def report_path(self):
        return path("reports/<int:pk>/", ReportDetailView.as_view(), name="report")
