"""The contract-model rules (DOMAIN.md §4, seeds 1–2), each boundary from both sides:
just inside is accepted, just outside is refused with a message naming the rule.

The plain functions of ``processes.rules``; test_rules_http.py meets the same rules where
officials do: the step whose form enters the value, over HTTP, refusing the post and saving nothing.
"""

import datetime
import random
from decimal import Decimal
from itertools import pairwise

import pytest
from django.utils import translation

from processes.rules import RuleViolation
from processes.rules.benefit_linkage import (
    check_collateral,
    check_guaranteed_dividend,
    check_household_share,
    check_manager_named,
    dividend_schedule,
)
from processes.rules.direct_subsidy import HOUSEHOLD_CAP, check_household_cap
from processes.rules.funds import check_claim, check_funds_issued, check_reclaim
from processes.rules.income_split import (
    COLLECTIVE_PERCENT,
    FUND_PERCENT,
    HOUSEHOLDS_PERCENT,
    split_income,
)
from processes.rules.operators import (
    check_operator_for_mode,
    check_operator_township,
    check_reassignment,
)
from processes.rules.periods import check_notice_period
from processes.rules.terms import check_term

D = Decimal
FEN = D("0.01")


def message(error: RuleViolation) -> str:
    (text,) = error.messages
    return text


def refused(check, *args, language="en") -> str:
    """The message ``check(*args)`` refuses with, in ``language``."""
    with translation.override(language), pytest.raises(RuleViolation) as caught:
        check(*args)
    return message(caught.value)


# --- term: at least 3 years -----------------------------------------------------------


@pytest.mark.parametrize("years", [3, 4, 30])
def test_a_term_of_three_years_or_more_is_accepted(years):
    check_term(years)


@pytest.mark.parametrize("years", [2, 0, None])
def test_a_term_under_three_years_is_refused(years):
    text = refused(check_term, years)
    assert "at least 3 years" in text
    assert f"{years} was entered" in text


def test_the_term_rule_speaks_chinese_to_officials():
    assert refused(check_term, 2, language="zh-hans") == (
        "协议期限不得少于3年（契约化管理要求），当前填写为2。"
    )


# --- guaranteed dividend: at least 5 % in year 1, rising every year ---------------------


@pytest.mark.parametrize(
    ("rate", "increase"), [("5.00", "0.01"), ("5.01", "0.01"), ("8.00", "1.00")]
)
def test_a_guaranteed_dividend_from_five_percent_rising_is_accepted(rate, increase):
    check_guaranteed_dividend(D(rate), D(increase))


@pytest.mark.parametrize("rate", ["4.99", "0.00", None])
def test_a_first_year_dividend_under_five_percent_is_refused(rate):
    text = refused(check_guaranteed_dividend, None if rate is None else D(rate), D("0.50"))
    assert "at least 5.00%" in text
    assert "first year" in text


@pytest.mark.parametrize("increase", ["0.00", "-0.01", "-1.00", None])
def test_a_guaranteed_dividend_that_does_not_rise_is_refused(increase):
    text = refused(check_guaranteed_dividend, D("5.00"), None if increase is None else D(increase))
    assert "rise every year" in text


def test_the_guaranteed_dividend_rules_speak_chinese_to_officials():
    assert refused(check_guaranteed_dividend, D("4.99"), D("0.50"), language="zh-hans") == (
        "首年保底分红不得低于入股扶贫资金的5.00%。"
    )
    assert refused(check_guaranteed_dividend, D("5.00"), D("0.00"), language="zh-hans") == (
        "保底分红须逐年递增：每年递增幅度须大于零。"
    )


@pytest.mark.parametrize(
    ("rate", "increase", "expected"),
    [
        ("5.00", "0.50", ["5.00", "5.50", "6.00"]),
        ("5.00", "0.01", ["5.00", "5.01", "5.02"]),
        ("6.25", "1.25", ["6.25", "7.50", "8.75"]),
    ],
)
def test_the_dividend_schedule_rises_strictly_over_three_years(rate, increase, expected):
    schedule = dividend_schedule(D(rate), D(increase), 3)
    assert schedule == [D(x) for x in expected]
    assert all(earlier < later for earlier, later in pairwise(schedule))
    assert schedule[0] == D(rate)  # year 1 is the first-year rate itself


