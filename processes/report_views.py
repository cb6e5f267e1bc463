"""The public report page (举报): anyone, logged in or not, reports on a project by its
number, from the project's public notice or its page. CSRF-protected like every form;
a browser may file a few reports an hour. The count lives in a signed cookie in the
filer's browser only: nothing on the server (no address, no session row beside a login)
ties a report to whoever filed it."""

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
_COOKIE = "qiyue_reports"
_COOKIE_SALT = "processes.report_views.rate"


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


def _recent_filings(request) -> list[int]:
    raw = request.get_signed_cookie(_COOKIE, default="", salt=_COOKIE_SALT, max_age=3600)
    hour_ago = time.time() - 3600
    return [int(t) for t in raw.split(",") if t.isdigit() and int(t) > hour_ago]


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
                response = HttpResponseRedirect(reverse("report_filed", args=[report.number]))
                stamps = ",".join(str(t) for t in [*filed, int(time.time())])
                response.set_signed_cookie(
                    _COOKIE, stamps, salt=_COOKIE_SALT, max_age=3600, httponly=True, samesite="Lax"
                )
                return response
    return render(
        request,
        "processes/public_report.html",
        {"form": form, "project": project, "noticed": [] if project else noticed_projects()},
    )


def noticed_projects():
    """The public list: projects whose public notice (公示) has been posted, by number; the
    same facts the notice itself published."""
    return (
        Project.objects.filter(notice_start__isnull=False)
        .select_related("village__parent")
        .order_by("village__parent__name", "village__name", "pk")
    )


def report_filed(request, number):
    """The receipt: the report's number and status, nothing else about it."""
    report = get_object_or_404(PublicReport, number=number)
    return render(request, "processes/public_report_filed.html", {"report": report})


urlpatterns = [
    path("report/", file_report, name="report_new"),
    path("report/project/<int:project_number>/", file_report, name="report_project"),
    path("report/filed/<str:number>/", report_filed, name="report_filed"),
]
