"""Benefit-linkage rules for guaranteed-dividend and equity-dividend projects."""

from decimal import Decimal

from django.utils.translation import gettext as _

from . import RuleViolation

MIN_GUARANTEED_RATE = Decimal("5.00")  # percent of invested poverty funds, year 1
MIN_HOUSEHOLD_SHARE = Decimal("70.00")  # percent of returns on quantified equity


def dividend_schedule(
    first_year_rate: Decimal, yearly_increase: Decimal, years: int
) -> list[Decimal]:
    """The guaranteed dividend rate (%) for each agreement year."""
    return [first_year_rate + yearly_increase * year for year in range(years)]


def check_guaranteed_dividend(first_year_rate: Decimal, yearly_increase: Decimal) -> None:
    """Seed: "保底分红比例不低于入股扶贫资金的5%并逐年递增" — at least 5 % of the invested
    poverty funds in year 1, rising every year."""
    check_first_year_rate(first_year_rate)
    check_yearly_increase(yearly_increase)


def check_first_year_rate(first_year_rate: Decimal) -> None:
    """Seed: the guaranteed dividend is "不低于入股扶贫资金的5%" in the first year."""
    if first_year_rate is None or first_year_rate < MIN_GUARANTEED_RATE:
        raise RuleViolation(
            _(
                "The guaranteed dividend must be at least %(min)s%% of the invested poverty funds in the first year."
            )
            % {"min": MIN_GUARANTEED_RATE}
        )


def check_yearly_increase(yearly_increase: Decimal) -> None:
    """Seed: the guaranteed dividend rises "逐年递增" — strictly, every year."""
    if yearly_increase is None or yearly_increase <= 0:
        raise RuleViolation(
            _(
                "The guaranteed dividend must rise every year: the yearly increase must be above zero."
            )
        )


def check_collateral(collateral_value: Decimal, invested: Decimal) -> None:
    """Seed: the operator pledges funds or fixed assets "不低于投入资金" — at least the invested amount."""
    if collateral_value is None or collateral_value < invested:
        raise RuleViolation(
            _(
                "The operator's collateral (¥%(got)s) must be at least the invested poverty funds (¥%(need)s)."
            )
            % {"got": f"{collateral_value or 0:,.2f}", "need": f"{invested:,.2f}"}
        )


def check_household_share(share_percent: Decimal) -> None:
    """Seed: "享受分红的比例不低于量化入股扶贫资金收益的70%" — households get at least 70 % of the
    returns on the quantified equity."""
    if share_percent is None or share_percent < MIN_HOUSEHOLD_SHARE:
        raise RuleViolation(
            _("Households must receive at least %(min)s%% of the returns on the quantified equity.")
            % {"min": MIN_HOUSEHOLD_SHARE}
        )


def check_manager_named(manager_name: str) -> None:
    """Seed: "项目实施单位应全程委派管理人员参与项目经营管理" — the implementing unit sends a manager."""
    if not (manager_name or "").strip():
        raise RuleViolation(
            _(
                "Name the manager the implementing unit sends to the operator (equity-dividend rule)."
            )
        )
