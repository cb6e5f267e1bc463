"""Snapshots: everything a document prints, copied out of the live data in one transaction.

A document is rendered from its snapshot only, so re-producing it later (a new signature,
a failed render retried) prints exactly what the parties agreed to, whatever changed since.
Every value is a string already formatted for print: amounts in capitals and figures,
dates with Arabic numerals (GB/T 9704).
"""

import datetime
from decimal import Decimal

from django.utils import timezone, translation

from documents.formats import cn_date, money
from processes.dividends import invested
from processes.models import ImplementationMode
from processes.rules.benefit_linkage import MIN_HOUSEHOLD_SHARE, dividend_schedule
from processes.rules.direct_subsidy import HOUSEHOLD_CAP
from processes.rules.dividends import add_years, guaranteed_dividend
from processes.rules.id_numbers import mask_id_number
from processes.rules.income_split import split_income

from .parties import operator_party, region_government


def place(region) -> str:
    """A place as prose writes it: 织金县珠藏镇乐丰村."""
    return "".join(r.name for r in region.ancestors_and_self)


def person(household) -> dict:
    return {
        "name": household.head_name,
        "id_number": household.id_number,
        "village": place(household.village),
        "bank_account": household.bank_account,
        "members": household.members,
    }


def project_data(project) -> dict:
    return {
        "name": project.name,
        "industry": project.industry,
        "scale": project.scale,
        "village": place(project.village),
        "village_name": project.village.name,
        "township_name": project.township.name,
        "county_name": project.county.name,
        "mode": project.get_mode_display(),
        "mode_code": project.mode,
        "funds": money(project.funds_amount),
        "term_years": project.term_years,
        "implementation_plan": project.implementation_plan,
        "performance_targets": project.performance_targets,
        "approval_doc_no": project.approval_doc_no,
        "approved_on": cn_date(project.approved_on),
        "funds_doc_no": project.funds_doc_no,
        "funds_issued": money(project.funds_issued or 0),
        "leader": project.responsible_leader.get_full_name() if project.responsible_leader else "",
        "team": project.team,
        "policy_set": project.policy_set,
        "households": project.beneficiaries.count(),
    }


def common(project) -> dict:
    return {
        "project": project_data(project),
        "township_gov": region_government(project.township).as_dict(),
        "county_gov": region_government(project.county).as_dict(),
        "village_committee": region_government(project.village).as_dict(),
        "operator": operator_party(project.operator).as_dict() if project.operator else None,
        "date": cn_date(timezone.localdate()),
        "copies": 4,
    }


def household_share(project) -> Decimal:
    count = project.beneficiaries.count() or 1
    return (project.funds_amount / count).quantize(Decimal("0.01"))


def agreement_terms(project) -> dict:
    agreement = project.agreement
    terms = {
        "signed_on": cn_date(agreement.signed_on),
        "starts_on": cn_date(agreement.starts_on),
        "ends_on": cn_date(
            add_years(agreement.starts_on, agreement.term_years) - datetime.timedelta(days=1)
        ),
        "number": agreement.number,
        "renews": agreement.number > 1,
        "term_years": agreement.term_years,
        "guaranteed": project.mode == ImplementationMode.GUARANTEED_DIVIDEND,
        "manager_name": agreement.manager_name,
        "household_share": str(agreement.household_share or ""),
        "min_household_share": f"{MIN_HOUSEHOLD_SHARE:.0f}",
        "collateral": money(agreement.collateral_value or 0),
        "collateral_description": agreement.collateral_description,
    }
    if terms["guaranteed"]:
        rates = dividend_schedule(
            agreement.first_year_rate, agreement.yearly_increase, agreement.term_years
        )
        terms["schedule"] = [
            {
                "year": i + 1,
                "rate": f"{rate:.2f}",
                "amount": money(guaranteed_dividend(invested(project), rate)),
            }
            for i, rate in enumerate(rates)
        ]
        terms["first_year_rate"] = f"{agreement.first_year_rate:.2f}"
        terms["yearly_increase"] = f"{agreement.yearly_increase:.2f}"
    split = split_income(Decimal("100.00"))  # the 721 rule's parts, in percent, as printed
    terms["split"] = {
        "households": f"{split.households:.0f}",
        "collective": f"{split.collective:.0f}",
        "fund": f"{split.fund:.0f}",
        "check": str(split.households),
    }
    return terms


def entrustment(project) -> dict:
    return {
        **common(project),
        "terms": agreement_terms(project),
        "beneficiaries": [
            {**person(b.household), "share": money(household_share(project))}
            for b in project.beneficiaries.select_related("household__village__parent__parent")
        ],
    }


def benefit_linkage(project, household) -> dict:
    share = household_share(project)
    data = {
        **common(project),
        "terms": agreement_terms(project),
        "household": person(household),
        "share": money(share),
    }
    if data["terms"]["guaranteed"]:
        data["household_schedule"] = [
            {
                "year": row["year"],
                "rate": row["rate"],
                "amount": money(share * Decimal(row["rate"]) / 100),
            }
            for row in data["terms"]["schedule"]
        ]
    return data


