"""The per-household direct-subsidy cap, held under concurrent approvals.

Seed: "户均累计不超过2万元" — at most ¥20,000 of direct subsidies per household across every
project and year. Approval is the moment a subsidy becomes a commitment, so the leading
group's approval locks the project's households (in primary-key order, so two approvals
never deadlock) and counts what other *approved* projects already give each of them. A
second approval of the same household waits for the first to commit, then sees it.
"""

from decimal import Decimal

from django.db.models import Sum

from .models import Beneficiary, Household, ImplementationMode
from .rules import direct_subsidy


def approved_elsewhere(household, project) -> Decimal:
    total = (
        Beneficiary.objects.filter(
            household=household,
            project__mode=ImplementationMode.DIRECT_SUBSIDY,
            project__approved_on__isnull=False,
        )
        .exclude(project=project)
        .aggregate(total=Sum("subsidy"))["total"]
    )
    return total or Decimal("0.00")


def approved_elsewhere_by_household(households, project) -> dict:
    """``approved_elsewhere`` for many households in one query: {household pk: yuan}."""
    totals = (
        Beneficiary.objects.filter(
            household__in=households,
            project__mode=ImplementationMode.DIRECT_SUBSIDY,
            project__approved_on__isnull=False,
        )
        .exclude(project=project)
        .values("household")
        .annotate(total=Sum("subsidy"))
        .order_by()
    )
    return {row["household"]: row["total"] for row in totals}


def lock_and_check_caps(project) -> None:
    """Raise RuleViolation when approving ``project`` would take a household over the cap.
    Call inside the approving transaction."""
    if not project.is_direct_subsidy:
        return
    own = dict(project.beneficiaries.values_list("household_id", "subsidy"))
    for household in Household.objects.select_for_update().filter(pk__in=own).order_by("pk"):
        direct_subsidy.check_household_cap(
            household.head_name, approved_elsewhere(household, project), own[household.pk]
        )
