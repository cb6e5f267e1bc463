"""Project pages: the list an official works from and the page of one project."""

import tempfile

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F, OuterRef, Prefetch, Subquery
from django.http import FileResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views import generic
from viewflow.urls import Application
from viewflow.workflow.status import STATUS

from ground.acts import Act
from ground.models import AuditEntry
from permissions.models import Region
from permissions.roles import ROLES_BY_CODE, Level
from workflow.inputs import query_id
from workflow.tasks import ScopedTask

from . import assets, dividends, exports, ledger
from .acts import five_ones, violations
from .flows import ProjectFlow
from .models import DividendShare, FundMovement, ImplementationMode, Project
from .rules import RuleViolation
from .stages import STAGE_LABELS, STAGES, stage_of


def get_project_for_user(user, pk) -> Project:
    """The project, or 404 when it lies outside the user's jurisdiction."""
    return get_object_or_404(
        Project.objects.visible_to(user).select_related("village__parent__parent"), pk=pk
    )


def with_current_step(projects):
    """Annotate each project with its open step (one subquery) and its process status."""
    open_step = (
        ScopedTask.objects.filter(
            process_id=OuterRef("process"), flow_task_type="HUMAN", finished__isnull=True
        )
        .order_by("-created")
        .values("flow_task")[:1]
    )
    return projects.annotate(current_step=Subquery(open_step), process_status=F("process__status"))


def stage_code(project) -> str | None:
    if getattr(project, "process_status", None) == STATUS.DONE:
        return "finished"
    step = project.current_step
    return stage_of(getattr(step, "name", step))


class ProjectListView(generic.ListView):
    template_name = "processes/project_list.html"
    paginate_by = 25

    def get_queryset(self):
        projects = Project.objects.visible_to(self.request.user).select_related(
            "village__parent", "operator", "responsible_leader"
        )
        params = self.request.GET
        township = query_id(params, "township")
        if township is not None:
            projects = projects.filter(village__parent_id=township)
        if params.get("mode"):
            projects = projects.filter(mode=params["mode"])
        if params.get("q"):
            projects = projects.filter(name__icontains=params["q"])
        return with_current_step(projects).order_by("-created_at")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for project in context["object_list"]:
            project.stage = STAGE_LABELS.get(stage_code(project), "")
        townships = Region.objects.filter(
            level=Level.TOWNSHIP,
            pk__in=Project.objects.visible_to(self.request.user).values("village__parent"),
        )
        return {
            **context,
            "townships": townships,
            "modes": ImplementationMode.choices,
            "params": self.request.GET,
            # The oldest ten (and whether there are more): a county has thousands at scale.
            "assets_to_register": list(assets.awaiting_registration(self.request.user)[:11]),
        }


def holder_of(task) -> str:
    """Who holds an open task: its owner, or the role and region whose queue it waits in."""
    if task.owner_id:
        return task.owner.get_full_name() or task.owner.get_username()
    codename = (task.owner_permission or "").split(".")[-1]
    role = ROLES_BY_CODE.get(codename)
    obj = task.owner_permission_obj
    if role is not None:
        return f"{role.label} · {obj.full_name if obj else ''}"
    return f"{_('Operator')} · {obj}" if obj else ""


