"""Post-maintenance dividends (后续管护分红): the yearly schedule and its money.

The agreement's signing generates one :class:`DividendYear` per agreement year. Each year:

1. the operator reports the year's income → :func:`compute` fixes what is owed: the guaranteed
   dividend from the schedule, or the households' share of the reported returns on the
   quantified equity; then the split between households and the village, and each household's
   part (``rules.dividends``);
2. a send-back of the report or of the village's notice → :func:`reset` (recomputed next time);
3. the village publishes the list (公示) → :func:`publish`;
4. the operator pays → :func:`record_payout`; late or short payments are flagged, never refused.

All of it runs inside the act's transaction (the task forms' ``apply``).
"""

from decimal import Decimal

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import (
    Agreement,
    DividendShare,
    DividendYear,
    ImplementationMode,
    MaintenanceReport,
    Project,
)
from .rules.dividends import (
    agreement_year,
    guaranteed_dividend,
    payout_due,
    share_equally,
)
from .rules.income_split import HOUSEHOLDS_PERCENT, split_income


def invested(project: Project) -> Decimal:
    """The poverty funds invested: what the county issued, or the approved amount."""
    return project.funds_issued or project.funds_amount


def schedule(agreement: Agreement) -> list[DividendYear]:
    """Generate (or regenerate, while nothing is reported) the agreement's yearly schedule."""
    project = agreement.project
    rates = agreement.rates()
    years = []
    for index in range(1, agreement.term_years + 1):
        start, end = agreement_year(agreement.starts_on, index)
        rate = rates[index - 1] if rates else None
        year, _ = DividendYear.objects.update_or_create(
            project=project,
            year=agreement.first_year + index - 1,
            defaults={
                "agreement": agreement,
                "period_start": start,
                "period_end": end,
                "due_on": payout_due(end),
                "rate": rate,
                "guaranteed": guaranteed_dividend(invested(project), rate) if rate else None,
            },
        )
        years.append(year)
    return years


def year_end(project: Project, number: int):
    """The last day of the project's ``number``-th agreement year: from the dividend schedule,
    or, for a direct subsidy, counted from the day the households' agreements were signed.
    None when no agreement fixes the years yet."""
    if not project.is_direct_subsidy:
        year = project.dividend_years.filter(year=number).first()
        return year.period_end if year else None
    signed = (
        project.beneficiaries.filter(agreement_signed_on__isnull=False)
        .order_by("agreement_signed_on")
        .values_list("agreement_signed_on", flat=True)
        .first()
    )
    return agreement_year(signed, number)[1] if signed else None


def reported_on(year: DividendYear):
    """The day the report that created the year's dividend list was made."""
    report = (
        year.project.maintenance_reports.filter(year=year.year)
        .exclude(status=MaintenanceReport.Status.RETURNED)
        .order_by("-reported_at")
        .first()
    )
    return timezone.localdate(report.reported_at) if report else None


def year_of(project: Project, number: int) -> DividendYear:
    return DividendYear.objects.select_for_update().get(project=project, year=number)


def compute(year: DividendYear, income: Decimal) -> DividendYear:
    """What the year owes, from the operator's reported income.

    Guaranteed dividend: the schedule's amount, whatever the income (保底), split 70/20/10.
    Equity dividend: the reported returns on the quantified equity, the agreement's households'
    share (≥ 70 %) to households and the rest to the village. Households' part is shared
    equally over the roster (equal quantified shares), remainder fen to the first in order.
    """
    project = year.project
    if project.mode == ImplementationMode.GUARANTEED_DIVIDEND:
        distributable, percent = year.guaranteed, HOUSEHOLDS_PERCENT
    else:
        distributable, percent = income, year.agreement.household_share
    split = split_income(distributable, percent)
    year.income = income
    year.distributable = split.total
    year.households_part = split.households
    year.collective_part = split.collective
    year.fund_part = split.fund
    year.status = DividendYear.Status.COMPUTED
    year.save()
    year.shares.all().delete()
    roster = list(project.beneficiaries.select_related("household").order_by("household_id"))
    amounts = share_equally(split.households, len(roster))
    DividendShare.objects.bulk_create(
        DividendShare(dividend_year=year, household=b.household, amount_due=amount)
        for b, amount in zip(roster, amounts, strict=True)
    )
    return year


