"""The project lifecycle (DOMAIN.md §3), top to bottom as officials run it.

planning meeting → application → public notice → county approval → agreements →
implementation → acceptance → reimbursement → post-maintenance (yearly report, and for
dividend projects the dividend list's notice and payout) → at term end renewal or
termination. Every review can
approve or send back (退回): the gate after it names the step the work returns to, and
that step goes back to whoever did it last, with the reason.

Each step declares its stage and its time limit in working days, used where the county has
set none (DOMAIN.md §3, practice): the county's call for applications runs ~14 days; a
public notice lasts ≥ 7–10 days; payment within 5–10 working days of the claim; a
maintenance report is due yearly.
"""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock

from permissions.jurisdiction import acts_for
from permissions.roles import (
    COUNTY_FINANCE_BUREAU,
    COUNTY_LEADING_GROUP,
    COUNTY_POVERTY_OFFICE,
    TOWNSHIP_FINANCE_OFFICE,
    TOWNSHIP_LEAD,
    TOWNSHIP_WORK_STATION,
    VILLAGE_SECRETARY,
)
from workflow.nodes import Start, View
from workflow.scoping import JurisdictionFlowMixin
from workflow.tasks import ScopedTask

from . import forms, ledger, paperwork
from .models import Project, ProjectProcess


def village(process):
    return process.project.village


def township(process):
    return process.project.village.parent


def county(process):
    return process.project.village.parent.parent


def operator_or_village(process):
    """Who reports on a project: its operator, or the village for direct subsidies."""
    if process.is_direct_subsidy():
        return VILLAGE_SECRETARY, village(process)
    return None, process.project.operator


