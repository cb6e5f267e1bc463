"""When the records of a post-maintenance year may be made: the yearly report, the dividend
notice (公示) and the payout follow the agreement year they belong to, in that order."""

import datetime

from django.utils.translation import gettext as _

from . import RuleViolation


def check_report_date(today: datetime.date, year: int, period_end: datetime.date) -> None:
    """Practice (DOMAIN §3, 后续管护: "yearly dividend records"): the yearly report states the
    year's operating income and the asset's condition over the year, so it is made once the
    agreement year is over, from the year's last day, never ahead of it."""
    if today < period_end:
        raise RuleViolation(
            _(
                "The report for agreement year %(year)s can be made from %(end)s, the last day of that year: "
                "its income and the asset's condition are known only then."
            )
            % {"year": year, "end": period_end.isoformat()}
        )


def check_notice_dates(
    start: datetime.date,
    end: datetime.date,
    period_end: datetime.date,
    reported_on: datetime.date,
) -> list[tuple[str, RuleViolation]]:
    """Practice (seed: dividends are paid "after publicity" 公示无异议后发放): the year's
    dividend list is computed from the year's report, so its notice cannot begin before the
    agreement year is over, nor end before the report that created the list.

    Returns (field, error) pairs, one per broken condition, so each shows on its field."""
    errors = []
    if start < period_end:
        errors.append(
            (
                "notice_start",
                RuleViolation(
                    _(
                        "The dividend list of an agreement year cannot be posted before the year is over: "
                        "the notice can start from %(end)s."
                    )
                    % {"end": period_end.isoformat()}
                ),
            )
        )
    if end < reported_on:
        errors.append(
            (
                "notice_end",
                RuleViolation(
                    _(
                        "The notice cannot end before the report that created the dividend list "
                        "(reported on %(day)s)."
                    )
                    % {"day": reported_on.isoformat()}
                ),
            )
        )
    return errors


def check_payout_date(paid_on: datetime.date, notice_end: datetime.date) -> None:
    """Practice (seed: 公示无异议后发放): dividends are paid once the list's public notice has
    run its course, on or after the day it ended."""
    if paid_on < notice_end:
        raise RuleViolation(
            _(
                "Dividends are paid after the public notice of the list: the payment date cannot be "
                "before %(end)s, the day the notice ended."
            )
            % {"end": notice_end.isoformat()}
        )