class ProjectDetailView(generic.TemplateView):
    template_name = "processes/project_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        project = get_project_for_user(user, kwargs["pk"])
        process = getattr(project, "process", None)
        open_tasks = []
        if process is not None:
            for task in ScopedTask.objects.filter(
                process=process, flow_task_type="HUMAN", finished__isnull=True
            ):
                task.holder = holder_of(task)
                task.can_execute = task.owner_id == user.pk
                task.can_claim = task.flow_task.can_assign(user, task)
                task.execute_url = task.flow_task.reverse(
                    "execute", args=[task.process_id, task.pk]
                )
                task.claim_url = task.flow_task.reverse("assign", args=[task.process_id, task.pk])
                open_tasks.append(task)
        current = [stage_of(t.flow_task.name) for t in open_tasks]
        finished = process is not None and process.status == STATUS.DONE
        stages = [
            {"code": code, "label": label, "current": code in current}
            for code, label, _nodes in STAGES
        ]
        return {
            **super().get_context_data(**kwargs),
            "project": project,
            "process": process,
            "finished": finished,
            "stages": stages,
            "open_tasks": open_tasks,
            "history": project_history(project, process),
            "chart_url": ProjectFlow.instance.reverse("process_chart", args=[process.pk])
            if process
            else "",
            "chart_page_url": ProjectFlow.instance.reverse("process_chart_page", args=[process.pk])
            if process
            else "",
            "beneficiaries": project.beneficiaries.select_related("household"),
            "agreement": project.agreement,
            "agreements": project.agreements.all() if not project.is_direct_subsidy else [],
            "dividend_years": dividends.with_flags(
                project.dividend_years.prefetch_related("shares")
            ),
            "papers": project_papers(project),
            "funds": ledger.project_totals(project),
            "assets": project.assets.all(),
            "may_register_asset": project.accepted_on is not None
            and assets.may_register(user, project),
            "movements": project.fund_movements.select_related("audit_entry"),
            "batches": project.document_batches.all()[:5],
            "reimbursement": getattr(project, "reimbursement", None),
            "may_change_five_ones": five_ones.may_change_five_ones(user, project),
            "may_act_on_violation": violations.may_act_on_violation(user, project),
            "violation_blocker": violations.violation_blocker(project),
        }


def project_papers(project):
    """The project's documents with their newest version, households' agreements last."""
    from documents.models import DocumentVersion

    papers = list(
        project.documents.order_by("household_id", "kind", "pk").prefetch_related("versions")
    )
    for paper in papers:
        versions = sorted(paper.versions.all(), key=lambda v: v.number)
        paper.newest = versions[-1] if versions else None
        ready = [v for v in versions if v.status == DocumentVersion.Status.READY]
        paper.ready = ready[-1] if ready else None
        paper.older = ready[-2::-1]  # earlier versions and editions, newest first
    return papers


ACT_LABELS = {
    Act.PROCESS_START: _("Started"),
    Act.TASK_CLAIM: _("Claimed"),
    Act.TASK_RELEASE: _("Released"),
    Act.TASK_COMPLETE: _("Completed"),
    Act.TASK_SEND_BACK: _("Sent back"),
    Act.TASK_CANCEL: _("Cancelled"),
    Act.TASK_UNDO: _("Undone"),
    Act.TASK_REVIVE: _("Revived"),
    Act.PROJECT_OPEN: _("Opened to an official"),
    Act.PROJECT_CLOSE: _("Closed to an official"),
    Act.PROJECT_FIVE_ONES: _("Five-ones changed"),
    Act.PROJECT_RECLAIM_FUNDS: _("Funds reclaimed"),
    Act.PROJECT_REASSIGN_OPERATOR: _("Reassigned to another operator"),
    Act.PROCESS_STOP: _("Project stopped"),
    Act.ASSET_REGISTER: _("Asset registered"),
    Act.TASK_TRANSFER: _("Transferred"),
    Act.TASK_DELEGATE: _("Delegated"),
    Act.TASK_DELEGATION_RETURN: _("Returned by the delegate"),
    Act.TASK_DELEGATION_RECALL: _("Delegation recalled"),
    Act.TASK_ADD_SIGNER: _("Signer added"),
    Act.TASK_SIGN: _("Signed an opinion"),
    Act.TASK_PANEL_SEAT: _("Panel member seated"),
    Act.TASK_COUNTERSIGN: _("Countersigned"),
    Act.TASK_CARBON_COPY: _("Copied"),
    Act.TASK_WITHDRAW: _("Withdrawn"),
    Act.TASK_URGE: _("Urged"),
    Act.DEADLINE_REMIND: _("Deadline reminder"),
    Act.DEADLINE_OVERDUE: _("Overdue"),
    Act.DEADLINE_ESCALATE: _("Escalated"),
}


def project_history(project, process):
    """The project's audit entries, each with a readable act and the step it concerns."""
    entries = list(AuditEntry.objects.filter(project_id=project.pk).order_by("seq"))
    titles = {}
    if process is not None:
        titles = {
            str(t.pk): t.flow_task.task_title for t in ScopedTask.objects.filter(process=process)
        }
    for entry in entries:
        entry.act_label = ACT_LABELS.get(entry.act, entry.act)
        entry.step_title = (
            titles.get(entry.object_id, "") if entry.object_type == "viewflow.task" else ""
        )
        if entry.act == Act.PROCESS_START:
            entry.step_title = ProjectFlow.start.task_title
    return entries


