"""The public report page (举报): anyone, logged in or not, reports on a project by its
number, from the project's public notice or its page. CSRF-protected like every form;
a session may file a few reports an hour (the limit is kept in the session, never with an
address, so an anonymous report stays anonymous)."""

import time

from django import forms
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from . import reports
from .models import Project, PublicReport
from .rules import RuleViolation

REPORTS_PER_HOUR = 5
_SESSION_KEY = "qiyue_reports_filed"


class PublicReportForm(forms.Form):
    project_number = forms.IntegerField(label=_("Project number"), min_value=1)
    content = forms.CharField(
        label=_("What are you reporting?"),
        min_length=10,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    anonymous = forms.BooleanField(
        label=_("Report anonymously (nothing that identifies you is kept)"),
        required=False,
        initial=True,
    )
    name = forms.CharField(label=_("Your name (optional)"), max_length=50, required=False)
    phone = forms.CharField(label=_("Your phone (optional)"), max_length=30, required=False)
    # A field people never see: bots fill it in.
    website = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_project_number(self):
        number = self.cleaned_data["project_number"]
        project = Project.objects.filter(pk=number).select_related("village__parent").first()
        if project is None:
            raise forms.ValidationError(_("There is no project with this number."))
        self.project = project
        return number

    def clean(self):
        data = super().clean()
        if data.get("website"):
            raise forms.ValidationError(_("The report could not be accepted."))
        return data


def _recent_filings(request) -> list[float]:
    hour_ago = time.time() - 3600
    return [t for t in request.session.get(_SESSION_KEY, []) if t > hour_ago]


@require_http_methods(["GET", "POST"])
def file_report(request, project_number=None):
    form = PublicReportForm(
        request.POST or None, initial={"project_number": project_number} if project_number else {}
    )
    project = None
    if project_number:
        project = Project.objects.filter(pk=project_number).select_related("village").first()
    if request.method == "POST" and form.is_valid():
        filed = _recent_filings(request)
        if len(filed) >= REPORTS_PER_HOUR:
            form.add_error(None, _("Too many reports from this browser; try again in an hour."))
        else:
            data = form.cleaned_data
            try:
                report = reports.file_report(
                    request.user,
                    form.project,
                    data["content"],
                    data["anonymous"],
                    name=data["name"],
                    phone=data["phone"],
                )
            except RuleViolation as error:
                form.add_error(None, error)
            else:
                request.session[_SESSION_KEY] = [*filed, time.time()]
                return HttpResponseRedirect(reverse("report_filed", args=[report.number]))
    return render(request, "processes/public_report.html", {"form": form, "project": project})


def report_filed(request, number):
    """The receipt: the report's number and status, nothing else about it."""
    report = get_object_or_404(PublicReport, number=number)
    return render(request, "processes/public_report_filed.html", {"report": report})


urlpatterns = [
    path("report/", file_report, name="report_new"),
    path("report/project/<int:project_number>/", file_report, name="report_project"),
    path("report/filed/<str:number>/", report_filed, name="report_filed"),
]
