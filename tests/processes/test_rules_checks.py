"""The checks that sat inline in forms and acts, as rules at their boundaries: the reasons
the overriding acts are answered for, the asset register's stage, a public report's words,
and dates of things done, never ahead."""

import datetime

import pytest
from django.utils import translation

from processes.rules import RuleViolation
from processes.rules.assets import check_asset_registrable
from processes.rules.periods import check_plausible_date
from processes.rules.public_reports import (
    MIN_REPORT_CHARACTERS,
    check_findings,
    check_report_content,
)
from processes.rules.reasons import (
    check_five_ones_change_reason,
    check_reassign_reason,
    check_reclaim_reason,
)

REASONS = [check_five_ones_change_reason, check_reclaim_reason, check_reassign_reason]


def refused(check, *args) -> str:
    with translation.override("zh-hans"), pytest.raises(RuleViolation) as caught:
        check(*args)
    (text,) = caught.value.messages
    return text


# --- reasons: any that is not blank ----------------------------------------------------


@pytest.mark.parametrize("check", REASONS)
def test_a_one_character_reason_is_taken_stripped(check):
    assert check(" 违 ") == "违"


@pytest.mark.parametrize("check", REASONS)
@pytest.mark.parametrize("reason", ["", "   \n", None])
def test_a_blank_reason_is_refused(check, reason):
    with pytest.raises(RuleViolation):
        check(reason)


def test_each_act_asks_for_its_own_reason_in_chinese():
    assert refused(check_five_ones_change_reason, "") == "请填写调整理由。"
    assert refused(check_reclaim_reason, "") == "请填写收回资金的理由。"
    assert refused(check_reassign_reason, "") == "请填写调项理由。"


# --- the asset register: after the county acceptance ------------------------------------


def test_an_accepted_project_may_register_its_assets():
    check_asset_registrable(datetime.date(2026, 11, 30))


def test_a_project_not_yet_accepted_may_not():
    assert refused(check_asset_registrable, None) == "资产须在县级验收通过后登记。"


# --- a public report: at least ten characters, findings to conclude ----------------------


def test_ten_characters_make_a_report_and_the_spaces_around_them_do_not_count():
    assert MIN_REPORT_CHARACTERS == 10
    assert check_report_content("  合作社未按时足额分红  ") == "合作社未按时足额分红"


@pytest.mark.parametrize("content", ["合作社未按时足额分", "  合作社未按时足额分  ", "", None])
def test_nine_characters_or_fewer_are_refused(content):
    assert refused(check_report_content, content) == "请用至少10个字说明举报内容。"


def test_a_report_is_concluded_with_its_findings_and_not_without():
    assert check_findings(" 经核查属实。 ") == "经核查属实。"
    assert refused(check_findings, "  ") == "办结前请填写调查结论。"


# --- dates of things done: today at the latest -----------------------------------------


def test_a_payment_or_return_may_be_dated_today_and_not_tomorrow():
    today = datetime.date(2026, 12, 2)
    check_plausible_date(today, today)
    assert refused(check_plausible_date, today + datetime.timedelta(days=1), today) == (
        "2026-12-03 尚未到来：请在事情发生后再登记。"
    )
