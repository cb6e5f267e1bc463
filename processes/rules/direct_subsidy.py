"""Direct-subsidy (分散直补) rules."""

from decimal import Decimal

from django.utils.translation import gettext as _

from . import RuleViolation

HOUSEHOLD_CAP = Decimal("20000.00")  # yuan, cumulative across all projects


def check_household_cap(
    household_name: str, already_granted: Decimal, new_subsidy: Decimal
) -> None:
    """Seed: "户均累计不超过2万元" — cumulative direct subsidy per household at most 20,000 yuan,
    across every project and year."""
    if new_subsidy <= 0:
        raise RuleViolation(
            _("The subsidy for %(name)s must be above zero.") % {"name": household_name}
        )
    total = already_granted + new_subsidy
    if total > HOUSEHOLD_CAP:
        raise RuleViolation(
            _(
                "%(name)s would receive ¥%(total)s in direct subsidies in all, above the ¥%(cap)s cap per "
                "household (¥%(before)s already granted by other projects)."
            )
            % {
                "name": household_name,
                "total": f"{total:,.2f}",
                "cap": f"{HOUSEHOLD_CAP:,.2f}",
                "before": f"{already_granted:,.2f}",
            }
        )