def direct_subsidy(project, household) -> dict:
    beneficiary = project.beneficiaries.get(household=household)
    return {
        **common(project),
        "household": person(household),
        "subsidy": money(beneficiary.subsidy),
        "subsidy_cap": money(HOUSEHOLD_CAP),
        "term_years": project.term_years,
        "signed_on": cn_date(beneficiary.agreement_signed_on or timezone.localdate()),
    }


def approval_reply(project) -> dict:
    return common(project)


def acceptance_report(project) -> dict:
    return {
        **common(project),
        "accepted_on": cn_date(project.accepted_on),
        "records": [
            {
                "level": r.get_level_display(),
                "conclusion": r.conclusion,
                "by": r.recorded_by.get_full_name(),
                "on": cn_date(r.recorded_at),
            }
            for r in project.acceptance_records.select_related("recorded_by")
        ],
        "reports": [
            {
                "percent": r.percent_complete,
                "description": r.description,
                "on": cn_date(r.reported_at),
            }
            for r in project.progress_reports.all()
        ],
    }


def reimbursement_form(project) -> dict:
    reimbursement = project.reimbursement
    return {
        **common(project),
        "claim": money(reimbursement.amount),
        "expense_details": reimbursement.expense_details,
        "payees": [
            {**person(b.household), "subsidy": money(b.subsidy)}
            for b in project.beneficiaries.select_related("household__village__parent__parent")
        ]
        if project.is_direct_subsidy
        else [],
    }


def loan(
    household, *, union_name, union_code, representative, amount, purpose, term_months, rate
) -> dict:
    """特惠贷: credit union ↔ household; the loan is for the household's own production."""
    return {
        "union": {"name": union_name, "credit_code": union_code, "representative": representative},
        "household": person(household),
        "amount": money(amount),
        "purpose": purpose,
        "term_months": term_months,
        "rate": str(rate),
        "date": cn_date(timezone.localdate()),
        "copies": 3,
    }


# --- Notices and certificates: posted or handed over, so ID numbers are masked ---------------


def _public_addresses(project) -> dict:
    """Where a reader of a posted paper reports a problem (the public report page, 举报)."""
    from django.conf import settings

    return {"report_url": f"{settings.QIYUE_PUBLIC_URL.rstrip('/')}/report/project/{project.pk}/"}


def _posted(person_data: dict) -> dict:
    return {
        "name": person_data["name"],
        "id_masked": mask_id_number(person_data["id_number"]),
        "members": person_data["members"],
    }


def _notice_period(start, end) -> dict:
    return {"start": cn_date(start), "end": cn_date(end), "days": (end - start).days + 1}


def public_notice(project) -> dict:
    """公示: the project, its funds and its beneficiaries as the village board shows them."""
    beneficiaries = project.beneficiaries.select_related("household__village__parent__parent")
    share = household_share(project)
    return {
        **common(project),
        **_public_addresses(project),
        "notice": _notice_period(project.notice_start, project.notice_end),
        "beneficiaries": [
            {
                **_posted(person(b.household)),
                "amount": money(b.subsidy if project.is_direct_subsidy else share),
            }
            for b in beneficiaries
        ],
    }


def dividend_notice(year) -> dict:
    """分红名单公示: the year's dividend list, household by household, for its notice period."""
    project = year.project
    shares = year.shares.select_related("household__village__parent__parent").order_by("pk")
    return {
        **common(project),
        **_public_addresses(project),
        "notice": _notice_period(year.notice_start, year.notice_end),
        "dividend": {
            "year": year.year,
            "period_start": cn_date(year.period_start),
            "period_end": cn_date(year.period_end),
            "due_on": cn_date(year.due_on),
            "total": money(sum((s.amount_due for s in shares), Decimal("0.00"))),
            "households": len(shares),
        },
        "shares": [{**_posted(person(s.household)), "amount": money(s.amount_due)} for s in shares],
    }


def ownership_certificate(project, registrar) -> dict:
    """所有权证: the project's registered assets and their four rights (seed 2), issued by
    the ``registrar`` (the organisation of the official who registered them)."""
    assets = project.assets.order_by("pk")
    with translation.override("zh-hans"):
        labels = {
            a.pk: (str(a.get_owner_display()), str(a.get_operation_display())) for a in assets
        }
    return {
        **common(project),
        "registrar": registrar.as_dict(),
        "assets": [
            {
                "name": a.name,
                "value": money(a.value),
                "owner": labels[a.pk][0],
                "certificate_no": a.ownership_certificate,
                "operation": labels[a.pk][1],
                "operated_by": a.operated_by,
                "income_terms": a.income_terms,
                "supervised_by": a.supervised_by,
                "registered_on": cn_date(timezone.localtime(a.registered_at).date()),
            }
            for a in assets
        ],
        "total_value": money(sum((a.value for a in assets), Decimal("0.00"))),
    }
