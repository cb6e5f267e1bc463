"""Dividends in post-maintenance: what is owed each year, who gets which part, when it is due.

Seed (Zhijin): the guaranteed dividend is "不低于入股扶贫资金的5%并逐年递增"; in the equity mode the
households' share is "不低于量化入股扶贫资金收益的70%". The split of each year's
dividend between households and the village is seed 2's (``rules.income_split``).
Amounts are yuan to the fen; every rounding is stated where it happens.
"""

import datetime
from decimal import ROUND_DOWN, ROUND_UP, Decimal

from django.utils.translation import gettext as _

from . import RuleViolation
from .income_split import FEN

PAYOUT_GRACE_DAYS = 30  # the year's dividend is due this many days after the agreement year ends


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day ``years`` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def agreement_year(starts_on: datetime.date, index: int) -> tuple[datetime.date, datetime.date]:
    """First and last day of the agreement's ``index``-th year (1-based)."""
    start = add_years(starts_on, index - 1)
    return start, add_years(starts_on, index) - datetime.timedelta(days=1)


def payout_due(period_end: datetime.date) -> datetime.date:
    """A year's dividend is due within PAYOUT_GRACE_DAYS after the agreement year ends."""
    return period_end + datetime.timedelta(days=PAYOUT_GRACE_DAYS)


def guaranteed_dividend(invested: Decimal, rate_percent: Decimal) -> Decimal:
    """The guaranteed dividend for one year: ``rate_percent`` % of the invested poverty funds,
    rounded *up* to the fen so the guarantee is never under-paid (seed: 不低于…5%)."""
    return (Decimal(invested) * Decimal(rate_percent) / 100).quantize(FEN, rounding=ROUND_UP)


def share_equally(amount: Decimal, count: int) -> list[Decimal]:
    """Divide ``amount`` among ``count`` households with equal quantified shares: a
    year's dividend over the roster, or a direct-subsidy project's funds over its households.

    Each gets the amount divided evenly, rounded down to the fen; the fen left over (fewer
    than ``count``) go one each to the first households in roster order. The parts sum to
    the amount exactly and differ by at most one fen.
    """
    if count <= 0:
        return []
    amount = Decimal(amount).quantize(FEN)
    base = (amount / count).quantize(FEN, rounding=ROUND_DOWN)
    extra = int((amount - base * count) / FEN)
    return [base + FEN if i < extra else base for i in range(count)]


def check_renewal_rate(first_year_rate: Decimal, previous_last_rate: Decimal | None) -> None:
    """Seed: the guaranteed dividend rises "逐年递增" for as long as the cooperation runs, so a
    renewed agreement's first-year rate must be above the last rate of the agreement it renews."""
    if previous_last_rate is not None and first_year_rate <= previous_last_rate:
        raise RuleViolation(
            _(
                "The renewed agreement's first-year dividend (%(got)s%%) must be above the last year's rate of the previous agreement (%(last)s%%): the guaranteed dividend rises every year."
            )
            % {"got": f"{first_year_rate:.2f}", "last": f"{previous_last_rate:.2f}"}
        )


def check_principal_returned(returned: Decimal, principal: Decimal) -> None:
    """DOMAIN §4: on termination "the operator returns the principal to the village collective" —
    all of it, to the fen."""
    if returned != principal:
        raise RuleViolation(
            _(
                "On termination the operator returns the whole principal to the village collective: ¥%(need)s, not ¥%(got)s."
            )
            % {"need": f"{principal:,.2f}", "got": f"{returned:,.2f}"}
        )
