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


def check_notice_period(
    start: datetime.date, end: datetime.date, minimum_days: int, today: datetime.date
) -> list[RuleViolation]:
    """DOMAIN §3, 公示: "practice: ≥7–10 days per level; configurable" (``minimum_days``,
    counting both ends), and a notice is recorded once it has ended, not while it runs.

    Returns one error per broken condition; both belong to the notice's end date."""
    errors = []
    if (end - start).days + 1 < minimum_days:
        errors.append(
            RuleViolation(
                _(
                    "The public notice must run at least %(days)d days (%(start)s to %(end)s is too short)."
                )
                % {"days": minimum_days, "start": start, "end": end}
            )
        )
    if end > today:
        errors.append(RuleViolation(_("The notice period has not ended yet.")))
    return errors


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


# Targeted poverty alleviation (精准扶贫) begins in 2013: proposed at 十八洞村 in November 2013
# and set out in 中办发〔2013〕25号 that December. No project of this model is older.
EARLIEST_DATE = datetime.date(2013, 1, 1)


def check_plausible_date(day: datetime.date, today: datetime.date, ahead_days: int = 0) -> None:
    """A date on a stage form lies between 2013-01-01 and ``ahead_days`` after today.

    Meetings held, agreements signed, approvals, acceptances and payments are recorded after
    they happen (``ahead_days=0``); an agreement may take effect up to a year ahead."""
    if day < EARLIEST_DATE:
        raise RuleViolation(
            _(
                "%(day)s is too early: targeted poverty alleviation (精准扶贫) and its projects began in 2013, "
                "so no date before %(earliest)s is plausible."
            )
            % {"day": day.isoformat(), "earliest": EARLIEST_DATE.isoformat()}
        )
    latest = today + datetime.timedelta(days=ahead_days)
    if day > latest:
        if ahead_days:
            message = _("%(day)s is too far ahead: the date can be at most %(latest)s.")
        else:
            message = _("%(day)s is in the future: record it once it has happened.")
        raise RuleViolation(message % {"day": day.isoformat(), "latest": latest.isoformat()})


# A planning meeting (项目谋划宣传会议) is a village assembly or a meeting of households'
# representatives (村民委员会组织法 arts. 22 and 25); the largest administrative villages of a
# county count a few thousand residents.
MAX_ATTENDEES = 5000


def check_attendees(count: int) -> None:
    if count < 1 or count > MAX_ATTENDEES:
        raise RuleViolation(
            _(
                "A planning meeting has between 1 and %(max)s attendees (a village assembly); %(count)s was entered."
            )
            % {"max": MAX_ATTENDEES, "count": count}
        )
