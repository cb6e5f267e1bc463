"""Stage 8: the agreements are signed (签订三类协议, seed: 乡镇与贫困户签 / 合作社与贫困户签)."""

from .. import dividends
from ..models import Agreement
from . import stage_act


@stage_act
def sign_subsidy_agreements(actor, project, signed_on, term_years):
    """直补协议: every household on the roster signs its rolling-development agreement."""
    before = {"term_years": project.term_years}
    project.term_years = term_years
    project.save(update_fields=["term_years"])
    count = project.beneficiaries.update(agreement_signed_on=signed_on)
    return before, {
        "term_years": project.term_years,
        "signed_on": signed_on.isoformat(),
        "households": count,
    }


@stage_act
def sign_entrustment(actor, project, agreement) -> dict:
    """委托协议: the agreement as edited is saved, the project takes its term, and its
    dividend years are scheduled."""
    agreement.save()
    if project.term_years != agreement.term_years:
        project.term_years = agreement.term_years
        project.save(update_fields=["term_years"])
    years = dividends.schedule(agreement)
    return {"dividend_years": [y.year for y in years]}


@stage_act
def sign_benefit_linkage(actor, project, signed_on):
    """利益联结协议: the operator and every household on the roster sign."""
    Agreement.objects.filter(pk=project.agreement.pk).update(benefit_linkage_signed_on=signed_on)
    count = project.beneficiaries.update(agreement_signed_on=signed_on)
    return {}, {"benefit_linkage_signed_on": signed_on.isoformat(), "households": count}