# --- collateral: at least the invested funds -------------------------------------------


@pytest.mark.parametrize("collateral", ["500000.00", "500000.01", "800000.00"])
def test_collateral_of_at_least_the_invested_funds_is_accepted(collateral):
    check_collateral(D(collateral), D("500000.00"))


@pytest.mark.parametrize("collateral", ["499999.99", "0.00", None])
def test_collateral_below_the_invested_funds_is_refused(collateral):
    text = refused(check_collateral, None if collateral is None else D(collateral), D("500000.00"))
    assert "collateral" in text
    assert "at least the invested poverty funds (¥500,000.00)" in text


def test_the_collateral_rule_speaks_chinese_to_officials():
    assert refused(check_collateral, D("499999.99"), D("500000.00"), language="zh-hans") == (
        "经营主体的抵押担保（¥499,999.99）不得低于投入的扶贫资金（¥500,000.00）。"
    )


# --- equity dividend: households' share at least 70 %, a manager sent ------------------


@pytest.mark.parametrize("share", ["70.00", "70.01", "100.00"])
def test_a_households_share_of_seventy_percent_or_more_is_accepted(share):
    check_household_share(D(share))


@pytest.mark.parametrize("share", ["69.99", "0.00", None])
def test_a_households_share_under_seventy_percent_is_refused(share):
    text = refused(check_household_share, None if share is None else D(share))
    assert "at least 70.00%" in text
    assert "returns on the quantified equity" in text


def test_the_household_share_rule_speaks_chinese_to_officials():
    assert refused(check_household_share, D("69.99"), language="zh-hans") == (
        "农户享受分红的比例不得低于量化入股扶贫资金收益的70.00%。"
    )


@pytest.mark.parametrize("name", ["王建国", " 王建国 ", "Li"])
def test_a_named_manager_is_accepted(name):
    check_manager_named(name)


@pytest.mark.parametrize("name", ["", "   ", "\u3000", "\t\n", None])
def test_no_manager_named_is_refused(name):
    assert "manager" in refused(check_manager_named, name)


def test_the_manager_rule_speaks_chinese_to_officials():
    assert refused(check_manager_named, " ", language="zh-hans") == (
        "请填写实施单位委派到经营主体的管理人员（入股分红要求）。"
    )


# --- direct subsidy: at most ¥20,000 per household, across every project ---------------


def test_the_household_cap_is_twenty_thousand_yuan():
    assert D("20000.00") == HOUSEHOLD_CAP


@pytest.mark.parametrize(
    ("already", "new"),
    [
        ("0.00", "20000.00"),  # all of it from this project
        ("0.00", "0.01"),
        ("5000.00", "15000.00"),  # the rest of the cap from this project
        ("19999.99", "0.01"),
    ],
)
def test_a_cumulative_subsidy_up_to_the_cap_is_accepted(already, new):
    check_household_cap("张三", D(already), D(new))


@pytest.mark.parametrize(
    ("already", "new", "total"),
    [
        ("0.00", "20000.01", "20,000.01"),
        ("5000.00", "15000.01", "20,000.01"),
        ("19999.99", "0.02", "20,000.01"),
        ("20000.00", "0.01", "20,000.01"),
        ("20000.00", "3000.00", "23,000.00"),
    ],
)
def test_a_cumulative_subsidy_over_the_cap_is_refused(already, new, total):
    text = refused(check_household_cap, "张三", D(already), D(new))
    assert text.startswith("张三 would receive")
    assert f"¥{total} in direct subsidies in all" in text
    assert "above the ¥20,000.00 cap per household" in text
    assert f"¥{D(already):,.2f} already granted by other projects" in text


@pytest.mark.parametrize("new", ["0.00", "-0.01", "-100.00"])
def test_a_subsidy_of_zero_or_less_is_refused(new):
    assert refused(check_household_cap, "张三", D("0.00"), D(new)) == (
        "The subsidy for 张三 must be above zero."
    )


def test_the_household_cap_speaks_chinese_to_officials():
    assert refused(check_household_cap, "张三", D("19999.99"), D("0.02"), language="zh-hans") == (
        "张三累计直补金额将达¥20,000.01，超过每户¥20,000.00的上限（其他项目已补助¥19,999.99）。"
    )
    assert refused(check_household_cap, "张三", D("0.00"), D("0.00"), language="zh-hans") == (
        "张三的补助金额须大于零。"
    )


