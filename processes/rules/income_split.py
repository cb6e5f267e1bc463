"""The "721" split of income from poverty-fund assets (seed 2), and its equity variant.

The percentages are public so the papers print the clause from them, never from a literal.
"""

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.utils.translation import gettext as _

from . import RuleViolation
from .benefit_linkage import check_household_share

FEN = Decimal("0.01")

# Seed 2: "70%用于贫困户分红，20%作为村集体收入，10%作为村管理发展基金".
HOUSEHOLDS_PERCENT = Decimal("70")
COLLECTIVE_PERCENT = Decimal("20")
FUND_PERCENT = Decimal("10")
# The three, for the words that print them (papers, help texts, the asset register).
PERCENTS = {
    "households": HOUSEHOLDS_PERCENT,
    "collective": COLLECTIVE_PERCENT,
    "fund": FUND_PERCENT,
}


@dataclass(frozen=True)
class IncomeSplit:
    households: Decimal  # 70 %: dividends to poor households
    collective: Decimal  # 20 %: village collective income
    fund: Decimal  # 10 %: village management and development fund

    @property
    def total(self) -> Decimal:
        return self.households + self.collective + self.fund


def split_income(total: Decimal, household_percent: Decimal = HOUSEHOLDS_PERCENT) -> IncomeSplit:
    """Seed 2: "70%用于贫困户分红，20%作为村集体收入，10%作为村管理发展基金".

    Households get ``household_percent`` % (the seed's 70 %, or an equity agreement's larger
    share, seed: 不低于…70%); the rest goes to the village in the seed's proportion, 20 : 10,
    collective to fund. The village parts are rounded down to the fen and the remainder (at
    most two fen) is the households', so the parts always sum to the total and households
    never lose to rounding.
    """
    if total is None or total < 0:
        raise RuleViolation(_("Income must not be negative."))
    total = Decimal(total).quantize(FEN)
    household_percent = Decimal(household_percent)
    check_household_share(household_percent)
    if household_percent > 100:
        raise RuleViolation(_("A share cannot be above 100%."))
    village = (100 - household_percent) / 100
    village_parts = COLLECTIVE_PERCENT + FUND_PERCENT
    collective = (total * village * COLLECTIVE_PERCENT / village_parts).quantize(
        FEN, rounding=ROUND_DOWN
    )
    fund = (total * village * FUND_PERCENT / village_parts).quantize(FEN, rounding=ROUND_DOWN)
    return IncomeSplit(households=total - collective - fund, collective=collective, fund=fund)
