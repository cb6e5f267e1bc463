"""Which acts of the lifecycle issue and sign which papers (DOMAIN.md §3–§4).

Each function runs inside the act's transaction (``View.AfterComplete``): it freezes the
paper's data, records the acting official's signature for their organisation, and asks
for the PDF to be produced after commit.
"""

from django.utils import translation

from documents import production
from documents.models import DocumentKind
from permissions.roles import (
    COUNTY_FINANCE_BUREAU,
    COUNTY_LEADING_GROUP,
    COUNTY_POVERTY_OFFICE,
    TOWNSHIP_FINANCE_OFFICE,
    TOWNSHIP_LEAD,
    TOWNSHIP_WORK_STATION,
    VILLAGE_SECRETARY,
)

from .models import DividendYear
from .papers import snapshots
from .papers.numbers import paper_number
from .papers.parties import operator_party, organisation_for, region_government


def _label(role) -> str:
    with translation.override("zh-hans"):
        return str(role.label)


def _sign_one(kind, project, snapshot, actor, party, role, entry):
    edition = production.issue(kind, project, snapshot, number=paper_number(kind, project))
    production.sign(edition, actor, party, role, audit_entry=entry)
    production.produce_later(edition)
    return edition


def village_posts_public_notice(activation, actor, entry):
    """公示 passed: the village committee's notice as posted, with its dates, for the board
    and the archive."""
    project = activation.process.project
    _sign_one(
        DocumentKind.PUBLIC_NOTICE,
        project,
        snapshots.public_notice(project),
        actor,
        region_government(project.village),
        _label(VILLAGE_SECRETARY),
        entry,
    )


def village_posts_dividend_notice(activation, actor, entry):
    """分红公示 passed: the year's dividend list as posted (a new edition each year)."""
    project = activation.process.project
    year = project.dividend_years.filter(status=DividendYear.Status.PUBLISHED).latest("year")
    _sign_one(
        DocumentKind.DIVIDEND_NOTICE,
        project,
        snapshots.dividend_notice(year),
        actor,
        region_government(project.village),
        _label(VILLAGE_SECRETARY),
        entry,
    )


def registrar_issues_ownership_certificate(project, actor, entry):
    """登记资产: the registering official's organisation issues the ownership certificate of
    the project's assets (a new edition as each asset is registered)."""
    if actor.has_perm(TOWNSHIP_WORK_STATION.permission, project.township):
        registrar, role = region_government(project.township), TOWNSHIP_WORK_STATION
    else:
        registrar = organisation_for(COUNTY_POVERTY_OFFICE.code, project.county)
        role = COUNTY_POVERTY_OFFICE
    _sign_one(
        DocumentKind.OWNERSHIP_CERTIFICATE,
        project,
        snapshots.ownership_certificate(project, registrar),
        actor,
        registrar,
        _label(role),
        entry,
    )


def township_signs_entrustment(activation, actor, entry):
    project = activation.process.project
    _sign_one(
        DocumentKind.ENTRUSTMENT,
        project,
        snapshots.entrustment(project),
        actor,
        region_government(project.township),
        _label(TOWNSHIP_LEAD),
        entry,
    )


def township_signs_renewal(activation, actor, entry):
    """At term end a renewal is a new agreement: the township lead signs its entrustment
    (a new edition, with the new terms); a termination issues nothing."""
    if activation.process.is_renewed():
        township_signs_entrustment(activation, actor, entry)


def _sign_household_batch(kind, project, snapshot_of, actor, party, role, entry):
    """One agreement per household on the roster, each signed by the act, produced as a batch."""
    editions = []
    for beneficiary in project.beneficiaries.select_related("household__village__parent__parent"):
        household = beneficiary.household
        snapshot = snapshot_of(project, household)
        number = paper_number(kind, project, household)
        edition = production.issue(kind, project, snapshot, household, number=number)
        production.sign(edition, actor, party, role, audit_entry=entry)
        editions.append(edition)
    production.start_batch(project, kind, editions)


def operator_signs_linkage_agreements(activation, actor, entry):
    """The operator countersigns the entrustment and signs one agreement per household."""
    project = activation.process.project
    party = operator_party(project.operator)
    entrustment = project.documents.get(kind=DocumentKind.ENTRUSTMENT).edition
    production.sign(entrustment, actor, party, "法定代表人", audit_entry=entry)
    production.produce_later(entrustment)
    _sign_household_batch(
        DocumentKind.BENEFIT_LINKAGE,
        project,
        snapshots.benefit_linkage,
        actor,
        party,
        "法定代表人",
        entry,
    )


def township_signs_subsidy_agreements(activation, actor, entry):
    project = activation.process.project
    _sign_household_batch(
        DocumentKind.DIRECT_SUBSIDY,
        project,
        snapshots.direct_subsidy,
        actor,
        region_government(project.township),
        _label(TOWNSHIP_WORK_STATION),
        entry,
    )


def leading_group_signs_approval_reply(activation, actor, entry):
    project = activation.process.project
    _sign_one(
        DocumentKind.APPROVAL_REPLY,
        project,
        snapshots.approval_reply(project),
        actor,
        organisation_for(COUNTY_LEADING_GROUP.code, project.county),
        _label(COUNTY_LEADING_GROUP),
        entry,
    )


def county_signs_acceptance_report(activation, actor, entry):
    project = activation.process.project
    _sign_one(
        DocumentKind.ACCEPTANCE_REPORT,
        project,
        snapshots.acceptance_report(project),
        actor,
        organisation_for(COUNTY_POVERTY_OFFICE.code, project.county),
        _label(COUNTY_POVERTY_OFFICE),
        entry,
    )


def township_submits_reimbursement(activation, actor, entry):
    project = activation.process.project
    _sign_one(
        DocumentKind.REIMBURSEMENT_FORM,
        project,
        snapshots.reimbursement_form(project),
        actor,
        region_government(project.township),
        _label(TOWNSHIP_FINANCE_OFFICE),
        entry,
    )


def _countersign_reimbursement(activation, actor, entry, role):
    project = activation.process.project
    edition = project.documents.get(kind=DocumentKind.REIMBURSEMENT_FORM).edition
    production.sign(
        edition, actor, organisation_for(role.code, project.county), _label(role), audit_entry=entry
    )
    production.produce_later(edition)


def poverty_office_signs_reimbursement(activation, actor, entry):
    _countersign_reimbursement(activation, actor, entry, COUNTY_POVERTY_OFFICE)


def finance_bureau_signs_reimbursement(activation, actor, entry):
    _countersign_reimbursement(activation, actor, entry, COUNTY_FINANCE_BUREAU)