class ProjectFlow(JurisdictionFlowMixin, flow.Flow):
    """One project under the contract model, from the planning meeting to the end of
    post-maintenance."""

    process_title = _("Poverty-alleviation industrial project")
    process_description = _("From the planning meeting to the end of post-maintenance.")

    process_class = ProjectProcess
    subject_field = "project"  # what the machinery's protocol asks (workflow/subjects.py)
    region_field = "project__village"
    subject_url_name = "projects:detail"
    task_class = ScopedTask
    lock_impl = lock.select_for_update_lock
    list_select_related = ("process__projectprocess__project",)  # task lists show the project

    # --- 1–2 Village plans and applies; township reviews (村申报、乡审核) ---------------
    start = (
        Start(forms.PlanningMeetingForm, role=VILLAGE_SECRETARY, at=village)
        .Annotation(title=_("Planning meeting"))
        .Stage("planning")
        .Next(this.application)
    )
    application = (
        View(forms.ApplicationForm)
        .Annotation(title=_("Application"))
        .Stage("application", days=14, remind_before=3)
        .Role(VILLAGE_SECRETARY, at=village)
        .ReturnsToLastHolder()
        .Next(this.township_review)
    )
    township_review = (
        View(forms.TownshipReviewForm)
        .Annotation(title=_("Township review"))
        .Stage("application", days=5)
        .Role(TOWNSHIP_WORK_STATION, at=township)
        .ReturnsToLastHolder()
        .Next(this.township_review_passed)
    )
    township_review_passed = (
        flow.If(this.is_approved)
        .Annotation(title=_("Township review passed?"))
        .Then(this.public_notice)
        .Else(this.application, task_data=this.return_note)
    )

    # --- 3 Public notice (公示) -------------------------------------------------------
    public_notice = (
        View(forms.PublicNoticeForm)
        .Annotation(title=_("Public notice"))
        .Stage("notice", days=10, remind_before=2)
        .Role(VILLAGE_SECRETARY, at=village)
        .AfterComplete(paperwork.village_posts_public_notice)
        .Next(this.public_notice_passed)
    )
    public_notice_passed = (
        flow.If(this.is_approved)
        .Annotation(title=_("Notice passed?"))
        .Then(this.county_review)
        .Else(this.application, task_data=this.return_note)
    )

    # --- 4 County approval (县审定): poverty office, leading group, finance ---------
    county_review = (
        View(forms.CountyReviewForm)
        .Annotation(title=_("County review"))
        .Stage("approval", days=10)
        .Role(COUNTY_POVERTY_OFFICE, at=county)
        .ReturnsToLastHolder()
        .Next(this.county_review_passed)
    )
    county_review_passed = (
        flow.If(this.is_approved)
        .Annotation(title=_("County review passed?"))
        .Then(this.leading_group_approval)
        .Else(this.township_review, task_data=this.return_note)
    )
    leading_group_approval = (
        View(forms.LeadingGroupApprovalForm)
        .Annotation(title=_("Leading group approval"))
        .Stage("approval", days=10)
        .Role(COUNTY_LEADING_GROUP, at=county)
        .AfterComplete(paperwork.leading_group_signs_approval_reply)
        .Next(this.leading_group_approved)
    )
    leading_group_approved = (
        flow.If(this.is_approved)
        .Annotation(title=_("Approved?"))
        .Then(this.funds_issue)
        .Else(this.county_review, task_data=this.return_note)
    )
    funds_issue = (
        View(forms.FundsIssueForm)
        .Annotation(title=_("Issue funds"))
        .Stage("approval", days=10)
        .Role(COUNTY_FINANCE_BUREAU, at=county)
        .AfterComplete(ledger.funds_allocated)
        .Next(this.agreements_by_mode)
    )

    # --- 5 Agreements (委托协议): with households, or with the operator ----------------
    agreements_by_mode = (
        flow.If(this.is_direct_subsidy)
        .Annotation(title=_("Direct subsidy?"))
        .Then(this.subsidy_agreements)
        .Else(this.entrustment_agreement)
    )
    subsidy_agreements = (
        View(forms.SubsidyAgreementsForm)
        .Annotation(title=_("Direct-subsidy agreements"))
        .Stage("agreements", days=10)
        .Role(TOWNSHIP_WORK_STATION, at=township)
        .AfterComplete(paperwork.township_signs_subsidy_agreements)
        .Next(this.progress_report)
    )
    entrustment_agreement = (
        View(forms.EntrustmentAgreementForm)
        .Annotation(title=_("Entrustment agreement"))
        .Stage("agreements", days=10)
        .Role(TOWNSHIP_LEAD, at=township)
        .AfterComplete(paperwork.township_signs_entrustment)
        .Next(this.benefit_linkage_agreements)
    )
    benefit_linkage_agreements = (
        View(forms.BenefitLinkageForm)
        .Annotation(title=_("Benefit-linkage agreements"))
        .Stage("agreements", days=10)
        .Operator(of=lambda process: process.project.operator)
        .AfterComplete(paperwork.operator_signs_linkage_agreements)
        .Next(this.progress_report)
    )

    # --- 6 Implementation (实施): reports until complete, each inspected ------------
    progress_report = (
        View(forms.ProgressReportForm)
        .Annotation(title=_("Progress report"))
        .Stage("implementation", days=22, remind_before=3)  # about one report a month
        .HeldBy(operator_or_village)
        .ReturnsToLastHolder()
        .Next(this.township_supervision)
    )
    township_supervision = (
        View(forms.SupervisionForm)
        .Annotation(title=_("Township supervision"))
        .Stage("implementation", days=5)
        .Role(TOWNSHIP_WORK_STATION, at=township)
        .Next(this.report_accepted)
    )
    report_accepted = (
        flow.If(this.is_approved)
        .Annotation(title=_("Report accepted?"))
        .Then(this.construction_complete)
        .Else(this.progress_report, task_data=this.return_note)
    )
    construction_complete = (
        flow.If(this.is_construction_complete)
        .Annotation(title=_("Construction complete?"))
        .Then(this.village_self_check)
        .Else(this.progress_report)
    )

    # --- 7 Acceptance (验收): village, township, county ------------------------------
    village_self_check = (
        View(forms.SelfCheckForm)
        .Annotation(title=_("Village self-check"))
        .Stage("acceptance", days=10)
        .Role(VILLAGE_SECRETARY, at=village)
        .ReturnsToLastHolder()
        .Next(this.township_acceptance)
    )
    township_acceptance = (
        View(forms.TownshipAcceptanceForm)
        .Annotation(title=_("Township preliminary acceptance"))
        .Stage("acceptance", days=10)
        .Role(TOWNSHIP_WORK_STATION, at=township)
        .ReturnsToLastHolder()
        .Next(this.township_accepted)
    )
    township_accepted = (
        flow.If(this.is_approved)
        .Annotation(title=_("Township accepted?"))
        .Then(this.county_acceptance)
        .Else(this.village_self_check, task_data=this.return_note)
    )
    county_acceptance = (
        View(forms.CountyAcceptanceForm)
        .Annotation(title=_("County acceptance"))
        .Stage("acceptance", days=15)
        .Role(COUNTY_POVERTY_OFFICE, at=county)
        .Countersign(
            forms.ACCEPTANCE_PANEL_SEATS, members=forms.ACCEPTANCE_PANEL_MEMBERS
        )  # 会签: all must agree; any may reject
        .AfterComplete(paperwork.county_signs_acceptance_report)
        .Next(this.county_accepted)
    )
    county_accepted = (
        flow.If(this.is_approved)
        .Annotation(title=_("County accepted?"))
        .Then(this.reimbursement)
        .Else(this.township_acceptance, task_data=this.return_note)
    )

    # --- 8 Reimbursement (报账): township submits, county signs and pays ------------
    reimbursement = (
        View(forms.ReimbursementForm)
        .Annotation(title=_("Reimbursement claim"))
        .Stage("reimbursement", days=10)
        .Role(TOWNSHIP_FINANCE_OFFICE, at=township)
        .ReturnsToLastHolder()
        .AfterComplete(paperwork.township_submits_reimbursement)
        .Next(this.reimbursement_poverty_review)
    )
    reimbursement_poverty_review = (
        View(forms.ReimbursementReviewForm)
        .Annotation(title=_("Poverty office sign-off"))
        .Stage("reimbursement", days=5, remind_before=1)
        .Role(COUNTY_POVERTY_OFFICE, at=county)
        .AfterComplete(paperwork.poverty_office_signs_reimbursement)
        .Next(this.poverty_office_signed)
    )
    poverty_office_signed = (
        flow.If(this.is_approved)
        .Annotation(title=_("Poverty office signed?"))
        .Then(this.reimbursement_finance_review)
        .Else(this.reimbursement, task_data=this.return_note)
    )
    reimbursement_finance_review = (
        View(forms.ReimbursementReviewForm)
        .Annotation(title=_("Finance bureau sign-off"))
        .Stage("reimbursement", days=5, remind_before=1)
        .Role(COUNTY_FINANCE_BUREAU, at=county)
        .AfterComplete(paperwork.finance_bureau_signs_reimbursement)
        .Next(this.finance_signed)
    )
    finance_signed = (
        flow.If(this.is_approved)
        .Annotation(title=_("Finance bureau signed?"))
        .Then(this.payment)
        .Else(this.reimbursement, task_data=this.return_note)
    )
    payment = (
        View(forms.PaymentForm)
        .Annotation(title=_("Payment"))
        .Stage("reimbursement", days=5, remind_before=1, escalate_after=5)
        .Role(COUNTY_FINANCE_BUREAU, at=county)
        .AfterComplete(ledger.payment_recorded)
        .Next(this.maintenance_report)
    )

    # --- 9 Post-maintenance (后续管护): a report a year until the term ends ---------
    maintenance_report = (
        View(forms.MaintenanceReportForm)
        .Annotation(title=_("Yearly maintenance report"))
        .Stage("maintenance", days=250, remind_before=20, escalate_after=20)  # a report a year
        .HeldBy(operator_or_village)
        .ReturnsToLastHolder()
        .Next(this.maintenance_review)
    )
    maintenance_review = (
        View(forms.MaintenanceReviewForm)
        .Annotation(title=_("Maintenance review"))
        .Stage("maintenance", days=10)
        .Role(TOWNSHIP_WORK_STATION, at=township)
        .Next(this.maintenance_report_accepted)
    )
    maintenance_report_accepted = (
        flow.If(this.is_approved)
        .Annotation(title=_("Report accepted?"))
        .Then(this.pays_dividends)
        .Else(this.maintenance_report, task_data=this.return_note)
    )
    pays_dividends = (
        flow.If(this.is_dividend_project)
        .Annotation(title=_("Dividends due?"))
        .Then(this.dividend_notice)
        .Else(this.term_complete)
    )

    # Dividends: the village publishes the year's list (公示), the operator pays.
    dividend_notice = (
        View(forms.DividendNoticeForm)
        .Annotation(title=_("Dividend list public notice"))
        .Stage("maintenance", days=10, remind_before=2)  # the dividend list is posted ≥ 7 days
        .Role(VILLAGE_SECRETARY, at=village)
        .AfterComplete(paperwork.village_posts_dividend_notice)
        .Next(this.dividend_notice_passed)
    )
    dividend_notice_passed = (
        flow.If(this.is_approved)
        .Annotation(title=_("Notice passed?"))
        .Then(this.dividend_payout)
        .Else(this.maintenance_report, task_data=this.return_note)
    )
    dividend_payout = (
        View(forms.DividendPayoutForm)
        .Annotation(title=_("Dividend payout"))
        .Stage("maintenance", days=22, remind_before=3)  # paid within the month after the notice
        .Operator(of=lambda process: process.project.operator)
        .Next(this.term_complete)
    )
    term_complete = (
        flow.If(this.is_term_complete)
        .Annotation(title=_("Term complete?"))
        .Then(this.agreement_to_settle)
        .Else(this.maintenance_report)
    )

    # --- 10 Term end (期满): renew by a new agreement, or terminate and return the principal
    agreement_to_settle = (
        flow.If(this.is_dividend_project)
        .Annotation(title=_("Agreement to settle?"))
        .Then(this.term_end)
        .Else(this.end)
    )
    term_end = (
        View(forms.TermEndForm)
        .Annotation(title=_("Renew or terminate"))
        .Stage("maintenance", days=20)
        .Role(TOWNSHIP_LEAD, at=township)
        .AfterComplete(paperwork.township_signs_renewal)
        .Next(this.renewed)
    )
    renewed = (
        flow.If(this.is_renewed)
        .Annotation(title=_("Renewed?"))
        .Then(this.renewal_countersign)
        .Else(this.principal_return)
    )
    renewal_countersign = (
        View(forms.BenefitLinkageForm)
        .Annotation(title=_("Renewed agreements countersigned"))
        .Stage("maintenance", days=10)
        .Operator(of=lambda process: process.project.operator)
        .AfterComplete(paperwork.operator_signs_linkage_agreements)
        .Next(this.maintenance_report)
    )
    principal_return = (
        View(forms.PrincipalReturnForm)
        .Annotation(title=_("Principal returned to the village collective"))
        .Stage("maintenance", days=22, remind_before=3)
        .Role(VILLAGE_SECRETARY, at=village)
        .AfterComplete(ledger.principal_returned)
        .Next(this.end)
    )
    end = flow.End().Annotation(title=_("Finished"))

    # --- Branch questions -----------------------------------------------------------
    def is_approved(self, activation):
        return activation.process.is_approved()

    def is_direct_subsidy(self, activation):
        return activation.process.is_direct_subsidy()

    def is_construction_complete(self, activation):
        return activation.process.is_construction_complete()

    def is_term_complete(self, activation):
        return activation.process.is_term_complete()

    def is_dividend_project(self, activation):
        return activation.process.pays_dividends()

    def is_renewed(self, activation):
        return activation.process.is_renewed()

    def return_note(self, activation):
        return {"returned": activation.process.return_note()}

    # --- Jurisdiction ---------------------------------------------------------------
    def visible_subjects(self, user):
        return Project.objects.visible_to(user)

    def conflicted_users(self, process):
        """The operator's staff may not judge their own project (the county acceptance
        panel, DOMAIN.md §3 stage 7: bureau, finance, discipline, audit, experts)."""
        operator = process.project.operator
        if operator is None:
            return super().conflicted_users(process)
        return acts_for(operator)