# --- the 721 split of income -----------------------------------------------------------


def expected_split(total: Decimal) -> tuple[Decimal, Decimal, Decimal]:
    """The split by integer arithmetic on fen: 20 % and 10 % rounded down, the rest to
    households."""
    fen = int(total * 100)
    collective, fund = fen * 20 // 100, fen * 10 // 100
    return (D(fen - collective - fund) / 100, D(collective) / 100, D(fund) / 100)


def assert_sound_split(total: Decimal) -> None:
    split = split_income(total)
    parts = (split.households, split.collective, split.fund)
    assert sum(parts) == total, total
    for part in parts:
        assert part == part.quantize(FEN), (total, part)
        assert part.as_tuple().exponent == -2, (total, part)
        assert part >= 0, (total, part)
    assert parts == expected_split(total), total
    # Rounding never costs the households: at least 70 %, and at most two fen above it.
    seventy = total * D("0.7")
    assert seventy <= split.households < seventy + 2 * FEN, total


@pytest.mark.parametrize(
    ("total", "households", "collective", "fund"),
    [
        ("0.00", "0.00", "0.00", "0.00"),
        ("0.01", "0.01", "0.00", "0.00"),
        ("0.10", "0.07", "0.02", "0.01"),
        ("1.00", "0.70", "0.20", "0.10"),
        ("100.01", "70.01", "20.00", "10.00"),
        ("1234567.89", "864197.54", "246913.57", "123456.78"),
        ("120000.00", "84000.00", "24000.00", "12000.00"),
    ],
)
def test_the_721_split_of_awkward_amounts(total, households, collective, fund):
    split = split_income(D(total))
    assert (split.households, split.collective, split.fund) == (
        D(households),
        D(collective),
        D(fund),
    )
    assert_sound_split(D(total))


def test_the_721_split_of_every_fen_up_to_ten_yuan():
    for fen in range(0, 1001):
        assert_sound_split(D(fen) / 100)


def test_the_721_split_of_random_amounts():
    rng = random.Random(721)
    for _ in range(3000):
        assert_sound_split(D(rng.randrange(0, 10**11)) / 100)  # up to ¥1,000,000,000.00


@pytest.mark.parametrize("total", ["-0.01", "-100.00"])
def test_negative_income_is_refused(total):
    assert refused(split_income, D(total)) == "Income must not be negative."
    assert refused(split_income, D(total), language="zh-hans") == "收入不能为负数。"


def test_the_721_percentages_are_the_ones_the_split_applies():
    assert (HOUSEHOLDS_PERCENT, COLLECTIVE_PERCENT, FUND_PERCENT) == (D("70"), D("20"), D("10"))
    split = split_income(D("100.00"))
    assert (split.households, split.collective, split.fund) == (
        HOUSEHOLDS_PERCENT,
        COLLECTIVE_PERCENT,
        FUND_PERCENT,
    )


# --- money at each step: issued, claimed, reclaimed ------------------------------------


@pytest.mark.parametrize("amount", ["0.01", "100000.00"])
def test_funds_issued_up_to_the_approved_amount_are_accepted(amount):
    check_funds_issued(D(amount), D("100000.00"))


@pytest.mark.parametrize("amount", ["0.00", "-1.00", "100000.01"])
def test_funds_issued_of_nothing_or_above_the_approved_amount_are_refused(amount):
    assert refused(check_funds_issued, D(amount), D("100000.00")) == (
        "Funds issued must be above zero and at most the approved ¥100,000.00."
    )


@pytest.mark.parametrize("amount", ["0.01", "80000.00"])
def test_a_claim_up_to_the_funds_issued_is_accepted(amount):
    check_claim(D(amount), D("80000.00"))


@pytest.mark.parametrize("amount", ["0.00", "80000.01"])
def test_a_claim_of_nothing_or_above_the_funds_issued_is_refused(amount):
    assert refused(check_claim, D(amount), D("80000.00")) == (
        "The amount claimed must be above zero and at most the ¥80,000.00 issued."
    )


