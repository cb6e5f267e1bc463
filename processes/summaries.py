"""What a reviewer sees above the decision: what was submitted for the step (issue 15 §2).

Each step of ``ProjectFlow`` that reviews, inspects, signs or pays names the sections it
shows and the kinds of paper that belong to it. Everything is read from the database,
never from the form being filled, and each section costs a fixed number of queries,
however long the roster or the list of reports.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Prefetch
from viewflow.workflow.status import STATUS

from documents.models import Document, DocumentKind, DocumentVersion
from workflow.tasks import ScopedTask

from . import ledger
from .models import (
    AcceptanceRecord,
    Beneficiary,
    DividendShare,
    DividendYear,
    MaintenanceReport,
    ProgressReport,
    Project,
)
from .rules.id_numbers import mask_id_number
from .stages import STAGE_LABELS, stage_of

APPLICATION = "application"  # plan, targets, mode, funds, roster, commitment, planning meeting
PROGRESS = "progress"  # the progress report being inspected, and the earlier ones
ACCEPTANCE = "acceptance"  # the acceptance records so far, and the last progress report
REIMBURSEMENT = "reimbursement"  # the claim, the funds allocated and already paid
AGREEMENT = "agreement"  # the entrustment agreement's terms and parties
MAINTENANCE = "maintenance"  # the yearly report and the year's dividend list

# node name → the sections shown above its decision, in order.
SECTIONS = {
    "township_review": (APPLICATION,),
    "public_notice": (APPLICATION,),
    "county_review": (APPLICATION,),
    "leading_group_approval": (APPLICATION,),
    "funds_issue": (APPLICATION,),
    "subsidy_agreements": (APPLICATION,),
    "entrustment_agreement": (APPLICATION,),
    "benefit_linkage_agreements": (AGREEMENT,),
    "progress_report": (PROGRESS,),
    "township_supervision": (PROGRESS,),
    "village_self_check": (ACCEPTANCE,),
    "township_acceptance": (ACCEPTANCE,),
    "county_acceptance": (ACCEPTANCE,),
    "reimbursement": (ACCEPTANCE, REIMBURSEMENT),
    "reimbursement_poverty_review": (REIMBURSEMENT,),
    "reimbursement_finance_review": (REIMBURSEMENT,),
    "payment": (REIMBURSEMENT,),
    "maintenance_report": (MAINTENANCE,),
    "maintenance_review": (MAINTENANCE,),
    "dividend_notice": (MAINTENANCE,),
    "dividend_payout": (MAINTENANCE,),
    "term_end": (AGREEMENT, MAINTENANCE),
    "renewal_countersign": (AGREEMENT,),
    "principal_return": (AGREEMENT, REIMBURSEMENT),
}

# node name → the kinds of paper the step rests on (those already issued are linked).
DOCUMENTS = {
    "county_review": (DocumentKind.PUBLIC_NOTICE,),
    "funds_issue": (DocumentKind.APPROVAL_REPLY,),
    "subsidy_agreements": (DocumentKind.APPROVAL_REPLY,),
    "entrustment_agreement": (DocumentKind.APPROVAL_REPLY,),
    "benefit_linkage_agreements": (DocumentKind.APPROVAL_REPLY, DocumentKind.ENTRUSTMENT),
    "township_supervision": (DocumentKind.ENTRUSTMENT,),
    "county_acceptance": (DocumentKind.APPROVAL_REPLY,),
    "reimbursement": (DocumentKind.ACCEPTANCE_REPORT, DocumentKind.DIRECT_SUBSIDY),
    "reimbursement_poverty_review": (
        DocumentKind.REIMBURSEMENT_FORM,
        DocumentKind.ACCEPTANCE_REPORT,
        DocumentKind.DIRECT_SUBSIDY,
    ),
    "reimbursement_finance_review": (
        DocumentKind.REIMBURSEMENT_FORM,
        DocumentKind.ACCEPTANCE_REPORT,
        DocumentKind.DIRECT_SUBSIDY,
    ),
    "payment": (DocumentKind.REIMBURSEMENT_FORM, DocumentKind.DIRECT_SUBSIDY),
    "maintenance_review": (DocumentKind.ENTRUSTMENT,),
    "dividend_notice": (DocumentKind.ENTRUSTMENT,),
    "dividend_payout": (
        DocumentKind.DIVIDEND_NOTICE,
        DocumentKind.ENTRUSTMENT,
        DocumentKind.BENEFIT_LINKAGE,
    ),
    "term_end": (DocumentKind.ENTRUSTMENT,),
    "renewal_countersign": (DocumentKind.ENTRUSTMENT,),
    "principal_return": (DocumentKind.ENTRUSTMENT,),
}


@dataclass
class RosterRow:
    name: str
    id_number: str  # masked
    members: int
    amount: Decimal | None
    paid_on: object = None


@dataclass
class Paper:
    title: str
    number: str
    ready: DocumentVersion | None  # the newest produced version, to download
    pending: bool  # a newer version is still being produced


@dataclass
class Summary:
    project: Project
    node: str
    sections: tuple[str, ...]
    roster: list[RosterRow] = field(default_factory=list)
    roster_amount_label: str = ""
    roster_total: Decimal | None = None
    progress_reports: list = field(default_factory=list)
    acceptance_records: list = field(default_factory=list)
    reimbursement: object = None
    funds: dict = field(default_factory=dict)
    agreement: object = None
    agreement_years: list = field(default_factory=list)
    maintenance_reports: list = field(default_factory=list)
    dividend_year: object = None
    papers: list[Paper] = field(default_factory=list)

    def shows(self, section: str) -> bool:
        return section in self.sections

    @property
    def current_report(self):
        """The progress report under inspection: the newest one."""
        return self.progress_reports[-1] if self.progress_reports else None

    @property
    def earlier_reports(self):
        return list(reversed(self.progress_reports[:-1]))

    @property
    def current_maintenance_report(self):
        live = [
            r for r in self.maintenance_reports if r.status != MaintenanceReport.Status.RETURNED
        ]
        return live[-1] if live else None


def project_for(process) -> Project | None:
    """The process's project with what every summary prints about it, in one query."""
    project_id = getattr(process, "project_id", None)
    if project_id is None:
        return None
    return (
        Project.objects.select_related("village__parent__parent", "operator", "responsible_leader")
        .filter(pk=project_id)
        .first()
    )


