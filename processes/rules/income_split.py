"""The "721" split of income from poverty-fund assets (seed 2)."""

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.utils.translation import gettext as _

from . import RuleViolation

FEN = Decimal("0.01")


@dataclass(frozen=True)
class IncomeSplit:
    households: Decimal  # 70 %: dividends to poor households
    collective: Decimal  # 20 %: village collective income
    fund: Decimal  # 10 %: village management and development fund


def split_income(total: Decimal) -> IncomeSplit:
    """Seed 2: "70%用于贫困户分红，20%作为村集体收入，10%作为村管理发展基金".

    Each part is rounded down to the fen; the remainder (at most two fen) goes to the
    households' part, so the parts always sum to the total and households never lose
    to rounding.
    """
    if total is None or total < 0:
        raise RuleViolation(_("Income must not be negative."))
    total = Decimal(total).quantize(FEN)
    collective = (total * Decimal("0.2")).quantize(FEN, rounding=ROUND_DOWN)
    fund = (total * Decimal("0.1")).quantize(FEN, rounding=ROUND_DOWN)
    return IncomeSplit(households=total - collective - fund, collective=collective, fund=fund)