class AssetRegisterView(generic.FormView):
    """登记资产 for an accepted project, by its township station or the county poverty office."""

    template_name = "processes/asset_form.html"
    form_class = assets.AssetForm

    def dispatch(self, request, *args, **kwargs):
        self.project = get_project_for_user(request.user, kwargs["pk"])
        if not assets.may_register(request.user, self.project):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {
            "name": self.project.name,
            "value": self.project.funds_issued or self.project.funds_amount,
            "operated_by": self.project.operator.name if self.project.operator else "",
            "income_terms": assets.default_income_terms(self.project),
            "supervised_by": "乡镇扶贫工作站、乡镇纪委、农业服务中心",
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(project=self.project, **kwargs)

    def form_valid(self, form):
        try:
            assets.register_asset(self.request.user, self.project, form)
        except RuleViolation as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        return HttpResponseRedirect(reverse("projects:detail", args=[self.project.pk]))


class DividendYearView(generic.TemplateView):
    """One agreement year's dividend list: what each household is due and was paid. Printed,
    it is the list the village posts (分红公示)."""

    template_name = "processes/dividend_year.html"

    def get_context_data(self, **kwargs):
        project = get_project_for_user(self.request.user, kwargs["pk"])
        years = project.dividend_years.prefetch_related(
            Prefetch("shares", queryset=DividendShare.objects.select_related("household"))
        )
        year = get_object_or_404(years, year=kwargs["year"])
        return {
            **super().get_context_data(**kwargs),
            "project": project,
            "year": year,
        }


class LedgerExportView(generic.View):
    """The ledger, movements and asset register of the jurisdiction, as an Excel workbook."""

    def get(self, request):
        out = tempfile.TemporaryFile()  # the workbook streams to disk, then to the official
        exports.ledger_workbook(request.user, out)
        out.seek(0)
        return FileResponse(
            out,
            as_attachment=True,
            filename="ledger.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )


class LedgerView(generic.TemplateView):
    """Poverty funds allocated, disbursed and reimbursed, per township of the jurisdiction."""

    template_name = "processes/ledger.html"
    flagged_per_page = 50

    def get_context_data(self, **kwargs):
        rows = ledger.totals_by_township(self.request.user)
        total = ledger.county_total(rows)
        kinds = FundMovement.Kind.values
        flagged = dividends.flagged_for(self.request.user)
        page = Paginator(flagged, self.flagged_per_page).get_page(self.request.GET.get("page"))
        # Read the page's rows ourselves: one query even when none is flagged (constant counts).
        start = (page.number - 1) * self.flagged_per_page
        return {
            **super().get_context_data(**kwargs),
            "kinds": FundMovement.Kind,
            "rows": [(row["region"], [row[k] for k in kinds]) for row in rows],
            "total": [total[k] for k in kinds],
            "flagged": list(flagged[start : start + self.flagged_per_page]),
            "page_obj": page,
        }


class ProjectsApp(Application):
    title = _("Projects")
    icon = "folder_open"
    app_name = "projects"
    menu_template_name = "processes/menu.html"

    def has_view_permission(self, user, obj=None):
        from permissions.jurisdiction import task_grants

        if not user.is_authenticated:
            return False
        return (
            user.is_superuser
            or bool(task_grants(user))
            or Project.objects.visible_to(user).exists()
        )

    @property
    def index_path(self):
        return path("", ProjectListView.as_view(), name="index")

    @property
    def detail_path(self):
        return path("<int:pk>/", ProjectDetailView.as_view(), name="detail")

    @property
    def ledger_path(self):
        return path("ledger/", LedgerView.as_view(), name="ledger")

    @property
    def ledger_export_path(self):
        return path("ledger.xlsx", LedgerExportView.as_view(), name="ledger_export")

    @property
    def dividend_year_path(self):
        return path(
            "<int:pk>/dividends/<int:year>/", DividendYearView.as_view(), name="dividend_year"
        )

    @property
    def asset_path(self):
        return path("<int:pk>/assets/new/", AssetRegisterView.as_view(), name="asset_new")
