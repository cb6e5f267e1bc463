"""Stages 1–2: the planning meeting starts a project; the application names its households."""

from decimal import Decimal

from ground.audit import jsonable

from ..models import Beneficiary
from ..rules.dividends import share_equally
from . import stage_act


@stage_act
def start_project(actor, process, project):
    """项目谋划宣传会议: the village's meeting chose a candidate project; the process follows it."""
    project.created_by = actor
    project.save()
    process.project = project
    return {}, jsonable({"project": project.pk, "name": project.name, "mode": project.mode})


def subsidy_shares(project, count: int) -> list[Decimal] | None:
    """A direct-subsidy project's funds in equal shares over its roster; None otherwise."""
    if not project.is_direct_subsidy:
        return None
    return share_equally(project.funds_amount, count)


@stage_act
def submit_application(actor, project, households) -> dict:
    """申报: the plan as edited and the roster chosen; beneficiaries left off are removed."""
    project.save()
    chosen = list(households)
    project.beneficiaries.exclude(household__in=chosen).delete()
    shares = subsidy_shares(project, len(chosen))
    for index, household in enumerate(chosen):
        Beneficiary.objects.update_or_create(
            project=project,
            household=household,
            defaults={"subsidy": shares[index] if shares else Decimal("0.00")},
        )
    return {"households": sorted(h.pk for h in chosen)}