def test_a_reclaim_up_to_what_is_left_is_accepted_and_beyond_it_refused():
    check_reclaim(D("500.00"), D("500.00"))
    assert refused(check_reclaim, D("0.00"), D("500.00")) == (
        "The amount reclaimed must be more than zero."
    )
    assert refused(check_reclaim, D("500.01"), D("500.00")) == (
        "At most ¥500.00 can be reclaimed: the funds allocated less those reclaimed."
    )


# --- who runs the project ---------------------------------------------------------------


def test_a_dividend_project_needs_an_operator_and_a_direct_subsidy_has_none():
    check_operator_for_mode(is_direct_subsidy=False, has_operator=True)
    check_operator_for_mode(is_direct_subsidy=True, has_operator=False)
    assert refused(check_operator_for_mode, False, False) == (
        "A dividend project needs the operator that will run it."
    )
    assert refused(check_operator_for_mode, True, True) == (
        "A direct-subsidy project has no operator: funds go to households."
    )


def test_the_operator_comes_from_the_villages_own_township():
    check_operator_township(7, 7)
    assert refused(check_operator_township, 7, 8) == (
        "Choose an operator of the village's own township."
    )


def test_a_project_is_reassigned_only_to_another_operator_of_its_township():
    check_reassignment(1, 2, 7, 7)
    assert refused(check_reassignment, None, 2, 7, 7) == (
        "A direct-subsidy project has no operator to replace."
    )
    assert refused(check_reassignment, 1, 2, 8, 7) == (
        "Choose another operator of the project's township."
    )
    assert refused(check_reassignment, 1, None, None, 7) == (
        "Choose another operator of the project's township."
    )
    assert refused(check_reassignment, 1, 1, 7, 7) == "The project is already run by this operator."


# --- the public notice runs its minimum and has ended -----------------------------------


def test_a_notice_of_the_minimum_days_that_has_ended_is_accepted():
    start = datetime.date(2025, 3, 1)
    assert check_notice_period(start, datetime.date(2025, 3, 7), 7, datetime.date(2025, 3, 7)) == []


def test_a_notice_too_short_or_still_running_is_refused_on_both_counts():
    start, end = datetime.date(2025, 3, 1), datetime.date(2025, 3, 6)
    with translation.override("en"):
        errors = check_notice_period(start, end, 7, datetime.date(2025, 3, 5))
    assert [message(error) for error in errors] == [
        "The public notice must run at least 7 days (2025-03-01 to 2025-03-06 is too short).",
        "The notice period has not ended yet.",
    ]
    with translation.override("zh-hans"):
        errors = check_notice_period(start, end, 7, datetime.date(2025, 3, 5))
    assert [message(error) for error in errors] == [
        "公示期不得少于7天（2025-03-01至2025-03-06，时间不足）。",
        "公示期尚未结束。",
    ]


# --- plausible dates, attendees and terms (issue 16: year 1, 9999 and 0 attendees were accepted)


def test_a_date_is_plausible_from_2013_until_today():
    import datetime

    from processes.rules.periods import check_plausible_date

    today = datetime.date(2026, 12, 1)
    check_plausible_date(datetime.date(2013, 1, 1), today)
    check_plausible_date(today, today)
    for day in (datetime.date(2012, 12, 31), datetime.date(1, 1, 1), datetime.date(2026, 12, 2)):
        with pytest.raises(RuleViolation):
            check_plausible_date(day, today)


def test_an_agreement_may_start_up_to_a_year_ahead_but_no_later():
    import datetime

    from processes.rules.periods import check_plausible_date

    today = datetime.date(2026, 12, 1)
    check_plausible_date(today + datetime.timedelta(days=366), today, ahead_days=366)
    with pytest.raises(RuleViolation, match="2027-12-03"):
        check_plausible_date(datetime.date(9999, 12, 31), today, ahead_days=367)


def test_a_planning_meeting_has_between_one_and_five_thousand_attendees():
    from processes.rules.periods import check_attendees

    check_attendees(1)
    check_attendees(5000)
    for count in (0, -1, 5001):
        with pytest.raises(RuleViolation):
            check_attendees(count)


def test_an_agreement_runs_at_most_thirty_years():
    check_term(30)
    with pytest.raises(RuleViolation):
        check_term(31)
