"""The public report page (举报): anyone, logged in or not, reports on a project by its
number, from the project's public notice or its page. CSRF-protected like every form.

A visitor reaches only projects whose public notice (公示) was posted, the ones the public
list shows; a signed-in official also those of their own jurisdiction. Any other number is
"no such project" (404 for the page), so the form never names a project the public could
not already see.

How often one address may post is counted on the server by workflow/security.py
(``QIYUE_RATE_LIMITS["report"]``, 20 an hour by default, then 429 with the wait): a
counter kept in the filer's cookie could simply be dropped. The counter lives in the cache
and expires with its window; no report row records who filed it or from where."""

from django import forms
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from workflow.inputs import InputDiscipline

from . import reports
from .models import Project, PublicReport
from .rules import RuleViolation


def reportable_projects(user):
    """The projects a report may name: publicly noticed ones, and for a signed-in official
    those they may see anyway."""
    noticed = Project.objects.filter(notice_start__isnull=False)
    if user is not None and user.is_authenticated:
        return noticed | Project.objects.visible_to(user)
    return noticed


class PublicReportForm(InputDiscipline, forms.Form):
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

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_project_number(self):
        number = self.cleaned_data["project_number"]
        project = reportable_projects(self.user).filter(pk=number).first()
        if project is None:
            raise forms.ValidationError(_("There is no project with this number."))
        self.project = project
        return number

    def clean(self):
        data = super().clean()
        if data.get("website"):
            raise forms.ValidationError(_("The report could not be accepted."))
        return data


@require_http_methods(["GET", "POST"])
def file_report(request, project_number=None):
    project = None
    if project_number is not None:
        project = (
            reportable_projects(request.user)
            .filter(pk=project_number)
            .select_related("village")
            .first()
        )
        if project is None:
            raise Http404
    form = PublicReportForm(
        request.POST or None,
        initial={"project_number": project_number} if project else {},
        user=request.user,
    )
    if request.method == "POST" and form.is_valid():
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
            return HttpResponseRedirect(reverse("report_filed", args=[report.number]))
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