def summary_for(process, node_name: str) -> Summary | None:
    """What the step ``node_name`` of this process shows above its decision, or None."""
    sections = SECTIONS.get(node_name)
    project = project_for(process) if sections else None
    if project is None:
        return None
    summary = Summary(project=project, node=node_name, sections=sections)
    if APPLICATION in sections or (project.is_direct_subsidy and REIMBURSEMENT in sections):
        _roster(summary)
    if PROGRESS in sections or ACCEPTANCE in sections:
        summary.progress_reports = list(
            ProgressReport.objects.filter(project=project).select_related("reported_by")
        )
    if ACCEPTANCE in sections:
        summary.acceptance_records = list(
            AcceptanceRecord.objects.filter(project=project).select_related("recorded_by")
        )
    if REIMBURSEMENT in sections:
        summary.reimbursement = getattr(project, "reimbursement", None)
        summary.funds = ledger.project_totals(project)
    if AGREEMENT in sections and not project.is_direct_subsidy:
        summary.agreement = project.agreement
        if summary.agreement is not None:
            summary.agreement_years = list(summary.agreement.years.order_by("year"))
    if MAINTENANCE in sections:
        _maintenance(summary)
    kinds = DOCUMENTS.get(node_name)
    if kinds:
        summary.papers = _papers(project, kinds)
    return summary


def _roster(summary: Summary) -> None:
    """The beneficiary roster with each household's amount: its direct subsidy, or its
    quantified share of the funds for a dividend project (as the entrustment prints it)."""
    project = summary.project
    rows = list(
        Beneficiary.objects.filter(project=project)
        .select_related("household")
        .order_by("household__head_name", "pk")
    )
    if project.is_direct_subsidy:
        amounts = [b.subsidy for b in rows]
        summary.roster_amount_label = "subsidy"
    else:
        share = (project.funds_amount / len(rows)).quantize(Decimal("0.01")) if rows else None
        amounts = [share for _ in rows]
        summary.roster_amount_label = "share"
    summary.roster = [
        RosterRow(
            name=b.household.head_name,
            id_number=mask_id_number(b.household.id_number),
            members=b.household.members,
            amount=amount,
            paid_on=b.paid_on,
        )
        for b, amount in zip(rows, amounts, strict=True)
    ]
    summary.roster_total = sum(amounts, Decimal("0.00")) if rows else None


def _maintenance(summary: Summary) -> None:
    project = summary.project
    summary.maintenance_reports = list(
        MaintenanceReport.objects.filter(project=project).select_related("reported_by")
    )
    report = summary.current_maintenance_report
    if report is not None and not project.is_direct_subsidy:
        summary.dividend_year = (
            DividendYear.objects.filter(project=project, year=report.year)
            .prefetch_related(
                Prefetch("shares", queryset=DividendShare.objects.select_related("household"))
            )
            .first()
        )


def _papers(project: Project, kinds) -> list[Paper]:
    documents = (
        Document.objects.filter(project=project, kind__in=kinds)
        .order_by(F("household_id").asc(nulls_first=True), "kind", "pk")  # project's first
        .prefetch_related(Prefetch("versions", queryset=DocumentVersion.objects.order_by("number")))
    )
    papers = []
    for document in documents:
        versions = list(document.versions.all())
        ready = [v for v in versions if v.status == DocumentVersion.Status.READY]
        newest = versions[-1] if versions else None
        papers.append(
            Paper(
                title=document.title,
                number=document.number,
                ready=ready[-1] if ready else None,
                pending=newest is not None and newest.status != DocumentVersion.Status.READY,
            )
        )
    return papers


# --- The side panel of every task page -------------------------------------------------


@dataclass
class Panel:
    project: Project
    stage: str
    holders: list[str]


def panel_for(process) -> Panel | None:
    """The project a task belongs to, as the side panel shows it: where it stands now and
    who holds it. Two queries, plus the region (and its parents) or operator of each queue
    an unclaimed step waits in."""
    from .views import holder_of  # the project page's wording for who holds a step

    project = project_for(process)
    if project is None:
        return None
    open_tasks = list(
        ScopedTask.objects.filter(
            process_id=process.pk, flow_task_type="HUMAN", finished__isnull=True
        )
        .select_related("owner")
        .order_by("created", "pk")
    )
    if process.status == STATUS.DONE:
        stage = STAGE_LABELS["finished"]
    else:
        names = [t.flow_task.name for t in open_tasks]
        stage = STAGE_LABELS.get(stage_of(names[-1]) if names else None, "")
    return Panel(project=project, stage=stage, holders=[holder_of(t) for t in open_tasks])
