"""The agreements of a project and the dividend years they schedule (DOMAIN.md §3–§4)."""

from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..rules.benefit_linkage import dividend_schedule
from .projects import MONEY, Household, Project


class Agreement(models.Model):
    """The entrustment agreement's terms for a guaranteed- or equity-dividend project.

    Number 1 is the agreement signed before implementation; at term end the cooperation is
    renewed by a new agreement (number 2, 3, …) or terminated (DOMAIN.md §4).
    """

    class Outcome(models.TextChoices):
        RUNNING = "", _("Running")
        RENEWED = "renewed", _("Renewed")
        TERMINATED = "terminated", _("Terminated")

    project = models.ForeignKey(
        Project, models.CASCADE, related_name="agreements", verbose_name=_("project")
    )
    number = models.PositiveSmallIntegerField(_("agreement number"), default=1)
    first_year = models.PositiveSmallIntegerField(
        _("first agreement year"),
        default=1,
        help_text=_("The project's agreement year this agreement starts with."),
    )
    signed_on = models.DateField(_("signed on"))
    starts_on = models.DateField(_("starts on"))
    term_years = models.PositiveSmallIntegerField(_("term (years)"))
    first_year_rate = models.DecimalField(
        _("first-year dividend rate (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    yearly_increase = models.DecimalField(
        _("yearly increase (percentage points)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
    )
    collateral_value = models.DecimalField(
        _("collateral value (yuan)"), **MONEY, null=True, blank=True
    )
    collateral_description = models.CharField(_("collateral"), max_length=200, blank=True)
    household_share = models.DecimalField(
        _("households' share of returns (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    manager_name = models.CharField(
        _("manager sent by the implementing unit"), max_length=50, blank=True
    )
    benefit_linkage_signed_on = models.DateField(
        _("benefit-linkage agreements signed on"), null=True, blank=True
    )
    outcome = models.CharField(
        _("outcome at term end"), max_length=10, choices=Outcome.choices, blank=True
    )
    outcome_reason = models.TextField(_("reason"), blank=True)
    # On termination the operator returns the principal to the village collective (DOMAIN §4).
    principal_returned = models.DecimalField(
        _("principal returned (yuan)"), **MONEY, null=True, blank=True
    )
    principal_returned_on = models.DateField(_("principal returned on"), null=True, blank=True)
    principal_voucher = models.CharField(_("receipt voucher number"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("entrustment agreement")
        verbose_name_plural = _("entrustment agreements")
        ordering = ["project", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="agreement_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.project} #{self.number}"

    @property
    def last_year(self) -> int:
        return self.first_year + self.term_years - 1

    def rates(self) -> list[Decimal]:
        """The guaranteed dividend rate (%) for each of its years; empty for equity dividends."""
        if self.first_year_rate is None:
            return []
        return dividend_schedule(self.first_year_rate, self.yearly_increase, self.term_years)


class DividendYear(models.Model):
    """One agreement year of a dividend project's schedule (后续管护分红台账).

    Generated from the agreement when it is signed; each year the operator reports income,
    the township accepts the report, the amounts are computed (``processes.dividends``), the
    village publishes the list (公示) and the operator's payout is recorded.
    """

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        COMPUTED = "computed", _("Computed")
        PUBLISHED = "published", _("Published")
        PAID = "paid", _("Paid")

    project = models.ForeignKey(
        Project, models.CASCADE, related_name="dividend_years", verbose_name=_("project")
    )
    agreement = models.ForeignKey(
        Agreement, models.CASCADE, related_name="years", verbose_name=_("agreement")
    )
    year = models.PositiveSmallIntegerField(_("agreement year"))
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    due_on = models.DateField(_("payout due by"))
    rate = models.DecimalField(
        _("guaranteed rate (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    guaranteed = models.DecimalField(
        _("guaranteed dividend (yuan)"), **MONEY, null=True, blank=True
    )
    income = models.DecimalField(_("reported income (yuan)"), **MONEY, null=True, blank=True)
    distributable = models.DecimalField(_("to distribute (yuan)"), **MONEY, null=True, blank=True)
    households_part = models.DecimalField(
        _("households' part (yuan)"), **MONEY, null=True, blank=True
    )
    collective_part = models.DecimalField(
        _("village collective (yuan)"), **MONEY, null=True, blank=True
    )
    fund_part = models.DecimalField(
        _("management and development fund (yuan)"), **MONEY, null=True, blank=True
    )
    notice_start = models.DateField(_("notice start"), null=True, blank=True)
    notice_end = models.DateField(_("notice end"), null=True, blank=True)
    notice_objections = models.TextField(_("objections raised"), blank=True)
    collective_paid = models.DecimalField(
        _("paid to the village collective (yuan)"), **MONEY, null=True, blank=True
    )
    fund_paid = models.DecimalField(
        _("paid to the development fund (yuan)"), **MONEY, null=True, blank=True
    )
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )

    class Meta:
        verbose_name = _("dividend year")
        verbose_name_plural = _("dividend years")
        ordering = ["project", "year"]
        constraints = [
            models.UniqueConstraint(fields=["project", "year"], name="dividend_year_once")
        ]

    def __str__(self) -> str:
        return f"{self.project} #{self.year}"

    def is_late(self, today=None) -> bool:
        """Paid after the due date, or still unpaid once it has passed."""
        if self.paid_on is not None:
            return self.paid_on > self.due_on
        return (today or timezone.localdate()) > self.due_on

    def is_short(self) -> bool:
        """The village's parts were paid below what was computed."""
        if self.status != self.Status.PAID:
            return False
        return (self.collective_paid or 0) < (self.collective_part or 0) or (
            self.fund_paid or 0
        ) < (self.fund_part or 0)


class DividendShare(models.Model):
    """One household's dividend for one agreement year: computed, published, paid."""

    dividend_year = models.ForeignKey(
        DividendYear, models.CASCADE, related_name="shares", verbose_name=_("dividend year")
    )
    household = models.ForeignKey(
        Household, models.PROTECT, related_name="dividends", verbose_name=_("household")
    )
    amount_due = models.DecimalField(_("dividend due (yuan)"), **MONEY)
    amount_paid = models.DecimalField(_("dividend paid (yuan)"), **MONEY, null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)

    class Meta:
        verbose_name = _("household dividend")
        verbose_name_plural = _("household dividends")
        ordering = ["dividend_year", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dividend_year", "household"], name="dividend_share_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.household} {self.dividend_year}"

    def is_short(self) -> bool:
        return self.amount_paid is not None and self.amount_paid < self.amount_due

    def is_late(self, today=None) -> bool:
        due = self.dividend_year.due_on
        if self.paid_on is not None:
            return self.paid_on > due
        return (today or timezone.localdate()) > due