def reset(year: DividendYear) -> None:
    """A send-back: the year's figures are withdrawn until the report is made again."""
    year.shares.all().delete()
    for name in (
        "income",
        "distributable",
        "households_part",
        "collective_part",
        "fund_part",
        "notice_start",
        "notice_end",
    ):
        setattr(year, name, None)
    year.notice_objections = ""
    year.status = DividendYear.Status.SCHEDULED
    year.save()


def publish(year: DividendYear, start, end, objections: str) -> None:
    year.notice_start, year.notice_end, year.notice_objections = start, end, objections
    year.status = DividendYear.Status.PUBLISHED
    year.save(update_fields=["notice_start", "notice_end", "notice_objections", "status"])


def record_payout(year: DividendYear, paid: dict, paid_on, collective_paid, fund_paid) -> dict:
    """Record what the operator paid, household by household; returns the flags raised."""
    shares = list(year.shares.select_related("household"))
    for share in shares:
        share.amount_paid = paid[share.pk]
        share.paid_on = paid_on
    DividendShare.objects.bulk_update(shares, ["amount_paid", "paid_on"])
    year.collective_paid, year.fund_paid, year.paid_on = collective_paid, fund_paid, paid_on
    year.status = DividendYear.Status.PAID
    year.save(update_fields=["collective_paid", "fund_paid", "paid_on", "status"])
    return {
        "late": year.is_late(),
        "short_households": [s.household.head_name for s in shares if s.is_short()],
        "village_short": year.is_short(),
    }


def flagged_for(user, today=None):
    """Years of the user's jurisdiction with a late or short payment (paid after the due date,
    unpaid once it passed, or less than due to a household or the village), flagged in SQL
    as :func:`with_flags` flags them in Python: ``late``, ``short``, ``short_households``."""
    today = today or timezone.localdate()
    zero = Value(Decimal("0.00"))
    late = Q(paid_on__isnull=False, paid_on__gt=F("due_on")) | Q(
        paid_on__isnull=True, due_on__lt=today
    )
    village_short = Q(status=DividendYear.Status.PAID) & (
        Q(collective_part__gt=Coalesce("collective_paid", zero))
        | Q(fund_part__gt=Coalesce("fund_paid", zero))
    )
    short_households = DividendShare.objects.filter(
        dividend_year=OuterRef("pk"), amount_paid__isnull=False, amount_paid__lt=F("amount_due")
    )
    return (
        DividendYear.objects.filter(project__in=Project.objects.visible_to(user))
        .filter(Q(due_on__lt=today) | Q(status=DividendYear.Status.PAID))
        .annotate(
            late=ExpressionWrapper(late, output_field=BooleanField()),
            short_households=Coalesce(
                Subquery(
                    short_households.order_by()
                    .values("dividend_year")
                    .annotate(n=Count("pk"))
                    .values("n")
                ),
                0,
            ),
        )
        .annotate(
            short=ExpressionWrapper(
                village_short | Q(short_households__gt=0), output_field=BooleanField()
            )
        )
        .filter(Q(late=True) | Q(short=True))
        .select_related("project__village__parent")
        .order_by("due_on", "project__name", "pk")
    )


def with_flags(years, today=None) -> list[DividendYear]:
    """Each year with ``late``, ``short`` (a household or the village paid less than due) and
    ``short_households``, as the ledger flags them; ``years`` should prefetch ``shares``."""
    today = today or timezone.localdate()
    years = list(years)
    for year in years:
        year.late = year.is_late(today)
        year.short_households = sum(1 for s in year.shares.all() if s.is_short())
        year.short = year.is_short() or year.short_households > 0
    return years
